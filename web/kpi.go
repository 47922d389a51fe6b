package web

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/directives"
	"github.com/tidtam/tidtam/internal/download"
	"github.com/tidtam/tidtam/internal/export"
	"github.com/tidtam/tidtam/internal/formbody"
	"github.com/tidtam/tidtam/internal/kpi"
	"github.com/tidtam/tidtam/internal/listing"
	"github.com/tidtam/tidtam/internal/meetings"
	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/models"
)

// kpiListPage is the data of the KPI schemes page.
type kpiListPage struct {
	Items     []kpi.SchemeView
	Templates []kpi.Template
	CanCreate bool
	Form      map[string]string
}

// KPISchemes lists the KPI schemes (GET /kpi) with, for the secretariat
// and admins, the form that creates one from a shipped template.
func (w *Pages) KPISchemes(c *fiber.Ctx) error {
	return w.showKPISchemes(c, fiber.StatusOK, nil, nil)
}

func (w *Pages) showKPISchemes(c *fiber.Ctx, status int, form map[string]string, errs map[string]string) error {
	ctx, p := c.UserContext(), principal(c)
	list, err := w.d.KPI.ListSchemes(ctx, p)
	if err != nil {
		return w.fail(c, err)
	}
	ts, err := w.d.KPI.Templates(ctx, p)
	if err != nil {
		return w.fail(c, err)
	}
	data := kpiListPage{Items: list.Items, Templates: ts, CanCreate: p.HasRole(models.RoleSecretariat, models.RoleAdmin) && p.CanWrite(), Form: form}
	if data.Form == nil && len(ts) > 0 {
		l := w.localizer(c)
		data.Form = map[string]string{"template": ts[0].Code, "name": ts[0].NameTH,
			"period_from": l.InputDate(ts[0].PeriodFrom), "period_to": l.InputDate(ts[0].PeriodTo)}
		if l.EN() {
			data.Form["name"] = ts[0].NameEN
		}
	}
	return w.renderForm(c, status, "kpi", "nav_kpi", data, errs)
}

// CreateKPIScheme creates a scheme from a template (POST /kpi with
// template, name, period_from, period_to; Thai dates accepted) and opens
// its ranking; errors come back next to their fields.
func (w *Pages) CreateKPIScheme(c *fiber.Ctx) error {
	form := map[string]string{}
	for _, k := range []string{"template", "name", "period_from", "period_to"} {
		form[k] = strings.TrimSpace(formbody.Value(c, k))
	}
	out, err := w.d.KPI.CreateScheme(c.UserContext(), principal(c), kpi.SchemeInput{Name: form["name"], Template: form["template"],
		PeriodFrom: form["period_from"], PeriodTo: form["period_to"]})
	if err != nil {
		if errs, ok := fieldErrors(w.localizer(c), err, ""); ok {
			return w.showKPISchemes(c, fiber.StatusUnprocessableEntity, form, errs)
		}
		return w.fail(c, err)
	}
	return c.Redirect(fmt.Sprintf("/kpi/%d?done=created", out.ID), fiber.StatusSeeOther)
}

// kpiSchemePage is the data of a scheme's ranking page.
type kpiSchemePage struct {
	Scheme kpi.SchemeDetail
	Board  kpi.Scoreboard
	Done   string
}

// Criterion returns criterion n of the scheme.
func (d kpiSchemePage) Criterion(n int) kpi.CriterionView {
	for _, c := range d.Scheme.Criteria {
		if c.Number == n {
			return c
		}
	}
	return kpi.CriterionView{}
}

// schemeID reads :id of a KPI page; anything but a positive number is 404.
func schemeID(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(thaidate.NormalizeDigits(c.Params("id")), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.New(apperr.NotFound, "ไม่พบชุดตัวชี้วัด (KPI scheme not found)")
	}
	return id, nil
}

