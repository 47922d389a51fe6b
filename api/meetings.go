package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/tidtam/tidtam/internal/download"
	"github.com/tidtam/tidtam/internal/export"
	"github.com/tidtam/tidtam/internal/meetings"
	"github.com/tidtam/tidtam/workflows"
)

// The meeting handlers bind the request into the input types of package
// internal/meetings, call Deps.Meetings, which decides who may do what,
// and render its answer. Rules and errors are documented on
// meetings.Service.

// createMeetingSeries answers POST /meeting-series (201).
func createMeetingSeries(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var in meetings.SeriesInput
		if err := decodeJSON(c, &in); err != nil {
			return err
		}
		out, err := d.Meetings.CreateSeries(c.UserContext(), principal(c), in)
		if err != nil {
			return err
		}
		return c.Status(fiber.StatusCreated).JSON(out)
	}
}

// listMeetingSeries answers GET /meeting-series.
func listMeetingSeries(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		out, err := d.Meetings.ListSeries(c.UserContext(), principal(c))
		if err != nil {
			return err
		}
		return c.JSON(out)
	}
}

// addExtraMeeting answers POST /meeting-series/{id}/meetings (201).
func addExtraMeeting(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var in meetings.TimeInput
		if err := decodeJSON(c, &in); err != nil {
			return err
		}
		ref, err := d.Meetings.AddMeeting(c.UserContext(), principal(c), c.Params("id"), in)
		if err != nil {
			return err
		}
		return c.Status(fiber.StatusCreated).JSON(ref)
	}
}

// listMeetings answers GET /meetings?from=&to=&series=.
func listMeetings(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		out, err := d.Meetings.ListMeetings(c.UserContext(), principal(c),
			meetings.MeetingFilter{From: c.Query("from"), To: c.Query("to"), Series: c.Query("series")})
		if err != nil {
			return err
		}
		return c.JSON(out)
	}
}

// getMeeting answers GET /meetings/{id}.
func getMeeting(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		m, err := d.Meetings.Meeting(c.UserContext(), principal(c), c.Params("id"))
		if err != nil {
			return err
		}
		return c.JSON(m)
	}
}

// meetingChange answers a change to meeting {id}: it binds body R, calls
// do (the service) and renders the meeting's new state.
func meetingChange[R any](do func(c *fiber.Ctx, id string, in R) (workflows.MeetingState, error)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var in R
		if err := decodeJSON(c, &in); err != nil {
			return err
		}
		st, err := do(c, c.Params("id"), in)
		if err != nil {
			return err
		}
		return c.JSON(st)
	}
}

// meetingRSVP answers POST /meetings/{id}/rsvp.
func meetingRSVP(d *Deps) fiber.Handler {
	return meetingChange(func(c *fiber.Ctx, id string, in meetings.RSVPInput) (workflows.MeetingState, error) {
		return d.Meetings.RSVP(c.UserContext(), principal(c), id, in)
	})
}

// meetingAttendance answers POST /meetings/{id}/attendance.
func meetingAttendance(d *Deps) fiber.Handler {
	return meetingChange(func(c *fiber.Ctx, id string, in meetings.AttendanceInput) (workflows.MeetingState, error) {
		return d.Meetings.RecordAttendance(c.UserContext(), principal(c), id, in)
	})
}

// meetingMinutes answers PUT /meetings/{id}/minutes.
func meetingMinutes(d *Deps) fiber.Handler {
	return meetingChange(func(c *fiber.Ctx, id string, in meetings.MinutesInput) (workflows.MeetingState, error) {
		return d.Meetings.PublishMinutes(c.UserContext(), principal(c), id, in)
	})
}

// rescheduleMeeting answers POST /meetings/{id}/reschedule.
func rescheduleMeeting(d *Deps) fiber.Handler {
	return meetingChange(func(c *fiber.Ctx, id string, in meetings.TimeInput) (workflows.MeetingState, error) {
		return d.Meetings.Reschedule(c.UserContext(), principal(c), id, in)
	})
}

// cancelMeeting answers POST /meetings/{id}/cancel.
func cancelMeeting(d *Deps) fiber.Handler {
	return meetingChange(func(c *fiber.Ctx, id string, in meetings.CancelInput) (workflows.MeetingState, error) {
		return d.Meetings.Cancel(c.UserContext(), principal(c), id, in)
	})
}

// addAgendaItem answers POST /meetings/{id}/agenda.
func addAgendaItem(d *Deps) fiber.Handler {
	return meetingChange(func(c *fiber.Ctx, id string, in meetings.AgendaItemInput) (workflows.MeetingState, error) {
		return d.Meetings.AddAgendaItem(c.UserContext(), principal(c), id, in)
	})
}

// attendanceStats answers GET
// /meetings/attendance-stats?from=&to=&series=[&format=csv|xlsx&lang=en]:
// JSON, or the same rows as a spreadsheet download.
func attendanceStats(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		format, err := export.ParseFormat(c.Query("format"))
		if err != nil {
			return err
		}
		out, err := d.Meetings.AttendanceStats(c.UserContext(), principal(c),
			meetings.StatsFilter{From: c.Query("from"), To: c.Query("to"), Series: c.Query("series")})
		if err != nil {
			return err
		}
		if format == "" {
			return c.JSON(out)
		}
		return download.Export(c, format, meetings.AttendanceTable(out, "tidtam-attendance", c.Query("lang") == "en"), d.Logger, requestID(c))
	}
}
