package web

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/formbody"
	"github.com/tidtam/tidtam/internal/meetings"
	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
)

// rsvpRows is how many attendee rows the RSVP form offers.
const rsvpRows = 4

// attendeeRoles are the roles an RSVP may name, in form order.
var attendeeRoles = []string{models.AttendeeGovernor, models.AttendeeViceGovernor, models.AttendeePalad, models.AttendeeOther}

// meetingsPage is the data of the meetings list.
type meetingsPage struct {
	Items []meetings.MeetingView
	Feed  *meetings.FeedToken
}

// Agenda decodes a meeting's stored agenda.
func (meetingsPage) Agenda(m meetings.MeetingView) []workflows.AgendaItem { return agendaOf(m) }

func agendaOf(m meetings.MeetingView) []workflows.AgendaItem {
	var items []workflows.AgendaItem
	_ = json.Unmarshal(m.Agenda, &items)
	return items
}

// Meetings lists the meetings from today on (GET /meetings) with their
// agenda and link, and the unit's calendar subscription.
func (w *Pages) Meetings(c *fiber.Ctx) error {
	today := thaidate.FromTime(w.now().In(bangkok)).String()
	page, err := w.d.Meetings.ListMeetings(c.UserContext(), principal(c), meetings.MeetingFilter{From: today})
	if err != nil {
		return w.fail(c, err)
	}
	return w.render(c, fiber.StatusOK, "meetings", "nav_meetings", meetingsPage{Items: page.Items})
}

// FeedLink issues a new calendar subscription link for the reader's unit
// (POST /meetings/feed) and shows it once, with a copy button; the old
// link stops working.
func (w *Pages) FeedLink(c *fiber.Ctx) error {
	p := principal(c)
	tok, err := w.d.Meetings.IssueFeedToken(c.UserContext(), p, p.UnitCode)
	if err != nil {
		return w.fail(c, err)
	}
	tok.URL = c.BaseURL() + tok.URL
	today := thaidate.FromTime(w.now().In(bangkok)).String()
	page, err := w.d.Meetings.ListMeetings(c.UserContext(), p, meetings.MeetingFilter{From: today})
	if err != nil {
		return w.fail(c, err)
	}
	return w.render(c, fiber.StatusOK, "meetings", "nav_meetings", meetingsPage{Items: page.Items, Feed: &tok})
}

// meetingPage is the data of one meeting's page.
type meetingPage struct {
	meetings.MeetingDetail
	// Secretary is set for the secretariat and admins, who see every
	// participant's RSVP and attendance and edit the minutes.
	Secretary    bool
	Participants []participantRow
	Mine         *meetings.RSVPView
	CanRSVP      bool
	Roles        []string
	Rows         []workflows.Attendee
	Declined     bool
	Reason       string
	Done         string
}

// LatestMinutes is the newest published version of the minutes, or nil.
func (m meetingPage) LatestMinutes() *meetings.MinutesView {
	if len(m.Minutes) == 0 {
		return nil
	}
	return &m.Minutes[len(m.Minutes)-1]
}

// Agenda decodes the meeting's stored agenda.
func (m meetingPage) Agenda() []workflows.AgendaItem { return agendaOf(m.Meeting) }

// Meeting shows one meeting (GET /meetings/:id): time, link, agenda, the
// unit's RSVP and, before the start, the RSVP form.
func (w *Pages) Meeting(c *fiber.Ctx) error {
	return w.showMeeting(c, fiber.StatusOK, nil, nil)
}

func (w *Pages) showMeeting(c *fiber.Ctx, status int, form *meetingPage, errs map[string]string) error {
	p := principal(c)
	d, err := w.d.Meetings.Meeting(c.UserContext(), p, param(c, "id"))
	if err != nil {
		return w.fail(c, err)
	}
	data := meetingPage{MeetingDetail: d, Roles: attendeeRoles, Done: c.Query("done")}
	for i := range d.RSVPs {
		if d.RSVPs[i].UnitCode == p.UnitCode {
			data.Mine = &d.RSVPs[i]
		}
	}
	data.CanRSVP = p.HasRole(models.RoleProvince, models.RoleDistrict) && p.UnitCode != "" &&
		d.Meeting.Status == models.MeetingScheduled && w.now().Before(d.Meeting.StartsAt)
	if p.HasRole(models.RoleSecretariat, models.RoleAdmin) {
		data.Secretary = true
		if data.Participants, err = w.participants(c, d); err != nil {
			return w.fail(c, err)
		}
	}
	switch {
	case form != nil:
		data.Rows, data.Declined, data.Reason = form.Rows, form.Declined, form.Reason
	case data.Mine != nil:
		_ = json.Unmarshal(data.Mine.Attendees, &data.Rows)
		data.Declined, data.Reason = data.Mine.Declined, data.Mine.Reason
	}
	for len(data.Rows) < rsvpRows {
		data.Rows = append(data.Rows, workflows.Attendee{})
	}
	return w.renderForm(c, status, "meeting", "nav_meetings", data, errs)
}

// RSVP records the unit's answer (POST /meetings/:id/rsvp): who attends
// (rows role_i, name_i, reason_i), or declined with a reason.
func (w *Pages) RSVP(c *fiber.Ctx) error {
	l := w.localizer(c)
	form := meetingPage{Declined: formbody.Value(c, "declined") == "on", Reason: strings.TrimSpace(formbody.Value(c, "reason"))}
	in := meetings.RSVPInput{Declined: form.Declined, Reason: form.Reason}
	for i := range rsvpRows {
		a := workflows.Attendee{Name: strings.TrimSpace(formbody.Value(c, "name_"+strconv.Itoa(i))),
			Role: formbody.Value(c, "role_"+strconv.Itoa(i)), Reason: strings.TrimSpace(formbody.Value(c, "reason_"+strconv.Itoa(i)))}
		form.Rows = append(form.Rows, a)
		if a.Name != "" && !in.Declined {
			in.Attendees = append(in.Attendees, a)
		}
	}
	if !in.Declined && len(in.Attendees) == 0 {
		return w.showMeeting(c, fiber.StatusUnprocessableEntity, &form, map[string]string{"attendees": l.T("rsvp_need_one")})
	}
	if _, err := w.d.Meetings.RSVP(c.UserContext(), principal(c), param(c, "id"), in); err != nil {
		if e := apperr.As(err); e != nil && (e.Code == apperr.Invalid || e.Code == apperr.Conflict) {
			field := e.Field
			if field == "" || strings.HasPrefix(field, "attendees") {
				field = "attendees"
			}
			return w.showMeeting(c, e.Code.HTTPStatus(), &form, map[string]string{field: messageIn(l, e.Message)})
		}
		return w.fail(c, err)
	}
	return c.Redirect("/meetings/"+c.Params("id")+"?done=rsvp", fiber.StatusSeeOther)
}
