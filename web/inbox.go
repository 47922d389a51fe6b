package web

import (
	"net/url"

	"github.com/gofiber/fiber/v2"

	"github.com/tidtam/tidtam/internal/listing"
	"github.com/tidtam/tidtam/internal/notify"
)

// inboxPage is the data of the inbox page.
type inboxPage struct {
	notify.InboxPage
	UnreadOnly bool
	Marked     string
}

// Inbox lists the reader's notices, newest first (GET /inbox; ?unread=1
// for unread ones only).
func (w *Pages) Inbox(c *fiber.Ctx) error {
	f := notify.InboxFilter{Unread: c.Query("unread") == "1", Window: listing.Window{Limit: notify.MaxInboxLimit}}
	page, err := w.d.Notifications.Inbox(c.UserContext(), principal(c), f)
	if err != nil {
		return w.fail(c, err)
	}
	return w.render(c, fiber.StatusOK, "inbox", "inbox_title", inboxPage{InboxPage: page, UnreadOnly: f.Unread, Marked: c.Query("marked")})
}

// OpenNotice marks one notice read and opens the page it links to (POST
// /inbox/:id/open); a notice without a link comes back to the inbox.
func (w *Pages) OpenNotice(c *fiber.Ctx) error {
	item, err := w.d.Notifications.MarkRead(c.UserContext(), principal(c), param(c, "id"))
	if err != nil {
		return w.fail(c, err)
	}
	return c.Redirect(noticeTarget(item.Link), fiber.StatusSeeOther)
}

// noticeTarget is the local path of a notice's link (links carry the
// public URL; only their path and query are followed, never another
// origin), or the inbox.
func noticeTarget(link string) string {
	u, err := url.Parse(link)
	if link == "" || err != nil {
		return "/inbox"
	}
	return localPath(u.EscapedPath() + queryOf(u))
}

func queryOf(u *url.URL) string {
	if u.RawQuery == "" {
		return ""
	}
	return "?" + u.RawQuery
}

// MarkNoticeRead marks one notice read (POST /inbox/:id/read) and shows
// the inbox again.
func (w *Pages) MarkNoticeRead(c *fiber.Ctx) error {
	if _, err := w.d.Notifications.MarkRead(c.UserContext(), principal(c), param(c, "id")); err != nil {
		return w.fail(c, err)
	}
	return c.Redirect("/inbox", fiber.StatusSeeOther)
}

// MarkAllNoticesRead marks every notice read (POST /inbox/read-all).
func (w *Pages) MarkAllNoticesRead(c *fiber.Ctx) error {
	n, err := w.d.Notifications.MarkAllRead(c.UserContext(), principal(c))
	if err != nil {
		return w.fail(c, err)
	}
	return c.Redirect("/inbox?marked="+url.QueryEscape(w.localizer(c).Num(n)), fiber.StatusSeeOther)
}