// KPIScheme shows a scheme's ranking (GET /kpi/:id): one row per province
// the reader may see with its rank, total and a score bar, linking to the
// province's breakdown; ?format=csv|xlsx downloads the same rows.
func (w *Pages) KPIScheme(c *fiber.Ctx) error {
	id, err := schemeID(c)
	if err != nil {
		return w.fail(c, err)
	}
	format, err := export.ParseFormat(c.Query("format"))
	if err != nil {
		return w.fail(c, err)
	}
	ctx, p := c.UserContext(), principal(c)
	det, err := w.d.KPI.Scheme(ctx, p, id)
	if err != nil {
		return w.fail(c, err)
	}
	board, err := w.d.KPI.Scores(ctx, p, id)
	if err != nil {
		return w.fail(c, err)
	}
	if format != "" {
		return download.Export(c, format, kpi.ScoresTable(board, det.Criteria, w.localizer(c).EN()), w.d.Logger, c.GetRespHeader(fiber.HeaderXRequestID))
	}
	return w.render(c, fiber.StatusOK, "kpi_scheme", "nav_kpi", kpiSchemePage{Scheme: det, Board: board, Done: c.Query("done")})
}

// kpiProvincePage is the data of a province's breakdown page.
type kpiProvincePage struct {
	B kpi.Breakdown
	// CanEnter is set for the province's own officers, Reviewer for the
	// secretariat and admins.
	CanEnter, Reviewer bool
	// FormCriterion is the criterion whose entry form came back with
	// errors, with the values sent.
	FormCriterion int
	Form          map[string]string
	Done          string
	MaxUpload     int64
	UploadMB      string
	MaxFiles      int
}

// Path is the breakdown page's own path.
func (d kpiProvincePage) Path() string {
	return fmt.Sprintf("/kpi/%d/provinces/%s", d.B.Scheme.ID, d.B.UnitCode)
}

// Percent is r (0–1) as a whole percentage.
func (kpiProvincePage) Percent(r *float64) int {
	if r == nil {
		return 0
	}
	return int(*r*100 + 0.5)
}

// KPIProvince shows a province's breakdown (GET /kpi/:id/provinces/:code):
// each criterion with its indicators and score; a computed one with its
// formula and the numbers it read; an entered one with its entries and
// evidence, the entry form for the province and verify/return for the
// secretariat.
func (w *Pages) KPIProvince(c *fiber.Ctx) error {
	return w.showKPIProvince(c, fiber.StatusOK, kpiProvincePage{Done: c.Query("done")}, nil)
}

func (w *Pages) showKPIProvince(c *fiber.Ctx, status int, data kpiProvincePage, errs map[string]string) error {
	id, err := schemeID(c)
	if err != nil {
		return w.fail(c, err)
	}
	p := principal(c)
	b, err := w.d.KPI.Breakdown(c.UserContext(), p, id, param(c, "code"))
	if err != nil {
		return w.fail(c, err)
	}
	data.B = b
	data.CanEnter = p.HasRole(models.RoleProvince) && p.UnitCode == b.UnitCode && p.CanWrite()
	data.Reviewer = p.HasRole(models.RoleSecretariat, models.RoleAdmin) && p.CanWrite()
	data.MaxUpload, data.MaxFiles = w.d.MaxUploadBytes, directives.MaxEvidenceFiles
	data.UploadMB = strconv.FormatFloat(float64(w.d.MaxUploadBytes)/(1<<20), 'f', -1, 64)
	return w.renderForm(c, status, "kpi_province", "nav_kpi", data, errs)
}

// kpiCellRef reads :id, :code and :n of a KPI form route.
func kpiCellRef(c *fiber.Ctx) (kpi.CriterionRef, error) {
	id, err := schemeID(c)
	if err != nil {
		return kpi.CriterionRef{}, err
	}
	n, err := thaidate.ParseInt(c.Params("n"))
	if err != nil || n <= 0 {
		return kpi.CriterionRef{}, apperr.New(apperr.NotFound, "ไม่พบเกณฑ์ (criterion not found)")
	}
	return kpi.CriterionRef{SchemeID: id, UnitCode: param(c, "code"), Criterion: n}, nil
}

func kpiEntryRef(c *fiber.Ctx) (kpi.EntryRef, error) {
	ref, err := kpiCellRef(c)
	if err != nil {
		return kpi.EntryRef{}, err
	}
	eid, err := strconv.ParseInt(thaidate.NormalizeDigits(c.Params("eid")), 10, 64)
	if err != nil || eid <= 0 {
		return kpi.EntryRef{}, apperr.New(apperr.NotFound, "ไม่พบรายการคะแนน (entry not found)")
	}
	return kpi.EntryRef{CriterionRef: ref, EntryID: eid}, nil
}

