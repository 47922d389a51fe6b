package workdays

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tidtam/tidtam/internal/refdata"
	"github.com/tidtam/tidtam/internal/thaidate"
)

func date(y int, m time.Month, d int) thaidate.Date {
	return thaidate.Date{Year: y, Month: m, Day: d}
}

// thaiCalendar builds the calendar from the shipped government holidays
// (refdata), so the facts below are checked against real data.
func thaiCalendar(t testing.TB) (*Calendar, map[thaidate.Date]string) {
	t.Helper()
	var iso []string
	names := map[thaidate.Date]string{}
	for _, h := range refdata.Holidays() {
		iso = append(iso, h.Date)
		d, err := thaidate.ParseISO(h.Date)
		if err != nil {
			t.Fatalf("holidays.csv: %v", err)
		}
		names[d] = h.NameEN
	}
	cal, err := ParseHolidays(iso)
	if err != nil {
		t.Fatal(err)
	}
	return cal, names
}

// TestHolidayFileFacts checks that the entries the hand-computed tests below
// rely on are in the file, so a changed file fails loudly here first.
func TestHolidayFileFacts(t *testing.T) {
	_, names := thaiCalendar(t)
	want := []struct {
		d    thaidate.Date
		name string // part of name_en
	}{
		{date(2025, time.January, 1), "New Year"},
		{date(2025, time.April, 7), "Chakri"},
		{date(2025, time.April, 13), "Songkran"},
		{date(2025, time.April, 14), "Songkran"},
		{date(2025, time.April, 15), "Songkran"},
		{date(2025, time.April, 16), "Songkran"},
		{date(2025, time.June, 2), "Special"},
		{date(2025, time.June, 3), "Suthida"},
		{date(2025, time.December, 31), "New Year's Eve"},
		{date(2026, time.January, 1), "New Year"},
		{date(2026, time.January, 2), "Special"},
		{date(2027, time.December, 31), "New Year's Eve"},
	}
	for _, w := range want {
		if !strings.Contains(names[w.d], w.name) {
			t.Errorf("holidays.csv: %v is %q, want a %q holiday", w.d, names[w.d], w.name)
		}
	}
	for _, notHoliday := range []thaidate.Date{date(2025, time.April, 17), date(2025, time.March, 10), date(2025, time.December, 30)} {
		if name, ok := names[notHoliday]; ok {
			t.Errorf("holidays.csv: %v is %q; the tests assume a working day", notHoliday, name)
		}
	}
}

func TestRealCalendarIsWorkingDay(t *testing.T) {
	cal, names := thaiCalendar(t)
	tests := []struct {
		d    thaidate.Date
		want bool
	}{
		{date(2025, time.April, 11), true},  // Friday before Songkran
		{date(2025, time.April, 12), false}, // Saturday
		{date(2025, time.April, 13), false}, // Songkran, Sunday
		{date(2025, time.April, 14), false}, // Songkran, Monday
		{date(2025, time.April, 16), false}, // substitution holiday
		{date(2025, time.April, 17), true},
		{date(2025, time.December, 31), false},
		{date(2026, time.January, 1), false},
		{date(2026, time.January, 2), false},
		{date(2026, time.January, 5), true},
	}
	for _, tt := range tests {
		if got := cal.IsWorkingDay(tt.d); got != tt.want {
			t.Errorf("IsWorkingDay(%v) = %v, want %v", tt.d, got, tt.want)
		}
	}
	for d := range names {
		if cal.IsWorkingDay(d) {
			t.Errorf("holiday %v (%s) reported as a working day", d, names[d])
		}
	}
}

