package workflows

import (
	"slices"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/tidtam/tidtam/activities"
	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/internal/workdays"
)

// clock turns spans and civil dates into instants with the working-day
// calendar a workflow carries. It is deterministic: the holiday list comes
// from the workflow input or from LoadHolidays results recorded in history.
type clock struct {
	cal      *workdays.Calendar
	holidays []string
	years    []int // years the calendar is known to cover
}

// newClock builds a clock from a holiday list; the covered years are those
// that appear in the list, plus extra (carried from an earlier run).
func newClock(holidays []string, extra []int) (*clock, error) {
	cal, err := workdays.ParseHolidays(holidays)
	if err != nil {
		return nil, err
	}
	c := &clock{cal: cal, holidays: slices.Clone(holidays)}
	for _, d := range cal.Holidays() {
		c.addYear(d.Year)
	}
	for _, y := range extra {
		c.addYear(y)
	}
	return c, nil
}

func (c *clock) addYear(y int) {
	if i, found := slices.BinarySearch(c.years, y); !found {
		c.years = slices.Insert(c.years, i, y)
	}
}

func (c *clock) covers(y int) bool {
	_, found := slices.BinarySearch(c.years, y)
	return found
}

// ensure makes sure the calendar covers every year in years, asking
// LoadHolidays for the missing ones. A year for which the table has no
// holiday either is still marked covered (weekends only) so it is not asked
// for again; a later run may learn more after continue-as-new.
func (c *clock) ensure(ctx workflow.Context, years ...int) error {
	var missing []int
	for _, y := range years {
		if !c.covers(y) && !slices.Contains(missing, y) {
			missing = append(missing, y)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	slices.Sort(missing)
	var a *activities.Activities
	var res activities.LoadHolidaysResult
	if err := workflow.ExecuteLocalActivity(localDBCtx(ctx), a.LoadHolidays, activities.LoadHolidaysInput{Years: missing}).Get(ctx, &res); err != nil {
		return err
	}
	merged := slices.Clone(c.holidays)
	for _, h := range res.Holidays {
		if !slices.Contains(merged, h) {
			merged = append(merged, h)
		}
	}
	slices.Sort(merged)
	cal, err := workdays.ParseHolidays(merged)
	if err != nil {
		return err
	}
	c.cal, c.holidays = cal, merged
	for _, y := range missing {
		c.addYear(y)
	}
	return nil
}

// deadlineAfter is the instant a span ends when counted from ref: ref +
// Duration, or DeadlineHour:DeadlineMinute Bangkok on the WorkingDays-th
// working day after ref's day (on or after it for 0).
func (c *clock) deadlineAfter(ref time.Time, s Span) time.Time {
	if s.Duration != 0 {
		return ref.Add(s.Duration)
	}
	return c.cal.AddWorkingDays(thaidate.FromTime(ref), s.WorkingDays).At(DeadlineHour, DeadlineMinute)
}

// dueOn is the deadline instant of a civil date: DeadlineHour:DeadlineMinute
// of the date, moved to the next working day when it is not one.
func (c *clock) dueOn(d thaidate.Date) time.Time {
	return c.cal.OnOrAfter(d).At(DeadlineHour, DeadlineMinute)
}

// noticeBefore is when a reminder span before due fires: due - Duration,
// or NoticeHour:00 on the WorkingDays-th working day before due's day.
func (c *clock) noticeBefore(due time.Time, s Span) time.Time {
	if s.Duration != 0 {
		return due.Add(-s.Duration)
	}
	return c.cal.AddWorkingDays(thaidate.FromTime(due), -s.WorkingDays).At(NoticeHour, 0)
}

// noticeAfter is when an escalation span after due fires: due itself for
// a zero span, due + Duration, or NoticeHour:00 on the WorkingDays-th
// working day after due's day.
func (c *clock) noticeAfter(due time.Time, s Span) time.Time {
	switch {
	case s.IsZero():
		return due
	case s.Duration != 0:
		return due.Add(s.Duration)
	}
	return c.cal.AddWorkingDays(thaidate.FromTime(due), s.WorkingDays).At(NoticeHour, 0)
}

// monthlyDue is the due of a recurring item's cycle for a month: the n-th
// working day of the month, or its last working day when the month has
// fewer than n.
func (c *clock) monthlyDue(year int, month time.Month, n int) time.Time {
	d := c.cal.NthWorkingDayOfMonth(year, month, n)
	if d.IsZero() {
		first := thaidate.Date{Year: year, Month: month, Day: 1}
		d = c.cal.AddWorkingDays(first.AddDays(monthDays(year, month)), -1)
	}
	return d.At(DeadlineHour, DeadlineMinute)
}

func monthDays(year int, month time.Month) int {
	return time.Date(year, month+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// monthStart is 00:00 Bangkok on the first day of the month.
func monthStart(year int, month time.Month) time.Time {
	return time.Date(year, month, 1, 0, 0, 0, 0, thaidate.Bangkok)
}

// resolve turns a Deadline into an instant, relative to now for Within.
func (c *clock) resolve(now time.Time, d Deadline) time.Time {
	switch {
	case d.At != nil:
		return *d.At
	case d.Date != nil:
		return c.dueOn(*d.Date)
	case d.Within != nil:
		return c.deadlineAfter(now, *d.Within)
	}
	return time.Time{}
}

// deadlineYears lists the years a Deadline needs the calendar for.
func deadlineYears(now time.Time, d Deadline) []int {
	y := thaidate.FromTime(now).Year
	switch {
	case d.Date != nil:
		return []int{d.Date.Year, d.Date.Year + 1}
	case d.Within != nil && d.Within.WorkingDays > 0:
		return []int{y, y + 1 + d.Within.WorkingDays/200}
	}
	return nil
}