func kpiCellPath(ref kpi.CriterionRef) string {
	return fmt.Sprintf("/kpi/%d/provinces/%s", ref.SchemeID, ref.UnitCode)
}

// SubmitKPIEntry records the province's score for an entered criterion
// (POST /kpi/:id/provinces/:code/criteria/:n/entries, a multipart form
// with score, value, note and evidence files); errors come back next to
// their fields with the values kept.
func (w *Pages) SubmitKPIEntry(c *fiber.Ctx) error {
	ref, err := kpiCellRef(c)
	if err != nil {
		return w.fail(c, err)
	}
	form := map[string]string{"score": strings.TrimSpace(formbody.Value(c, "score")), "value": formbody.Value(c, "value"), "note": formbody.Value(c, "note")}
	var sub kpi.EntrySubmission
	if mf, err := formbody.Parsed(c); err == nil {
		sub.Files = mf.File[kpi.EvidenceField]
		for k := range form {
			if v := mf.Value[k]; len(v) > 0 {
				form[k] = strings.TrimSpace(v[0])
			}
		}
	}
	sub.Value, sub.Note = form["value"], form["note"]
	l := w.localizer(c)
	if form["score"] != "" {
		f, err := strconv.ParseFloat(thaidate.NormalizeDigits(form["score"]), 64)
		if err != nil {
			return w.showKPIProvince(c, fiber.StatusUnprocessableEntity, kpiProvincePage{FormCriterion: ref.Criterion, Form: form},
				map[string]string{"score": l.T("kpi_score_number")})
		}
		sub.Score = &f
	}
	if _, err := w.d.KPI.SubmitEntry(c.UserContext(), principal(c), ref, sub); err != nil {
		if errs, ok := fieldErrors(l, err, ""); ok {
			for k, v := range errs {
				if strings.HasPrefix(k, "evidence[") {
					delete(errs, k)
					errs["evidence"] = v
				}
			}
			return w.showKPIProvince(c, fiber.StatusUnprocessableEntity, kpiProvincePage{FormCriterion: ref.Criterion, Form: form}, errs)
		}
		return w.fail(c, err)
	}
	return c.Redirect(fmt.Sprintf("%s?done=submitted#c%d", kpiCellPath(ref), ref.Criterion), fiber.StatusSeeOther)
}

// ReviewKPIEntry verifies an entry or returns it with a reason (POST
// /kpi/:id/provinces/:code/criteria/:n/entries/:eid/review with decision
// verify or return, and reason).
func (w *Pages) ReviewKPIEntry(c *fiber.Ctx) error {
	ref, err := kpiEntryRef(c)
	if err != nil {
		return w.fail(c, err)
	}
	in := kpi.ReviewInput{Reason: strings.TrimSpace(formbody.Value(c, "reason"))}
	review, done := w.d.KPI.VerifyEntry, "verified"
	if formbody.Value(c, "decision") == "return" {
		review, done = w.d.KPI.ReturnEntry, "returned"
	}
	if _, err := review(c.UserContext(), principal(c), ref, in); err != nil {
		if errs, ok := fieldErrors(w.localizer(c), err, ""); ok {
			errs[fmt.Sprintf("review-%d", ref.EntryID)] = errs["reason"]
			return w.showKPIProvince(c, fiber.StatusUnprocessableEntity, kpiProvincePage{}, errs)
		}
		return w.fail(c, err)
	}
	return c.Redirect(fmt.Sprintf("%s?done=%s#c%d", kpiCellPath(ref.CriterionRef), done, ref.Criterion), fiber.StatusSeeOther)
}

