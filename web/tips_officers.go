package web

import (
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/formbody"
	"github.com/tidtam/tidtam/internal/listing"
	"github.com/tidtam/tidtam/internal/tips"
	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
)

// The officers' tip pages (issue #15): the inbox of tips routed to the
// reader (/tips), one tip with its content, messages, files and the
// actions of its stage (/tips/{id}), and the national counts without any
// content (/tips/counts). Every tip shown is a read the tips service
// audits. Every action is a plain form (POST, then a redirect back to the
// tip), so the pages work without JavaScript.

// tipRow is one tip of the inbox: the tip, the name of the unit it is
// with, and the start of its text.
type tipRow struct {
	tips.OfficerView
	UnitName string
	Excerpt  string
}

// tipInboxData is the data of /tips.
type tipInboxData struct {
	Rows  []tipRow
	Total int64
	// Counts is the national link shown to those who may see it.
	Counts bool
}

// tipPageData is the data of /tips/{id}: the tip, the unit's name, what
// the reader may do, the province's districts (for forwarding), the
// stages the tip may move to, the done flash key and the form's values.
type tipPageData struct {
	Tip        tips.OfficerView
	UnitName   string
	CanAct     bool
	CanForward bool
	CanReferUp bool
	CanReply   bool
	Districts  []tips.Place
	Stages     []string
	Done       string
	Form       map[string]string
}

// tipCountsRow is one province of the national counts.
type tipCountsRow struct {
	tips.ProvinceCount
	Name string
}

// tipCountsData is the data of /tips/counts.
type tipCountsData struct {
	Rows        []tipCountsRow
	Stages      []string
	Total       tips.ProvinceCount
	Secretariat bool // links to the tips referred up
}

// unitNames caches the names of the units of a page.
type unitNames struct {
	w     *Pages
	c     *fiber.Ctx
	names map[string]string
}

func (u *unitNames) name(code string) string {
	if n, ok := u.names[code]; ok {
		return n
	}
	n := code
	if t, err := u.w.d.Tips.Target(u.c.UserContext(), code); err == nil {
		n = t.Unit.NameTH
		if u.w.localizer(u.c).EN() && t.Unit.NameEN != "" {
			n = t.Unit.NameEN
		}
	}
	u.names[code] = n
	return n
}

// TipInbox is the officers' list of the tips routed to them (GET /tips),
// newest first, each read audited; readers who see no content (admins,
// observers) go to the national counts.
func (w *Pages) TipInbox(c *fiber.Ctx) error {
	p := principal(c)
	if p != nil && p.HasRole(models.RoleAdmin, models.RoleObserver) {
		return c.Redirect("/tips/counts", fiber.StatusSeeOther)
	}
	page, err := w.d.Tips.List(c.UserContext(), p, listing.Window{Limit: 100})
	if err != nil {
		return w.fail(c, err)
	}
	names := &unitNames{w: w, c: c, names: map[string]string{}}
	data := tipInboxData{Total: page.Total, Counts: p.HasRole(models.RoleSecretariat)}
	for _, t := range page.Items {
		ex := t.Text
		if utf8.RuneCountInString(ex) > 140 {
			ex = string([]rune(ex)[:140]) + "…"
		}
		data.Rows = append(data.Rows, tipRow{OfficerView: t, UnitName: names.name(t.RouteUnitCode), Excerpt: ex})
	}
	return w.render(c, fiber.StatusOK, "tip_inbox", "tips_inbox_title", data)
}

