package web

import (
	"cmp"
	"net/url"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/directives"
	"github.com/tidtam/tidtam/internal/formbody"
	"github.com/tidtam/tidtam/internal/listing"
	"github.com/tidtam/tidtam/models"
)

// queueProvince is one province's group in the inspector's queue: its
// open escalated items, oldest first (one entry per item, at its highest
// open level).
type queueProvince struct {
	Code, Name string
	Items      []directives.EscalationView
}

// queuePage is the data of the inspector's queue.
type queuePage struct {
	Provinces []queueProvince
	Kinds     []string
	Done      string
	FormID    string            // the escalation whose form has errors
	Form      map[string]string // that form's values
}

// Key is the path form of an escalation ID (directives.EscalationKey).
func (queuePage) Key(id string) string { return url.PathEscape(directives.EscalationKey(id)) }

// Queue is the inspector's work queue (GET /inspector): the open
// escalations of the reader's scope (an inspector: its regions), one entry
// per item at its highest level, grouped by province, oldest first; each
// with a form for comment, new deadline, extend, close or waive.
func (w *Pages) Queue(c *fiber.Ctx) error {
	return w.showQueue(c, fiber.StatusOK, queuePage{Done: c.Query("done")}, nil)
}

func (w *Pages) showQueue(c *fiber.Ctx, status int, data queuePage, errs map[string]string) error {
	p := principal(c)
	if err := p.Require(models.RoleInspector, models.RoleSecretariat, models.RoleAdmin); err != nil {
		return w.fail(c, err)
	}
	page, err := w.d.Directives.ListEscalations(c.UserContext(), p, directives.EscalationFilter{Open: true, HasOpen: true,
		Window: listing.Window{Limit: 500}})
	if err != nil {
		return w.fail(c, err)
	}
	data.Provinces = groupQueue(page.Items)
	data.Kinds = []string{string(models.ActionComment), string(models.ActionNewDeadline), string(models.ActionExtend),
		string(models.ActionClose), string(models.ActionWaive)}
	return w.renderForm(c, status, "inspector", "nav_queue", data, errs)
}

// groupQueue keeps the highest open level of each item and groups the
// items by province; provinces and items are ordered oldest first (by when
// the item's first open escalation opened).
func groupQueue(escs []directives.EscalationView) []queueProvince {
	type itemKey struct {
		assignment   string
		number, cycl int
	}
	top := map[itemKey]directives.EscalationView{}
	first := map[itemKey]directives.EscalationView{}
	for _, e := range escs {
		k := itemKey{e.AssignmentID, e.ItemNumber, e.Cycle}
		if t, ok := top[k]; !ok || e.Level > t.Level {
			top[k] = e
		}
		if f, ok := first[k]; !ok || e.OpenedAt.Before(f.OpenedAt) {
			first[k] = e
		}
	}
	byProvince := map[string]*queueProvince{}
	var out []*queueProvince
	for k, e := range top {
		e.OpenedAt = first[k].OpenedAt
		g := byProvince[e.ProvinceCode]
		if g == nil {
			g = &queueProvince{Code: e.ProvinceCode, Name: e.ProvinceName}
			byProvince[e.ProvinceCode] = g
			out = append(out, g)
		}
		g.Items = append(g.Items, e)
	}
	oldest := func(a, b directives.EscalationView) int {
		return cmp.Or(a.OpenedAt.Compare(b.OpenedAt), strings.Compare(a.ID, b.ID))
	}
	for _, g := range out {
		slices.SortFunc(g.Items, oldest)
	}
	slices.SortFunc(out, func(a, b *queueProvince) int {
		return cmp.Or(oldest(a.Items[0], b.Items[0]), strings.Compare(a.Code, b.Code))
	})
	groups := make([]queueProvince, len(out))
	for i, g := range out {
		groups[i] = *g
	}
	return groups
}

// Act records an action on an escalated item from the queue (POST
// /inspector/escalations/:key with kind, reason and, for new_deadline and
// extend, new_due); errors come back next to that item's form.
func (w *Pages) Act(c *fiber.Ctx) error {
	id := directives.EscalationIDFromKey(param(c, "key"))
	form := map[string]string{"kind": formbody.Value(c, "kind"), "reason": strings.TrimSpace(formbody.Value(c, "reason")),
		"new_due": strings.TrimSpace(formbody.Value(c, "new_due"))}
	req := directives.EscalationActionRequest{Kind: form["kind"], Reason: form["reason"]}
	if form["new_due"] != "" {
		req.NewDue = &directives.DeadlineRequest{Date: form["new_due"]}
	}
	if _, err := w.d.Directives.ActOnEscalation(c.UserContext(), principal(c), id, req); err != nil {
		l := w.localizer(c)
		if e := apperr.As(err); e != nil && (e.Code == apperr.Invalid || e.Code == apperr.Conflict) {
			field := e.Field
			if field == "" {
				field = "kind"
			}
			return w.showQueue(c, e.Code.HTTPStatus(), queuePage{FormID: id, Form: form}, map[string]string{field: messageIn(l, e.Message)})
		}
		return w.fail(c, err)
	}
	return c.Redirect("/inspector?done="+url.QueryEscape(form["kind"]), fiber.StatusSeeOther)
}
