// Package workdays is the Thai government working-day calendar: Monday to
// Friday, minus the public holidays it is given. Temporal workflow code
// calls it to compute deadlines, so it is pure and deterministic: no I/O, no
// clock, no goroutines, and results depend only on the holiday list.
// Workflows should record that list (Calendar.Holidays) in their input so a
// replay computes the same dates even after the holiday table changes.
package workdays

import (
	"fmt"
	"slices"
	"time"

	"github.com/tidtam/tidtam/internal/thaidate"
)

// Calendar answers working-day questions for one fixed holiday list. It is
// immutable after New, so it may be shared. A nil *Calendar is valid and
// means "weekends only, no holidays".
type Calendar struct {
	// holidays holds every holiday as a day number, sorted and unique,
	// including those that fall on a weekend (Holidays reports them).
	holidays []int64
	// weekdayHolidays is the subset falling Monday–Friday: only these
	// remove a working day, so counting uses this list.
	weekdayHolidays []int64
}

// New returns a calendar whose non-working days are Saturdays, Sundays and
// the given holidays. The slice is copied, sorted and deduplicated; a date
// outside its month's range (e.g. 31 February) is normalized the way
// thaidate.Date.AddDays does. Use ParseHolidays for untrusted input.
func New(holidays []thaidate.Date) *Calendar {
	days := make([]int64, len(holidays))
	for i, h := range holidays {
		days[i] = dayNumber(h)
	}
	slices.Sort(days)
	days = slices.Compact(days)
	c := &Calendar{holidays: days}
	for _, d := range days {
		if !isWeekend(d) {
			c.weekdayHolidays = append(c.weekdayHolidays, d)
		}
	}
	return c
}

// ParseHolidays builds a calendar from ISO dates as carried in workflow
// inputs ("2025-04-14"; a Buddhist Era year such as "2568-04-14" is also
// read, see thaidate.ParseISO). It fails on the first invalid entry and
// names its position.
func ParseHolidays(isoDates []string) (*Calendar, error) {
	dates := make([]thaidate.Date, len(isoDates))
	for i, s := range isoDates {
		d, err := thaidate.ParseISO(s)
		if err != nil {
			return nil, fmt.Errorf("วันหยุดรายการที่ %d ไม่ถูกต้อง (holiday #%d is invalid): %w", i+1, i+1, err)
		}
		dates[i] = d
	}
	return New(dates), nil
}

// Holidays returns a new slice with every holiday of the calendar in
// ascending order, weekend ones included; it is never nil, so it encodes
// as [] rather than null. Pass it to New to rebuild an identical calendar.
func (c *Calendar) Holidays() []thaidate.Date {
	if c == nil {
		return []thaidate.Date{}
	}
	return toDates(c.holidays)
}

// HolidaysBetween returns the holidays from from to to, both inclusive, in
// ascending order (weekend ones included); it is empty, never nil, when
// to is before from.
func (c *Calendar) HolidaysBetween(from, to thaidate.Date) []thaidate.Date {
	if c == nil {
		return []thaidate.Date{}
	}
	lo, hi := dayNumber(from), dayNumber(to)
	if hi < lo {
		return []thaidate.Date{}
	}
	return toDates(c.holidays[countUpTo(c.holidays, lo-1):countUpTo(c.holidays, hi)])
}

// IsWorkingDay reports whether d is Monday–Friday and not a holiday.
func (c *Calendar) IsWorkingDay(d thaidate.Date) bool {
	return c.isWorking(dayNumber(d))
}

// NextWorkingDay returns the first working day strictly after d.
func (c *Calendar) NextWorkingDay(d thaidate.Date) thaidate.Date {
	return c.AddWorkingDays(d, 1)
}

// OnOrAfter returns d when it is a working day, otherwise the next one,
// e.g. a deadline that lands on a holiday moves to the next working day.
func (c *Calendar) OnOrAfter(d thaidate.Date) thaidate.Date {
	if c.IsWorkingDay(d) {
		return normalize(d)
	}
	return c.NextWorkingDay(d)
}

// AddWorkingDays counts n working days from d, not counting d itself:
//   - n > 0: the n-th working day after d, so Friday + 1 is the next
//     Monday (if it is not a holiday), whether or not d is a working day;
//   - n == 0: OnOrAfter(d);
//   - n < 0: the |n|-th working day before d.
//
// The result is always a working day.
func (c *Calendar) AddWorkingDays(d thaidate.Date, n int) thaidate.Date {
	start := dayNumber(d)
	switch {
	case n == 0:
		return c.OnOrAfter(d)
	case n > 0:
		want := int64(n)
		// The smallest offset k with want working days in (start, start+1+k];
		// the count only grows at working days, so that day is one.
		k := searchOffset(c.searchSpan(want), func(k int64) bool {
			return c.workingBetween(start, start+1+k) >= want
		})
		return fromDayNumber(start + 1 + k)
	default:
		want := -int64(n)
		// The smallest offset k with want working days in
		// [start-1-k, start-1], i.e. the want-th working day going back.
		k := searchOffset(c.searchSpan(want), func(k int64) bool {
			return c.workingBetween(start-2-k, start-1) >= want
		})
		return fromDayNumber(start - 1 - k)
	}
}