// TipCounts is the national picture without any content (GET
// /tips/counts): per province the tips by stage, overdue, escalated and
// referred up. The secretariat, admins and observers.
func (w *Pages) TipCounts(c *fiber.Ctx) error {
	counts, err := w.d.Tips.Counts(c.UserContext(), principal(c))
	if err != nil {
		return w.fail(c, err)
	}
	names := &unitNames{w: w, c: c, names: map[string]string{}}
	data := tipCountsData{Stages: models.TipStages, Total: tips.ProvinceCount{ByStatus: map[string]int{}},
		Secretariat: principal(c).HasRole(models.RoleSecretariat)}
	for _, pc := range counts {
		data.Rows = append(data.Rows, tipCountsRow{ProvinceCount: pc, Name: names.name(pc.ProvinceCode)})
		data.Total.Total += pc.Total
		data.Total.Officials += pc.Officials
		data.Total.Overdue += pc.Overdue
		data.Total.Escalated += pc.Escalated
		data.Total.ReferredUp += pc.ReferredUp
		for _, st := range models.TipStages {
			data.Total.ByStatus[st] += pc.ByStatus[st]
		}
	}
	return w.render(c, fiber.StatusOK, "tip_counts", "tips_counts_title", data)
}

func tipParam(c *fiber.Ctx) int64 {
	id, _ := strconv.ParseInt(c.Params("id"), 10, 64)
	return id
}

// TipPage is one tip for an officer who may read it (GET /tips/{id}),
// audited as a read, with the forms of what the reader may do.
func (w *Pages) TipPage(c *fiber.Ctx) error {
	return w.showTip(c, fiber.StatusOK, tipParam(c), nil, nil)
}

func (w *Pages) showTip(c *fiber.Ctx, status int, id int64, form, errs map[string]string) error {
	p := principal(c)
	t, err := w.d.Tips.Get(c.UserContext(), p, id)
	if err != nil {
		return w.fail(c, err)
	}
	names := &unitNames{w: w, c: c, names: map[string]string{}}
	d := tipPageData{Tip: t, UnitName: names.name(t.RouteUnitCode), Done: c.Query("done"), Form: form}
	if d.Form == nil {
		d.Form = map[string]string{}
	}
	open := t.Status != models.TipClosed
	d.CanAct = open && p.CanWrite() && p.HasRole(models.RoleProvince, models.RoleDistrict) && p.UnitCode == t.RouteUnitCode
	d.CanForward = d.CanAct && t.Route == models.TipRouteProvince
	d.CanReferUp = d.CanAct && t.Route != models.TipRouteDistrict && !t.ReferredUp
	d.CanReply = open && p.CanWrite() && p.HasRole(models.RoleProvince, models.RoleDistrict, models.RoleInspector)
	for _, st := range models.TipStages {
		if workflows.TipStageAllowed(t.Status, st) {
			d.Stages = append(d.Stages, st)
		}
	}
	if d.CanForward {
		if _, ds, err := w.d.Tips.Province(c.UserContext(), t.ProvinceCode); err == nil {
			d.Districts = ds
		}
	}
	return w.renderForm(c, status, "tip_officer", "tips_tip_title", d, errs)
}

// tipDone redirects to the tip after an action, with the flash key.
func tipDone(c *fiber.Ctx, id int64, done string) error {
	return c.Redirect("/tips/"+strconv.FormatInt(id, 10)+"?done="+url.QueryEscape(done), fiber.StatusSeeOther)
}

// tipActionFailed shows the tip again with a field's error next to its
// form for invalid or conflicting input, or fails the page.
func (w *Pages) tipActionFailed(c *fiber.Ctx, id int64, err error, form map[string]string, fallbackField string) error {
	e := apperr.As(err)
	if e == nil || (e.Code != apperr.Invalid && e.Code != apperr.Conflict) {
		return w.fail(c, err)
	}
	field := e.Field
	if field == "" {
		field = fallbackField
	}
	return w.showTip(c, e.Code.HTTPStatus(), id, form, map[string]string{field: messageIn(w.localizer(c), e.Message)})
}

// TipAcknowledge acknowledges the tip (POST /tips/{id}/acknowledge).
func (w *Pages) TipAcknowledge(c *fiber.Ctx) error {
	id := tipParam(c)
	if _, err := w.d.Tips.Acknowledge(c.UserContext(), principal(c), id); err != nil {
		return w.tipActionFailed(c, id, err, nil, "acknowledge")
	}
	return tipDone(c, id, "ack")
}

