package workflows

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/tidtam/tidtam/internal/apperr"
)

// Span is a length of time counted either in working days (WorkingDays) or
// as an absolute Duration; at most one is non-zero. A working-day span lands
// on a Bangkok civil day (a deadline at DeadlineHour:DeadlineMinute, a notice
// at NoticeHour:00); a Duration is an exact offset from its reference
// instant, which lets drills and end-to-end tests run in seconds.
//
// Its text form (JSON, ParseSpan) is the working-day count ("3") or an
// ISO-8601 duration ("PT30S", "P2D", "PT1H30M"; P…D counts 24-hour days,
// not working days).
type Span struct {
	WorkingDays int
	Duration    time.Duration
}

// WorkingDays returns a Span of n working days.
func WorkingDays(n int) Span { return Span{WorkingDays: n} }

// Seconds returns a Span of an absolute n seconds.
func Seconds(n int) Span { return Span{Duration: time.Duration(n) * time.Second} }

// IsZero reports whether s is zero (no offset at all).
func (s Span) IsZero() bool { return s.WorkingDays == 0 && s.Duration == 0 }

// String returns the text form of s (see Span).
func (s Span) String() string {
	if s.Duration == 0 {
		return strconv.Itoa(s.WorkingDays)
	}
	return formatISODuration(s.Duration)
}

