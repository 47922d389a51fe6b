// Package thaidate handles civil dates as Thai government offices write
// them: Buddhist Era years, Thai month names and abbreviations, and Thai
// digits. Everything here is pure (no I/O, no clock), so it is safe to call
// from Temporal workflow code.
package thaidate

import (
	"fmt"
	"time"
	_ "time/tzdata" // Bangkok must resolve on hosts and containers without zoneinfo.
)

// Bangkok is the Asia/Bangkok time zone (UTC+7, no daylight saving). Every
// civil date in this package is a date in Bangkok.
var Bangkok = loadBangkok()

func loadBangkok() *time.Location {
	loc, err := time.LoadLocation("Asia/Bangkok")
	if err != nil {
		// Unreachable with time/tzdata linked in; a fixed zone is exact for
		// every date after 1920, when Bangkok last changed its offset.
		return time.FixedZone("ICT", 7*60*60)
	}
	return loc
}

// Date is a Gregorian (Common Era) civil date with no time of day and no
// zone. The zero value means "no date" (see IsZero). A Date built by hand
// may be out of range (e.g. 31 February); AddDays normalizes it the way
// time.Date does, and IsValid reports whether it is a real calendar date.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// FromTime returns the civil date of t in Bangkok, whatever t's location.
func FromTime(t time.Time) Date {
	y, m, d := t.In(Bangkok).Date()
	return Date{Year: y, Month: m, Day: d}
}

// Today returns the civil date of now in Bangkok. It is FromTime under a
// name that reads well at call sites; the caller supplies now (e.g.
// workflow.Now) because this package never reads the clock.
func Today(now time.Time) Date { return FromTime(now) }

// midnightUTC is the date as a time.Time used only for calendar arithmetic;
// UTC has no offset changes, so day counts are exact.
func (d Date) midnightUTC() time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
}

// String returns the ISO 8601 form "2024-12-17" (Common Era), or "" for the
// zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// IsZero reports whether d is the zero Date, which stands for "no date".
func (d Date) IsZero() bool { return d == Date{} }

// IsValid reports whether d is a real calendar date (month 1–12, day within
// that month, year 1–9999). The zero Date is not valid.
func (d Date) IsValid() bool {
	return validate(d.Year, int(d.Month), d.Day) == nil
}

// AddDays returns the date n days after d (before d when n is negative).
// An out-of-range d is normalized first, as time.Date does.
func (d Date) AddDays(n int) Date {
	y, m, day := d.midnightUTC().AddDate(0, 0, n).Date()
	return Date{Year: y, Month: m, Day: day}
}

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday { return d.midnightUTC().Weekday() }

// Compare returns -1 if d is before o, 0 if they are the same date and +1
// if d is after o. It compares fields, so both should be valid dates.
func (d Date) Compare(o Date) int {
	switch {
	case d.Year != o.Year:
		return cmpInt(d.Year, o.Year)
	case d.Month != o.Month:
		return cmpInt(int(d.Month), int(o.Month))
	default:
		return cmpInt(d.Day, o.Day)
	}
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Before reports whether d is strictly before o.
func (d Date) Before(o Date) bool { return d.Compare(o) < 0 }

// After reports whether d is strictly after o.
func (d Date) After(o Date) bool { return d.Compare(o) > 0 }

// At returns the instant at the wall-clock time hour:min on d in Bangkok,
// e.g. a deadline of 16:30 on the due date.
func (d Date) At(hour, min int) time.Time {
	return time.Date(d.Year, d.Month, d.Day, hour, min, 0, 0, Bangkok)
}

// MarshalText encodes d in ISO form ("2024-12-17"); the zero Date encodes
// as "" so that "no date" survives JSON and Temporal payloads. It fails for
// a date that is not valid, or whose year is 2400 or later (ParseISO would
// read that back as a Buddhist Era year), so bad data is not stored.
func (d Date) MarshalText() ([]byte, error) {
	if d.IsZero() {
		return []byte{}, nil
	}
	if err := validate(d.Year, int(d.Month), d.Day); err != nil {
		return nil, fmt.Errorf("%w: %q: %w", ErrInvalidDate, d.String(), err)
	}
	if d.Year >= firstBEYear {
		return nil, fmt.Errorf("%w: %q: ปี ค.ศ. %d อ่านกลับเป็นปี พ.ศ. (year %d CE would be read back as Buddhist Era)",
			ErrInvalidDate, d.String(), d.Year, d.Year)
	}
	return []byte(d.String()), nil
}

// UnmarshalText decodes the ISO form with ParseISO (so a Buddhist Era year
// such as "2567-12-17" is accepted and converted); "" decodes to the zero
// Date.
func (d *Date) UnmarshalText(text []byte) error {
	if len(text) == 0 {
		*d = Date{}
		return nil
	}
	parsed, err := ParseISO(string(text))
	if err != nil {
		return err
	}
	*d = parsed
	return nil
}

// YearBE returns the Buddhist Era year of d (Common Era + 543).
func YearBE(d Date) int { return d.Year + beOffset }

// FiscalYearBE returns the Thai government fiscal year (Buddhist Era) that
// d falls in. The fiscal year starts on 1 October and is named after the
// calendar year in which it ends, so 2024-10-01 is in fiscal year 2568.
func FiscalYearBE(d Date) int {
	if d.Month >= time.October {
		return YearBE(d) + 1
	}
	return YearBE(d)
}