// TipForward forwards the tip to a district (POST /tips/{id}/forward,
// district_code).
func (w *Pages) TipForward(c *fiber.Ctx) error {
	id := tipParam(c)
	form := map[string]string{"district_code": bounded(strings.TrimSpace(formbody.Value(c, "district_code")), 32)}
	if _, err := w.d.Tips.Forward(c.UserContext(), principal(c), id, form["district_code"]); err != nil {
		return w.tipActionFailed(c, id, err, form, "district_code")
	}
	return tipDone(c, id, "forward")
}

// TipStage moves the tip to a later stage (POST /tips/{id}/stage: stage,
// agency, note). Errors come back next to the form with its values.
func (w *Pages) TipStage(c *fiber.Ctx) error {
	id := tipParam(c)
	l := w.localizer(c)
	form := map[string]string{"stage": bounded(formbody.Value(c, "stage"), 32), "agency": strings.TrimSpace(formbody.Value(c, "agency")),
		"note": formbody.Value(c, "note")}
	// The form's limits, checked here too so a page never sends more.
	switch {
	case utf8.RuneCountInString(form["agency"]) > workflows.TipMaxAgencyRunes:
		return w.showTip(c, fiber.StatusUnprocessableEntity, id, form, map[string]string{"agency": l.Tf("too_long", workflows.TipMaxAgencyRunes)})
	case utf8.RuneCountInString(form["note"]) > tips.MaxTextRunes:
		return w.showTip(c, fiber.StatusUnprocessableEntity, id, form, map[string]string{"note": l.Tf("too_long", tips.MaxTextRunes)})
	}
	in := tips.StageInput{Stage: form["stage"], Agency: form["agency"], Note: form["note"]}
	if in.Stage != models.TipReferred {
		in.Agency = "" // the form always carries the field; it goes only with referred
	}
	if _, err := w.d.Tips.ChangeStage(c.UserContext(), principal(c), id, in); err != nil {
		return w.tipActionFailed(c, id, err, form, "stage")
	}
	return tipDone(c, id, "stage")
}

// TipReferUp refers the tip up to the secretariat (POST
// /tips/{id}/refer-up).
func (w *Pages) TipReferUp(c *fiber.Ctx) error {
	id := tipParam(c)
	if _, err := w.d.Tips.ReferUp(c.UserContext(), principal(c), id); err != nil {
		return w.tipActionFailed(c, id, err, nil, "refer_up")
	}
	return tipDone(c, id, "refer_up")
}

// TipReply writes to the informant (POST /tips/{id}/messages, text).
func (w *Pages) TipReply(c *fiber.Ctx) error {
	id := tipParam(c)
	form := map[string]string{"text": formbody.Value(c, "text")}
	if utf8.RuneCountInString(form["text"]) > tips.MaxTextRunes {
		return w.showTip(c, fiber.StatusUnprocessableEntity, id, form, map[string]string{"text": w.localizer(c).Tf("too_long", tips.MaxTextRunes)})
	}
	if _, err := w.d.Tips.Reply(c.UserContext(), principal(c), id, form["text"]); err != nil {
		return w.tipActionFailed(c, id, err, form, "text")
	}
	return tipDone(c, id, "reply")
}

// TipFile downloads file n of the tip (GET /tips/{id}/files/{n}), as an
// attachment, audited by the tips service.
func (w *Pages) TipFile(c *fiber.Ctx) error {
	n, _ := strconv.Atoi(c.Params("n"))
	f, err := w.d.Tips.File(c.UserContext(), principal(c), tipParam(c), n)
	if err != nil {
		return w.fail(c, err)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentType, f.ContentType)
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set(fiber.HeaderContentDisposition, "attachment; filename*=UTF-8''"+url.PathEscape(f.Name))
	return c.Send(f.Data)
}
