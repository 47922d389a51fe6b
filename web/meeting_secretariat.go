package web

import (
	"encoding/json"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tidtam/tidtam/internal/admin"
	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/formbody"
	"github.com/tidtam/tidtam/internal/listing"
	"github.com/tidtam/tidtam/internal/meetings"
	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
)

// participantRow is one participant unit of a meeting as the secretariat
// sees it: its RSVP and its recorded attendance, and the attendee the
// attendance form starts from (the recorded one, else the first RSVP'd).
type participantRow struct {
	Code, Name string
	RSVP       *meetings.RSVPView
	Answered   []workflows.Attendee
	Attendance *meetings.AttendanceView
	Attended   []workflows.Attendee
	Present    bool
	First      workflows.Attendee
}

// participants builds the secretariat's rows of meeting d, by unit code,
// with the units' names from the unit list. When the request is the
// attendance form being shown again with an error, the rows keep what the
// secretariat had ticked and typed.
func (w *Pages) participants(c *fiber.Ctx, d meetings.MeetingDetail) ([]participantRow, error) {
	refilling := c.Method() == fiber.MethodPost && strings.HasSuffix(c.Path(), "/attendance")
	var codes []string
	_ = json.Unmarshal(d.Meeting.Participants, &codes)
	units, err := w.d.Admin.ListUnits(c.UserContext(), principal(c), admin.UnitFilter{Type: models.UnitProvince, Window: listing.Window{Limit: 1000}})
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, u := range units.Items {
		names[u.Code] = u.DisplayNameTH
	}
	rows := make([]participantRow, 0, len(codes))
	for _, code := range codes {
		r := participantRow{Code: code, Name: names[code]}
		if r.Name == "" {
			r.Name = code
		}
		for i := range d.RSVPs {
			if d.RSVPs[i].UnitCode == code {
				r.RSVP = &d.RSVPs[i]
				_ = json.Unmarshal(r.RSVP.Attendees, &r.Answered)
			}
		}
		for i := range d.Attendance {
			if d.Attendance[i].UnitCode == code {
				r.Attendance = &d.Attendance[i]
				_ = json.Unmarshal(r.Attendance.Attendees, &r.Attended)
				r.Present = r.Attendance.Present
			}
		}
		switch {
		case len(r.Attended) > 0:
			r.First = r.Attended[0]
		case len(r.Answered) > 0:
			r.First = r.Answered[0]
		}
		if refilling {
			r.Present = formbody.Value(c, "present_"+code) == "on"
			r.First = workflows.Attendee{Name: strings.TrimSpace(formbody.Value(c, "name_"+code)), Role: formbody.Value(c, "role_"+code)}
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// RecordAttendance records who attended (POST /meetings/:id/attendance):
// for each participant unit code, present_<code> (checkbox) with
// name_<code> and role_<code>; a unit left unticked is absent.
func (w *Pages) RecordAttendance(c *fiber.Ctx) error {
	p := principal(c)
	l := w.localizer(c)
	d, err := w.d.Meetings.Meeting(c.UserContext(), p, param(c, "id"))
	if err != nil {
		return w.fail(c, err)
	}
	var codes []string
	_ = json.Unmarshal(d.Meeting.Participants, &codes)
	in := meetings.AttendanceInput{}
	for _, code := range codes {
		u := workflows.UnitAttendanceInput{UnitCode: code, Attendees: []workflows.Attendee{}}
		if formbody.Value(c, "present_"+code) == "on" {
			a := workflows.Attendee{Name: strings.TrimSpace(formbody.Value(c, "name_"+code)), Role: formbody.Value(c, "role_"+code)}
			if a.Name == "" {
				return w.showMeeting(c, fiber.StatusUnprocessableEntity, nil, map[string]string{
					"attendance": l.Tf("attendance_need_name", w.unitName(c, code)), "name_" + code: l.T("attendance_name_required")})
			}
			if a.Role == models.AttendeeOther {
				a.Reason = l.T("att_other")
			}
			u.Attendees = append(u.Attendees, a)
		}
		in.Units = append(in.Units, u)
	}
	if _, err := w.d.Meetings.RecordAttendance(c.UserContext(), p, param(c, "id"), in); err != nil {
		if e := apperr.As(err); e != nil && (e.Code == apperr.Invalid || e.Code == apperr.Conflict) {
			return w.showMeeting(c, e.Code.HTTPStatus(), nil, map[string]string{"attendance": messageIn(l, e.Message)})
		}
		return w.fail(c, err)
	}
	return c.Redirect("/meetings/"+c.Params("id")+"?done=attendance", fiber.StatusSeeOther)
}

// PublishMinutes publishes a new version of the minutes (POST
// /meetings/:id/minutes with text).
func (w *Pages) PublishMinutes(c *fiber.Ctx) error {
	l := w.localizer(c)
	if _, err := w.d.Meetings.PublishMinutes(c.UserContext(), principal(c), param(c, "id"),
		meetings.MinutesInput{Text: formbody.Value(c, "text")}); err != nil {
		if e := apperr.As(err); e != nil && (e.Code == apperr.Invalid || e.Code == apperr.Conflict) {
			return w.showMeeting(c, e.Code.HTTPStatus(), nil, map[string]string{"minutes": messageIn(l, e.Message)})
		}
		return w.fail(c, err)
	}
	return c.Redirect("/meetings/"+c.Params("id")+"?done=minutes", fiber.StatusSeeOther)
}

// PrintMeeting is the printable minutes and attendance list of a meeting
// in the form of Thai official minutes (GET /meetings/:id/print): title
// with the meeting's number, date in the Buddhist era, those present and
// absent, the numbered agenda and the latest minutes.
func (w *Pages) PrintMeeting(c *fiber.Ctx) error {
	p := principal(c)
	d, err := w.d.Meetings.Meeting(c.UserContext(), p, param(c, "id"))
	if err != nil {
		return w.fail(c, err)
	}
	rows, err := w.participants(c, d)
	if err != nil {
		return w.fail(c, err)
	}
	return w.render(c, fiber.StatusOK, "meeting_print", "minutes_title", meetingPage{MeetingDetail: d, Participants: rows})
}

// unitName is the display name of unit code in the reader's language, or
// the code itself when the unit cannot be read.
func (w *Pages) unitName(c *fiber.Ctx, code string) string {
	u, err := w.d.Admin.Unit(c.UserContext(), principal(c), code)
	if err != nil {
		return code
	}
	if w.localizer(c).EN() && u.NameEN != "" {
		return u.NameEN
	}
	return u.DisplayNameTH
}