// Expected dates worked out by hand from holidays.csv.
func TestRealCalendarAddWorkingDays(t *testing.T) {
	cal, _ := thaiCalendar(t)
	tests := []struct {
		name string
		from thaidate.Date
		n    int
		want thaidate.Date
	}{
		{"Friday+1 is Monday", date(2025, time.March, 7), 1, date(2025, time.March, 10)},
		{"Songkran skipped", date(2025, time.April, 11), 1, date(2025, time.April, 17)},
		{"Songkran skipped, from Thursday", date(2025, time.April, 10), 2, date(2025, time.April, 17)},
		{"Chakri substitution skipped", date(2025, time.April, 3), 3, date(2025, time.April, 9)},
		{"two June holidays skipped", date(2025, time.May, 30), 1, date(2025, time.June, 4)},
		{"New Year 2026 skipped", date(2025, time.December, 30), 1, date(2026, time.January, 5)},
		{"from a holiday", date(2026, time.January, 1), 1, date(2026, time.January, 5)},
		{"zero on a working day", date(2025, time.April, 11), 0, date(2025, time.April, 11)},
		{"zero on a holiday", date(2025, time.April, 14), 0, date(2025, time.April, 17)},
		{"back over New Year", date(2026, time.January, 5), -1, date(2025, time.December, 30)},
		{"back over Songkran", date(2025, time.April, 17), -2, date(2025, time.April, 10)},
		{"back from a weekend", date(2025, time.March, 9), -1, date(2025, time.March, 7)},
		// 15 working days from 1 April 2025: April 2–4 (3), 8–11 (7),
		// 17–18 (9), 21–25 (14), 28 (15); 7 and 14–16 are holidays.
		{"three weeks over April", date(2025, time.April, 1), 15, date(2025, time.April, 28)},
	}
	for _, tt := range tests {
		got := cal.AddWorkingDays(tt.from, tt.n)
		if got != tt.want {
			t.Errorf("%s: AddWorkingDays(%v, %d) = %v, want %v", tt.name, tt.from, tt.n, got, tt.want)
		}
	}
	if got, want := cal.NextWorkingDay(date(2025, time.April, 11)), date(2025, time.April, 17); got != want {
		t.Errorf("NextWorkingDay = %v, want %v", got, want)
	}
	if got, want := cal.OnOrAfter(date(2025, time.December, 31)), date(2026, time.January, 5); got != want {
		t.Errorf("OnOrAfter = %v, want %v", got, want)
	}
}

func TestRealCalendarCounts(t *testing.T) {
	cal, _ := thaiCalendar(t)
	tests := []struct {
		from, to thaidate.Date
		want     int
	}{
		// April 2025: 22 weekdays less 7, 14, 15, 16 April.
		{date(2025, time.March, 31), date(2025, time.April, 30), 18},
		{date(2025, time.April, 30), date(2025, time.March, 31), -18},
		{date(2025, time.April, 11), date(2025, time.April, 17), 1},
		{date(2025, time.April, 11), date(2025, time.April, 16), 0},
		{date(2025, time.April, 11), date(2025, time.April, 11), 0},
		// 30 Dec 2025 → 5 Jan 2026 crosses the year and three holidays.
		{date(2025, time.December, 29), date(2026, time.January, 5), 2},
	}
	for _, tt := range tests {
		if got := cal.WorkingDaysBetween(tt.from, tt.to); got != tt.want {
			t.Errorf("WorkingDaysBetween(%v, %v) = %d, want %d", tt.from, tt.to, got, tt.want)
		}
	}

	nth := []struct {
		year  int
		month time.Month
		n     int
		want  thaidate.Date
	}{
		// April 2025: 1, 2, 3, 4 are working; 7 is Chakri substitution.
		{2025, time.April, 5, date(2025, time.April, 8)},
		{2025, time.April, 1, date(2025, time.April, 1)},
		{2025, time.April, 18, date(2025, time.April, 30)},
		{2025, time.April, 19, thaidate.Date{}}, // only 18 in April 2025
		{2026, time.January, 1, date(2026, time.January, 5)},
		{2025, time.April, 0, thaidate.Date{}},
	}
	for _, tt := range nth {
		if got := cal.NthWorkingDayOfMonth(tt.year, tt.month, tt.n); got != tt.want {
			t.Errorf("NthWorkingDayOfMonth(%d, %v, %d) = %v, want %v", tt.year, tt.month, tt.n, got, tt.want)
		}
	}

	songkran := cal.HolidaysBetween(date(2025, time.April, 13), date(2025, time.April, 16))
	want := []thaidate.Date{date(2025, time.April, 13), date(2025, time.April, 14), date(2025, time.April, 15), date(2025, time.April, 16)}
	if !slices.Equal(songkran, want) {
		t.Errorf("HolidaysBetween(Songkran 2025) = %v, want %v", songkran, want)
	}
}