// MarshalText implements encoding.TextMarshaler with the text form.
func (s Span) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler with ParseSpan.
func (s *Span) UnmarshalText(b []byte) error {
	v, err := ParseSpan(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// ParseSpan parses the text form of a Span: a non-negative integer is a
// count of working days ("3"), anything starting with "P" an ISO-8601
// duration with weeks, days, hours, minutes and (possibly fractional)
// seconds ("PT30S", "P1DT2H", "PT0.5S"). A zero duration ("PT0S", "P0D")
// is the zero span, like "0": escalation level 1 "at the due" is naturally
// written PT0S. Negative spans, a positive component too small to count
// (under a nanosecond), and years or months (whose length varies) are
// rejected with an apperr.Invalid error; where a span must be positive
// (AckWithin, reminders, an item's due_within) the caller checks IsZero.
func ParseSpan(text string) (Span, error) {
	t := strings.TrimSpace(text)
	if t == "" {
		return Span{}, apperr.New(apperr.Invalid, "ระยะเวลาว่างเปล่า / empty span")
	}
	if n, err := strconv.Atoi(t); err == nil {
		if n < 0 {
			return Span{}, apperr.New(apperr.Invalid, "จำนวนวันทำการต้องไม่ติดลบ: %q / working days must not be negative", text)
		}
		return Span{WorkingDays: n}, nil
	}
	d, err := parseISODuration(strings.ToUpper(t))
	if err != nil {
		return Span{}, apperr.New(apperr.Invalid, "ระยะเวลาไม่ถูกต้อง: %q (ใช้จำนวนวันทำการ เช่น \"3\" หรือ ISO-8601 เช่น \"PT30S\") / invalid span: %v", text, err)
	}
	return Span{Duration: d}, nil
}

func parseISODuration(s string) (time.Duration, error) {
	if !strings.HasPrefix(s, "P") || len(s) < 3 {
		return 0, fmt.Errorf("not an ISO-8601 duration")
	}
	s = s[1:]
	var total time.Duration
	inTime := false
	seen := false
	lastRank := 0
	for len(s) > 0 {
		if s[0] == 'T' {
			if inTime {
				return 0, fmt.Errorf("two T designators")
			}
			inTime = true
			s = s[1:]
			if s == "" {
				return 0, fmt.Errorf("T without a time part")
			}
			continue
		}
		i := 0
		for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.' || s[i] == ',') {
			i++
		}
		if i == 0 || i == len(s) {
			return 0, fmt.Errorf("malformed component %q", s)
		}
		num, err := strconv.ParseFloat(strings.ReplaceAll(s[:i], ",", "."), 64)
		if err != nil || num < 0 {
			return 0, fmt.Errorf("malformed number %q", s[:i])
		}
		var unit time.Duration
		var rank int
		switch c := s[i]; {
		case !inTime && c == 'W':
			unit, rank = 7*24*time.Hour, 1
		case !inTime && c == 'D':
			unit, rank = 24*time.Hour, 2
		case inTime && c == 'H':
			unit, rank = time.Hour, 3
		case inTime && c == 'M':
			unit, rank = time.Minute, 4
		case inTime && c == 'S':
			unit, rank = time.Second, 5
		default:
			return 0, fmt.Errorf("unsupported designator %q", string(c))
		}
		if rank <= lastRank {
			return 0, fmt.Errorf("designator %q repeated or out of order", string(s[i]))
		}
		lastRank = rank
		f := num * float64(unit)
		if f >= math.MaxInt64 {
			return 0, fmt.Errorf("component %q too long", s[:i+1])
		}
		part := time.Duration(f)
		if num > 0 && part <= 0 {
			// Positive but under a nanosecond: never silently the zero span.
			return 0, fmt.Errorf("component %q too small", s[:i+1])
		}
		if total > math.MaxInt64-part {
			return 0, fmt.Errorf("duration too long")
		}
		total += part
		seen = true
		s = s[i+1:]
	}
	if !seen {
		return 0, fmt.Errorf("no components")
	}
	return total, nil
}

func formatISODuration(d time.Duration) string {
	var b strings.Builder
	b.WriteString("P")
	if days := d / (24 * time.Hour); days > 0 {
		b.WriteString(strconv.FormatInt(int64(days), 10) + "D")
		d -= days * 24 * time.Hour
	}
	if d == 0 {
		return b.String()
	}
	b.WriteString("T")
	if h := d / time.Hour; h > 0 {
		b.WriteString(strconv.FormatInt(int64(h), 10) + "H")
		d -= h * time.Hour
	}
	if m := d / time.Minute; m > 0 {
		b.WriteString(strconv.FormatInt(int64(m), 10) + "M")
		d -= m * time.Minute
	}
	if d > 0 {
		b.WriteString(strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + "S")
	}
	return b.String()
}

// Policy sets an assignment's clocks. AckWithin is the time allowed for the
// acknowledgement, from the moment the assignment starts. Reminders are
// sent this long before each due (working-day reminders at NoticeHour:00).
// Escalations[i] is when level i+1 opens, counted from the due: level 1
// (the unit itself, with the overdue notice), level 2 (the parent unit's
// head: a district's province centre, a province's governor, vice governors
// and ปลัดจังหวัด), level 3 (the MOI inspectors of the unit's region). A zero
// Escalations[0] opens level 1 at the due instant itself.
type Policy struct {
	AckWithin   Span    `json:"ack_within"`
	Reminders   []Span  `json:"reminders"`
	Escalations [3]Span `json:"escalations"`
}

// AckWorkingDays returns the default acknowledgement allowance for an
// urgency class: ด่วนที่สุด 1, ด่วนมาก 2, ด่วน 3, ปกติ (and anything else) 5
// working days.
func AckWorkingDays(u Urgency) int {
	switch u {
	case UrgencyMostUrgent:
		return 1
	case UrgencyVeryUrgent:
		return 2
	case UrgencyUrgent:
		return 3
	}
	return 5
}

// DefaultPolicy returns the standard policy for an urgency class: the
// acknowledgement allowance of AckWorkingDays, reminders 3 and 1 working
// days before each due, and escalation levels at the due, 2 and 5 working
// days after it.
func DefaultPolicy(u Urgency) Policy {
	return Policy{
		AckWithin:   WorkingDays(AckWorkingDays(u)),
		Reminders:   []Span{WorkingDays(3), WorkingDays(1)},
		Escalations: [3]Span{{}, WorkingDays(2), WorkingDays(5)},
	}
}

// Validate checks that the policy is usable: a non-zero AckWithin, no
// negative spans, no span with both parts set, and escalation levels that
// do not come before the previous level when measured in the same unit.
func (p Policy) Validate() error {
	check := func(field string, s Span) error {
		if s.WorkingDays < 0 || s.Duration < 0 {
			return apperr.Field(field, "ระยะเวลาต้องไม่ติดลบ / span must not be negative")
		}
		if s.WorkingDays != 0 && s.Duration != 0 {
			return apperr.Field(field, "ระบุได้อย่างเดียว: วันทำการหรือระยะเวลา / either working days or a duration, not both")
		}
		return nil
	}
	if p.AckWithin.IsZero() {
		return apperr.Field("policy.ack_within", "ต้องกำหนดระยะเวลารับทราบ / ack_within is required")
	}
	if err := check("policy.ack_within", p.AckWithin); err != nil {
		return err
	}
	for i, r := range p.Reminders {
		if err := check(fmt.Sprintf("policy.reminders[%d]", i), r); err != nil {
			return err
		}
		if r.IsZero() {
			return apperr.Field(fmt.Sprintf("policy.reminders[%d]", i), "การเตือนต้องมาก่อนกำหนด / a reminder must come before the due")
		}
	}
	for i, e := range p.Escalations {
		field := fmt.Sprintf("policy.escalations[%d]", i)
		if err := check(field, e); err != nil {
			return err
		}
		if i > 0 {
			prev := p.Escalations[i-1]
			if (e.Duration == 0) == (prev.Duration == 0) && (e.WorkingDays < prev.WorkingDays || e.Duration < prev.Duration) {
				return apperr.Field(field, "ระดับการยกระดับต้องไม่มาก่อนระดับก่อนหน้า / escalation levels must not go back in time")
			}
		}
	}
	return nil
}

func itoa(n int) string { return strconv.Itoa(n) }