// KPIEvidence downloads evidence file :i of an entry (GET
// /kpi/:id/provinces/:code/criteria/:n/entries/:eid/evidence/:i).
func (w *Pages) KPIEvidence(c *fiber.Ctx) error {
	ref, err := kpiEntryRef(c)
	if err != nil {
		return w.fail(c, err)
	}
	i, err := strconv.Atoi(c.Params("i"))
	if err != nil || i < 0 {
		return w.fail(c, apperr.New(apperr.NotFound, "not found"))
	}
	f, err := w.d.KPI.Evidence(c.UserContext(), principal(c), ref, i)
	if err != nil {
		return w.fail(c, err)
	}
	return download.Send(c, f)
}

// attendancePage is the data of the attendance statistics page.
type attendancePage struct {
	From, To, Series string
	SeriesList       []meetings.SeriesView
	Stats            listing.Page[meetings.AttendanceStat]
	Held, Attended   int
	ByHead           int
}

// ExportLink is the page's download in format f with the same filter.
func (a attendancePage) ExportLink(f string) string {
	return withQuery(withQuery(withQuery(withQuery("/meetings/attendance", "from", a.From), "to", a.To), "series", a.Series), "format", f)
}

// Pct is r (0–1) as a whole percentage.
func (attendancePage) Pct(r float64) int { return int(r*100 + 0.5) }

// Attendance shows the attendance statistics per province (GET
// /meetings/attendance?from=&to=&series=; Thai dates accepted; this
// fiscal year by default) for the provinces the reader may see: meetings
// held, attended, attended by the governor or a vice governor, and the
// rates with bars; ?format=csv|xlsx downloads the same rows.
func (w *Pages) Attendance(c *fiber.Ctx) error {
	format, err := export.ParseFormat(c.Query("format"))
	if err != nil {
		return w.fail(c, err)
	}
	ctx, p, l := c.UserContext(), principal(c), w.localizer(c)
	data := attendancePage{From: strings.TrimSpace(c.Query("from")), To: strings.TrimSpace(c.Query("to")), Series: strings.TrimSpace(c.Query("series"))}
	if data.From == "" && data.To == "" {
		today := thaidate.FromTime(w.now().In(bangkok))
		start := thaidate.Date{Year: today.Year, Month: 10, Day: 1}
		if today.Month < 10 {
			start.Year--
		}
		data.From, data.To = l.InputDate(start.String()), l.InputDate(today.String())
	}
	series, err := w.d.Meetings.ListSeries(ctx, p)
	if err != nil {
		return w.fail(c, err)
	}
	data.SeriesList = series.Items
	stats, err := w.d.Meetings.AttendanceStats(ctx, p, meetings.StatsFilter{From: thaidate.NormalizeDigits(data.From), To: thaidate.NormalizeDigits(data.To), Series: data.Series})
	if err != nil {
		if errs, ok := fieldErrors(l, err, ""); ok {
			return w.renderForm(c, fiber.StatusUnprocessableEntity, "attendance", "nav_attendance", data, errs)
		}
		return w.fail(c, err)
	}
	if format != "" {
		return download.Export(c, format, meetings.AttendanceTable(stats, "tidtam-attendance", l.EN()), w.d.Logger, c.GetRespHeader(fiber.HeaderXRequestID))
	}
	data.Stats = stats
	for _, s := range stats.Items {
		data.Held += s.Held
		data.Attended += s.Attended
		data.ByHead += s.AttendedByHead
	}
	return w.render(c, fiber.StatusOK, "attendance", "nav_attendance", data)
}

// Score renders a score (at most two decimals, trailing zeros dropped:
// 18.5, 3) in the reader's digits.
func (l Localizer) Score(f float64) string {
	return l.digits(strconv.FormatFloat(float64(int64(f*100+0.5))/100, 'f', -1, 64))
}

// Counts reports whether entry id is the verified entry that counts for
// criterion c.
func (kpiProvincePage) Counts(c kpi.CriterionBreakdown, id int64) bool {
	return c.Counted != nil && *c.Counted == id
}

// InputDate renders an ISO civil date for a form field in a form every
// date field reads back in either language: day/month/Buddhist-era year
// ("1/6/2567"), in the reader's digits; other strings come back as they
// are.
func (l Localizer) InputDate(iso string) string {
	d, err := thaidate.ParseISO(iso)
	if err != nil {
		return iso
	}
	return l.digits(fmt.Sprintf("%d/%d/%d", d.Day, int(d.Month), d.Year+543))
}