func TestNewCopiesSortsAndDedups(t *testing.T) {
	in := []thaidate.Date{
		date(2026, time.January, 1),
		date(2025, time.April, 14),
		date(2026, time.January, 1),
		date(2025, time.April, 13), // a Sunday: kept in the list
	}
	cal := New(in)
	in[0] = date(2030, time.January, 1) // must not affect cal
	want := []thaidate.Date{date(2025, time.April, 13), date(2025, time.April, 14), date(2026, time.January, 1)}
	got := cal.Holidays()
	if !slices.Equal(got, want) {
		t.Fatalf("Holidays() = %v, want %v", got, want)
	}
	got[0] = date(2030, time.January, 1) // must not affect cal either
	if !slices.Equal(cal.Holidays(), want) {
		t.Errorf("Holidays() shares its slice with the calendar")
	}
	if again := New(cal.Holidays()); !slices.Equal(again.Holidays(), want) {
		t.Errorf("New(Holidays()) = %v", again.Holidays())
	}

	// The Sunday holiday costs no working day: Friday 11 + 1 is Tuesday 15.
	if got, want := cal.AddWorkingDays(date(2025, time.April, 11), 1), date(2025, time.April, 15); got != want {
		t.Errorf("AddWorkingDays = %v, want %v", got, want)
	}
}

func TestEmptyAndNilCalendar(t *testing.T) {
	for _, cal := range []*Calendar{nil, New(nil)} {
		if got, want := cal.AddWorkingDays(date(2024, time.December, 27), 1), date(2024, time.December, 30); got != want {
			t.Errorf("AddWorkingDays over a weekend = %v, want %v", got, want)
		}
		// 2 Jan 2023 is a Monday; 2022-12-31 and 2023-01-01 are weekend.
		if got, want := cal.AddWorkingDays(date(2023, time.January, 2), -1), date(2022, time.December, 30); got != want {
			t.Errorf("AddWorkingDays back over a weekend = %v, want %v", got, want)
		}
		if h := cal.Holidays(); h == nil || len(h) != 0 {
			t.Errorf("Holidays() = %#v, want empty non-nil", h)
		}
		if h := cal.HolidaysBetween(date(2024, time.January, 1), date(2024, time.December, 31)); h == nil || len(h) != 0 {
			t.Errorf("HolidaysBetween() = %#v, want empty non-nil", h)
		}
		// February 2024 (leap year) starts on a Thursday and has 21 weekdays.
		if got := cal.WorkingDaysBetween(date(2024, time.January, 31), date(2024, time.February, 29)); got != 21 {
			t.Errorf("working days in February 2024 = %d, want 21", got)
		}
		if got, want := cal.NthWorkingDayOfMonth(2024, time.February, 21), date(2024, time.February, 29); got != want {
			t.Errorf("21st working day of February 2024 = %v, want %v", got, want)
		}
	}
}

func TestParseHolidaysRejects(t *testing.T) {
	tests := []struct {
		in      []string
		problem string
	}{
		{[]string{"2025-01-01", "2025-02-30"}, "holiday #2 is invalid"},
		{[]string{"1/1/2568"}, "holiday #1 is invalid"},
	}
	for _, tt := range tests {
		_, err := ParseHolidays(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.problem) || !strings.HasPrefix(err.Error(), "วันหยุดรายการที่") {
			t.Errorf("ParseHolidays(%q) error = %v, want Thai-first message with %q", tt.in, err, tt.problem)
		}
	}
	if cal, err := ParseHolidays([]string{"2568-04-14"}); err != nil || !slices.Equal(cal.Holidays(), []thaidate.Date{date(2025, time.April, 14)}) {
		t.Errorf("ParseHolidays(BE) = %v, %v", cal.Holidays(), err)
	}
}

