package web

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tidtam/tidtam/internal/meetings"
)

// calendarDay is one cell of a month calendar: its day of the month (0
// for the padding before the 1st and after the last day) and the meetings
// starting on it.
type calendarDay struct {
	Day      int
	Today    bool
	Meetings []meetings.MeetingView
}

// calendarPage is the data of the meetings calendar: one month, weeks from
// Monday, with the links to the months before and after.
type calendarPage struct {
	Year       int // Christian era
	Month      time.Month
	Weeks      [][]calendarDay
	Prev, Next string // ?month=YYYY-MM
}

// Calendar is the month calendar of the meetings the reader may see (GET
// /meetings/calendar?month=2026-12; this month by default), each linking
// to its page.
func (w *Pages) Calendar(c *fiber.Ctx) error {
	now := w.now().In(bangkok)
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, bangkok)
	if m, err := time.ParseInLocation("2006-01", c.Query("month"), bangkok); err == nil && m.Year() > 1900 && m.Year() < 2300 {
		first = m
	}
	last := first.AddDate(0, 1, -1)
	page, err := w.d.Meetings.ListMeetings(c.UserContext(), principal(c),
		meetings.MeetingFilter{From: first.Format("2006-01-02"), To: last.Format("2006-01-02")})
	if err != nil {
		return w.fail(c, err)
	}
	byDay := map[int][]meetings.MeetingView{}
	for _, m := range page.Items {
		d := m.StartsAt.In(bangkok).Day()
		byDay[d] = append(byDay[d], m)
	}
	data := calendarPage{Year: first.Year(), Month: first.Month(),
		Prev: first.AddDate(0, -1, 0).Format("2006-01"), Next: first.AddDate(0, 1, 0).Format("2006-01")}
	lead := (int(first.Weekday()) + 6) % 7 // days before the 1st in a week from Monday
	week := make([]calendarDay, lead, 7)
	for d := 1; d <= last.Day(); d++ {
		week = append(week, calendarDay{Day: d, Meetings: byDay[d],
			Today: first.Year() == now.Year() && first.Month() == now.Month() && d == now.Day()})
		if len(week) == 7 {
			data.Weeks = append(data.Weeks, week)
			week = make([]calendarDay, 0, 7)
		}
	}
	if len(week) > 0 {
		for len(week) < 7 {
			week = append(week, calendarDay{})
		}
		data.Weeks = append(data.Weeks, week)
	}
	return w.render(c, fiber.StatusOK, "calendar", "calendar_title", data)
}
