package thaidate

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

func date(y int, m time.Month, d int) Date { return Date{Year: y, Month: m, Day: d} }

func TestParseAccepts(t *testing.T) {
	dec17 := date(2024, time.December, 17)
	tests := []struct {
		in   string
		want Date
	}{
		// ISO, Common Era and Buddhist Era.
		{"2024-12-17", dec17},
		{"2567-12-17", dec17},
		{"2024/12/17", dec17},
		{"๒๕๖๗-๑๒-๑๗", dec17},
		// Full month names.
		{"17 ธันวาคม 2567", dec17},
		{"๑๗ ธันวาคม ๒๕๖๗", dec17},
		{"17 ธันวาคม 2024", dec17},
		{"17ธันวาคม2567", dec17},
		{"วันที่ 17 ธันวาคม พ.ศ. 2567", dec17},
		{"วันที่๑๗ ธันวาคม พ.ศ.๒๕๖๗", dec17},
		{"17 ธันวาคม ค.ศ. 2024", dec17},
		{"17 ธันวา 67", dec17},
		{"1 กรกฏาคม 2568", date(2025, time.July, 1)}, // common misspelling
		// Abbreviated month names, with and without dots and spaces.
		{"17 ธ.ค. 67", dec17},
		{"17 ธ.ค. 2567", dec17},
		{"17 ธ.ค 2567", dec17},
		{"17 ธค 67", dec17},
		{"17 ธ. ค. 67", dec17},
		{"17ธ.ค.67", dec17},
		{"17 ธ.ค. พ.ศ. 2567", dec17},
		// Numeric day first.
		{"17/12/2567", dec17},
		{"17/12/67", dec17},
		{"17-12-2567", dec17},
		{"17.12.2567", dec17},
		{"17 / 12 / 2567", dec17},
		{"17/12/2024", dec17},
		{"๑๗/๑๒/๖๗", dec17},
		{"1/1/2568", date(2025, time.January, 1)},
		// Two-digit years are 25xx BE.
		{"1/1/00", date(1957, time.January, 1)},
		{"31/12/99", date(2056, time.December, 31)},
		// Year boundaries and leap years.
		{"31 ธ.ค. 2567", date(2024, time.December, 31)},
		{"1 ม.ค. 68", date(2025, time.January, 1)},
		{"29 ก.พ. 2567", date(2024, time.February, 29)},
		{"29/02/2543", date(2000, time.February, 29)},
		// White space pasted from documents.
		{"  17  ธันวาคม   2567  ", dec17},
		{"17\u00a0ธันวาคม\u00a02567", dec17},
		{"17\u200bธ.ค.\u200b67", dec17},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("Parse(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// Each official abbreviation, written independently of the package's table.
func TestParseEveryMonthAbbreviation(t *testing.T) {
	abbrevs := []string{"ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค."}
	for i, a := range abbrevs {
		want := date(2025, time.Month(i+1), 1)
		for _, in := range []string{"1 " + a + " 68", "1 " + a + " 2568", "1 " + strings.ReplaceAll(a, ".", "") + " 68"} {
			got, err := Parse(in)
			if err != nil || got != want {
				t.Errorf("Parse(%q) = %v, %v; want %v", in, got, err, want)
			}
		}
		if got := MonthNameTHShort(time.Month(i + 1)); got != a {
			t.Errorf("MonthNameTHShort(%d) = %q, want %q", i+1, got, a)
		}
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		in      string
		problem string // part of the message that names the problem
	}{
		{"", "empty date"},
		{" \u00a0 ", "empty date"},
		{"31 ก.พ. 2567", "February 2024 has only 29 days, not 31"},
		{"29 ก.พ. 2568", "February 2025 has only 28 days, not 29"},
		{"29/02/2443", "February 1900 has only 28 days"}, // 1900 is not a leap year
		{"31/04/2568", "April 2025 has only 30 days"},
		{"32/12/2567", "December 2024 has only 31 days, not 32"},
		{"0/12/2567", "day 0 does not exist"},
		{"17/13/2567", "month 13 does not exist"},
		{"17/00/2567", "month 0 does not exist"},
		{"17 Dec 2567", "unknown month name"},
		{"17 ธันวาคม", "missing year"},
		{"17 2567", "missing month"},
		{"ธันวาคม 2567", "must start with the day"},
		{"17/12/567", "year must have 2 or 4 digits"},
		{"17 ธ.ค. 25670", "year must have 2 or 4 digits"},
		{"117 ธันวาคม 2567", "day must have 1 or 2 digits"},
		{"17/123/2567", "month must have 1 or 2 digits"},
		{"17/12-2567", "mixed separators"},
		{"17/12", "expected day/month/year"},
		{"17/12/2567/1", "expected day/month/year"},
		{"17/ธ.ค./2567", "in digits"},
		{"17/12/๒๕x๗", "in digits"},
		{"17 ธันวาคม 2567 เวลา 10.00 น.", "unexpected text after the year"},
		{"17 ธันวาคม พ.ศ. 2024", "marked พ.ศ."},
		{"17 ธันวาคม ค.ศ. 2567", "marked ค.ศ."},
		{"17 ธันวาคม ค.ศ. 67", "needs 4 digits"},
		{"2024-12-00", "day 0 does not exist"},
		{"0000-01-01", "out of range"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in)
		if err == nil {
			t.Errorf("Parse(%q) succeeded, want error about %q", tt.in, tt.problem)
			continue
		}
		checkInvalid(t, "Parse", tt.in, err, tt.problem)
	}
}

// checkInvalid asserts the message shape: Thai first, English in
// parentheses, the input quoted, and the specific problem named.
func checkInvalid(t *testing.T, fn, in string, err error, problem string) {
	t.Helper()
	if !errors.Is(err, ErrInvalidDate) {
		t.Errorf("%s(%q) error %v does not wrap ErrInvalidDate", fn, in, err)
	}
	prefix := "รูปแบบวันที่ไม่ถูกต้อง (invalid date): " + strconv.Quote(in) + ": "
	if msg := err.Error(); !strings.HasPrefix(msg, prefix) || !strings.Contains(msg, problem) {
		t.Errorf("%s(%q) error = %q, want prefix %q and mention of %q", fn, in, msg, prefix, problem)
	}
}

func TestParseISO(t *testing.T) {
	valid := []struct {
		in   string
		want Date
	}{
		{"2024-12-17", date(2024, time.December, 17)},
		{"2567-12-17", date(2024, time.December, 17)},
		{"2400-01-01", date(1857, time.January, 1)},
		{"2399-01-01", date(2399, time.January, 1)},
		{"2024-02-29", date(2024, time.February, 29)},
		{"2000-02-29", date(2000, time.February, 29)},
		{"0001-01-01", date(1, time.January, 1)},
	}
	for _, tt := range valid {
		if got, err := ParseISO(tt.in); err != nil || got != tt.want {
			t.Errorf("ParseISO(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	invalidCases := []struct{ in, problem string }{
		{"2024-2-29", "expected YYYY-MM-DD"},
		{"17/12/2024", "expected YYYY-MM-DD"},
		{" 2024-12-17", "expected YYYY-MM-DD"},
		{"2024-12-17T00:00:00Z", "expected YYYY-MM-DD"},
		{"๒๐๒๔-๑๒-๑๗", "expected YYYY-MM-DD"}, // strict: Arabic digits only
		{"+024-12-17", "expected YYYY-MM-DD"},
		{"2023-02-29", "February 2023 has only 28 days"},
		{"2566-02-29", "February 2023 has only 28 days"},
		{"1900-02-29", "February 1900 has only 28 days"},
		{"2024-13-01", "month 13 does not exist"},
		{"0000-01-01", "out of range"},
	}
	for _, tt := range invalidCases {
		_, err := ParseISO(tt.in)
		if err == nil {
			t.Errorf("ParseISO(%q) succeeded, want error about %q", tt.in, tt.problem)
			continue
		}
		checkInvalid(t, "ParseISO", tt.in, err, tt.problem)
	}
}

func TestDigits(t *testing.T) {
	tests := []struct{ thai, arabic string }{
		{"๐๑๒๓๔๕๖๗๘๙", "0123456789"},
		{"วันที่ ๑๗ ธ.ค. ๖๗", "วันที่ 17 ธ.ค. 67"},
		{"ไม่มีตัวเลข", "ไม่มีตัวเลข"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := NormalizeDigits(tt.thai); got != tt.arabic {
			t.Errorf("NormalizeDigits(%q) = %q, want %q", tt.thai, got, tt.arabic)
		}
		if got := ToThaiDigits(tt.arabic); got != tt.thai {
			t.Errorf("ToThaiDigits(%q) = %q, want %q", tt.arabic, got, tt.thai)
		}
	}
	// Mixed input: only the digits change.
	if got := NormalizeDigits("a๑2๓b"); got != "a123b" {
		t.Errorf("NormalizeDigits mixed = %q", got)
	}
}

func TestParseInt(t *testing.T) {
	valid := []struct {
		in   string
		want int
	}{
		{"12", 12}, {"๑๒", 12}, {" ๑๒ ", 12}, {"๑2", 12}, {"\t-๕\n", -5}, {"๐", 0},
	}
	for _, tt := range valid {
		if got, err := ParseInt(tt.in); err != nil || got != tt.want {
			t.Errorf("ParseInt(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"", " ", "12a", "๑.๕", "๑ ๒", "หนึ่ง"} {
		_, err := ParseInt(in)
		if err == nil {
			t.Errorf("ParseInt(%q) succeeded, want error", in)
			continue
		}
		if want := "ไม่ใช่ตัวเลขจำนวนเต็ม (not an integer): " + strconv.Quote(in); err.Error() != want {
			t.Errorf("ParseInt(%q) error = %q, want %q", in, err, want)
		}
	}
}

// Every date over a century must survive format → parse in every form.
func TestFormatParseRoundTrip(t *testing.T) {
	start := date(1950, time.January, 1)
	for i := 0; i < 100*366; i++ {
		d := start.AddDays(i)
		if !d.IsValid() {
			t.Fatalf("AddDays produced invalid %v", d)
		}
		forms := []string{FormatBE(d), ToThaiDigits(FormatBE(d)), d.String(), "วันที่ " + FormatBE(d)}
		if be := YearBE(d); be >= 2500 && be <= 2599 {
			forms = append(forms, FormatBEShort(d))
		}
		for _, s := range forms {
			if got, err := Parse(s); err != nil || got != d {
				t.Fatalf("Parse(%q) = %v, %v; want %v", s, got, err, d)
			}
		}
		if got, err := ParseISO(d.String()); err != nil || got != d {
			t.Fatalf("ParseISO(%q) = %v, %v; want %v", d.String(), got, err, d)
		}
	}
}

// FuzzParse feeds arbitrary text to the Thai date parser: it never panics,
// refuses with ErrInvalidDate, and what it accepts round-trips.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"17 ธันวาคม 2567", "๑๗ ธ.ค. ๖๗", "17/12/67", "2024-12-17", "วันที่ 1 ม.ค. พ.ศ. 2568", "31/02/2567", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Parse(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidDate) {
				t.Fatalf("Parse(%q) error %v does not wrap ErrInvalidDate", s, err)
			}
			return
		}
		if !d.IsValid() {
			t.Fatalf("Parse(%q) = %v, not a valid date", s, d)
		}
		if again, err := Parse(FormatBE(d)); err != nil || again != d {
			t.Fatalf("Parse(FormatBE(%v)) = %v, %v", d, again, err)
		}
		// Accepted dates stay in range and read back from storage as the
		// same date (a Buddhist Era 9999 used to come back as another year).
		if d.Year < MinYear || d.Year > MaxYear {
			t.Fatalf("Parse(%q) = %v, outside %d–%d", s, d, MinYear, MaxYear)
		}
		if back, err := ParseISO(d.String()); err != nil || back != d {
			t.Fatalf("ParseISO(%q) = %v, %v; want %v", d.String(), back, err, d)
		}
	})
}

// TestParseBoundsYears refuses years that would not read back as the same
// date once stored (a Buddhist Era 9999 is Common Era 9456, which reads as
// Buddhist Era again) and accepts the bounds themselves.
func TestParseBoundsYears(t *testing.T) {
	for _, in := range []string{"9999-12-31", "31 ธ.ค. 9999", "1899-12-31", "2201-01-01", "๑ ม.ค. ๒๗๔๔"} {
		if _, err := Parse(in); err == nil || !strings.Contains(err.Error(), "out of range") {
			t.Errorf("Parse(%q) = %v, want out of range", in, err)
		}
	}
	for _, in := range []string{"1900-01-01", "2199-12-31", "31 ธันวาคม 2742"} {
		if _, err := Parse(in); err != nil {
			t.Errorf("Parse(%q): %v", in, err)
		}
	}
}