// slowCalendar is the obvious day-by-day definition, used as the oracle for
// the fast arithmetic in Calendar.
type slowCalendar map[thaidate.Date]bool

func (s slowCalendar) working(d thaidate.Date) bool {
	w := d.Weekday()
	return w != time.Saturday && w != time.Sunday && !s[d]
}

func (s slowCalendar) add(d thaidate.Date, n int) thaidate.Date {
	if n == 0 {
		for !s.working(d) {
			d = d.AddDays(1)
		}
		return d
	}
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	for n > 0 {
		d = d.AddDays(step)
		if s.working(d) {
			n--
		}
	}
	return d
}

func (s slowCalendar) between(from, to thaidate.Date) int {
	sign := 1
	if to.Before(from) {
		from, to, sign = to, from, -1
	}
	n := 0
	for d := from.AddDays(1); !d.After(to); d = d.AddDays(1) {
		if s.working(d) {
			n++
		}
	}
	return sign * n
}

func TestAgainstDayByDayDefinition(t *testing.T) {
	cal, names := thaiCalendar(t)
	slow := slowCalendar{}
	for d := range names {
		slow[d] = true
	}
	start := date(2024, time.December, 1)
	for i := 0; i < 3*366+60; i += 3 { // across all of 2025–2027 and past it
		d := start.AddDays(i)
		if got, want := cal.IsWorkingDay(d), slow.working(d); got != want {
			t.Fatalf("IsWorkingDay(%v) = %v, want %v", d, got, want)
		}
		for _, n := range []int{-40, -7, -3, -1, 0, 1, 2, 5, 10, 23, 60} {
			if got, want := cal.AddWorkingDays(d, n), slow.add(d, n); got != want {
				t.Fatalf("AddWorkingDays(%v, %d) = %v, want %v", d, n, got, want)
			}
		}
		for _, span := range []int{-45, -6, 0, 1, 4, 9, 30, 400} {
			to := d.AddDays(span)
			if got, want := cal.WorkingDaysBetween(d, to), slow.between(d, to); got != want {
				t.Fatalf("WorkingDaysBetween(%v, %v) = %d, want %d", d, to, got, want)
			}
		}
	}
}

func FuzzAddWorkingDays(f *testing.F) {
	cal, _ := thaiCalendar(f)
	for _, seed := range []struct{ offset, n int }{{0, 1}, {100, 5}, {134, 1}, {395, -3}, {-30, 400}, {1000, -250}} {
		f.Add(seed.offset, seed.n)
	}
	base := date(2025, time.January, 1)
	f.Fuzz(func(t *testing.T, offset, n int) {
		// Keep the dates within a few decades of the holiday data.
		offset %= 20 * 366
		n %= 5000
		d := base.AddDays(offset)
		got := cal.AddWorkingDays(d, n)
		if !cal.IsWorkingDay(got) {
			t.Fatalf("AddWorkingDays(%v, %d) = %v, not a working day", d, n, got)
		}
		switch {
		case n > 0:
			if between := cal.WorkingDaysBetween(d, got); between != n {
				t.Fatalf("WorkingDaysBetween(%v, AddWorkingDays(%v, %d) = %v) = %d", d, d, n, got, between)
			}
			if cal.IsWorkingDay(d) && cal.AddWorkingDays(got, -n) != d {
				t.Fatalf("AddWorkingDays(AddWorkingDays(%v, %d), %d) = %v", d, n, -n, cal.AddWorkingDays(got, -n))
			}
		case n < 0:
			if !got.Before(d) || cal.WorkingDaysBetween(got, d.AddDays(-1)) != -n-1 {
				t.Fatalf("AddWorkingDays(%v, %d) = %v is not the %d-th working day before", d, n, got, -n)
			}
		default:
			if got.Before(d) || cal.WorkingDaysBetween(d, got) > 1 {
				t.Fatalf("AddWorkingDays(%v, 0) = %v is not OnOrAfter", d, got)
			}
		}
	})
}