// WorkingDaysBetween returns the number of working days in (from, to]:
// from itself is not counted, to is. When to is before from the result is
// the negated count for (to, from], so WorkingDaysBetween(a, b) ==
// -WorkingDaysBetween(b, a). For n > 0,
// WorkingDaysBetween(d, AddWorkingDays(d, n)) == n.
func (c *Calendar) WorkingDaysBetween(from, to thaidate.Date) int {
	a, b := dayNumber(from), dayNumber(to)
	if b < a {
		return -int(c.workingBetween(b, a))
	}
	return int(c.workingBetween(a, b))
}

// NthWorkingDayOfMonth returns the n-th working day (n ≥ 1) of month in
// year, e.g. n = 5 for "by the 5th working day of each month". It returns
// the zero Date when n < 1 or the month has fewer than n working days, so
// callers must check IsZero rather than get a date in another month.
func (c *Calendar) NthWorkingDayOfMonth(year int, month time.Month, n int) thaidate.Date {
	if n < 1 {
		return thaidate.Date{}
	}
	first := normalize(thaidate.Date{Year: year, Month: month, Day: 1})
	got := c.AddWorkingDays(first.AddDays(-1), n)
	if got.Year != first.Year || got.Month != first.Month {
		return thaidate.Date{}
	}
	return got
}

func (c *Calendar) isWorking(day int64) bool {
	if isWeekend(day) {
		return false
	}
	if c == nil {
		return true
	}
	_, holiday := slices.BinarySearch(c.weekdayHolidays, day)
	return !holiday
}

// workingBetween counts working days in (a, b] for a ≤ b in O(log holidays).
func (c *Calendar) workingBetween(a, b int64) int64 {
	n := weekdaysBetween(a, b)
	if c != nil {
		n -= int64(countUpTo(c.weekdayHolidays, b) - countUpTo(c.weekdayHolidays, a))
	}
	return n
}

// searchSpan bounds how many calendar days can hold want working days:
// 7k consecutive days contain 5k weekdays, of which at most H are
// holidays, so k = (want+H)/5 + 1 weeks always suffice.
func (c *Calendar) searchSpan(want int64) int64 {
	var h int64
	if c != nil {
		h = int64(len(c.weekdayHolidays))
	}
	return 7 * ((want+h)/5 + 1)
}

// searchOffset returns the smallest k in [0, span) for which the monotone
// predicate ok holds (span if none does).
func searchOffset(span int64, ok func(k int64) bool) int64 {
	lo, hi := int64(0), span
	for lo < hi {
		mid := lo + (hi-lo)/2
		if ok(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// Day numbers count days since 1970-01-01 (a Thursday), so differences and
// weekdays are plain integer arithmetic.
const (
	secondsPerDay   = 24 * 60 * 60
	epochWeekday    = int64(time.Thursday)
	daysPerWeek     = 7
	weekdaysPerWeek = 5
)

func dayNumber(d thaidate.Date) int64 {
	// Midnight UTC is an exact multiple of a day, so the division is exact
	// for dates before 1970 too.
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Unix() / secondsPerDay
}

func fromDayNumber(n int64) thaidate.Date {
	y, m, d := time.Unix(n*secondsPerDay, 0).UTC().Date()
	return thaidate.Date{Year: y, Month: m, Day: d}
}

func normalize(d thaidate.Date) thaidate.Date { return fromDayNumber(dayNumber(d)) }

func weekday(n int64) time.Weekday {
	return time.Weekday(((n % daysPerWeek) + daysPerWeek + epochWeekday) % daysPerWeek)
}

func isWeekend(n int64) bool {
	w := weekday(n)
	return w == time.Saturday || w == time.Sunday
}

// weekdaysBetween counts Mondays–Fridays in (a, b] for a ≤ b.
func weekdaysBetween(a, b int64) int64 {
	weeks := (b - a) / daysPerWeek
	n := weeks * weekdaysPerWeek
	for d := a + weeks*daysPerWeek + 1; d <= b; d++ { // at most 6 leftover days
		if !isWeekend(d) {
			n++
		}
	}
	return n
}

// countUpTo returns how many elements of the sorted slice s are ≤ x.
func countUpTo(s []int64, x int64) int {
	i, found := slices.BinarySearch(s, x)
	if found {
		i++ // s is unique, so x occurs once
	}
	return i
}

func toDates(days []int64) []thaidate.Date {
	out := make([]thaidate.Date, len(days))
	for i, d := range days {
		out[i] = fromDayNumber(d)
	}
	return out
}
