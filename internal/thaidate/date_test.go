package thaidate

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

func TestAddDays(t *testing.T) {
	tests := []struct {
		from Date
		n    int
		want Date
	}{
		{date(2024, time.December, 31), 1, date(2025, time.January, 1)},
		{date(2025, time.January, 1), -1, date(2024, time.December, 31)},
		{date(2024, time.February, 28), 1, date(2024, time.February, 29)},
		{date(2023, time.February, 28), 1, date(2023, time.March, 1)},
		{date(2024, time.March, 1), -1, date(2024, time.February, 29)},
		{date(2024, time.January, 31), 30, date(2024, time.March, 1)},
		{date(2024, time.December, 17), 365, date(2025, time.December, 17)},
		{date(2024, time.December, 17), 0, date(2024, time.December, 17)},
		{date(2024, time.February, 31), 0, date(2024, time.March, 2)}, // normalized
	}
	for _, tt := range tests {
		if got := tt.from.AddDays(tt.n); got != tt.want {
			t.Errorf("%v.AddDays(%d) = %v, want %v", tt.from, tt.n, got, tt.want)
		}
	}
}

func TestWeekday(t *testing.T) {
	tests := []struct {
		d    Date
		want time.Weekday
	}{
		{date(1970, time.January, 1), time.Thursday},
		{date(2000, time.January, 1), time.Saturday},
		{date(2024, time.December, 17), time.Tuesday},
		{date(2025, time.April, 13), time.Sunday},
		{date(2024, time.February, 29), time.Thursday},
	}
	for _, tt := range tests {
		if got := tt.d.Weekday(); got != tt.want {
			t.Errorf("%v.Weekday() = %v, want %v", tt.d, got, tt.want)
		}
	}
}

func TestCompare(t *testing.T) {
	tests := []struct {
		a, b Date
		want int
	}{
		{date(2024, time.December, 17), date(2024, time.December, 17), 0},
		{date(2024, time.December, 17), date(2024, time.December, 18), -1},
		{date(2024, time.December, 31), date(2025, time.January, 1), -1},
		{date(2024, time.November, 30), date(2024, time.December, 1), -1},
		{date(2025, time.January, 1), date(2024, time.December, 31), 1},
	}
	for _, tt := range tests {
		if got := tt.a.Compare(tt.b); got != tt.want {
			t.Errorf("%v.Compare(%v) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := tt.b.Compare(tt.a); got != -tt.want {
			t.Errorf("%v.Compare(%v) = %d, want %d", tt.b, tt.a, got, -tt.want)
		}
		if got := tt.a.Before(tt.b); got != (tt.want < 0) {
			t.Errorf("%v.Before(%v) = %v", tt.a, tt.b, got)
		}
		if got := tt.a.After(tt.b); got != (tt.want > 0) {
			t.Errorf("%v.After(%v) = %v", tt.a, tt.b, got)
		}
	}
}

func TestBangkokConversions(t *testing.T) {
	newYork := time.FixedZone("EST", -5*60*60)
	fromTime := []struct {
		t    time.Time
		want Date
	}{
		{time.Date(2024, 12, 31, 16, 59, 59, 0, time.UTC), date(2024, time.December, 31)},
		{time.Date(2024, 12, 31, 17, 0, 0, 0, time.UTC), date(2025, time.January, 1)},
		{time.Date(2024, 12, 31, 20, 0, 0, 0, newYork), date(2025, time.January, 1)},
	}
	for _, tt := range fromTime {
		if got := FromTime(tt.t); got != tt.want {
			t.Errorf("FromTime(%v) = %v, want %v", tt.t, got, tt.want)
		}
		if got := Today(tt.t); got != tt.want {
			t.Errorf("Today(%v) = %v, want %v", tt.t, got, tt.want)
		}
	}

	at := []struct {
		d         Date
		hour, min int
		wantUTC   time.Time
	}{
		{date(2024, time.December, 17), 13, 30, time.Date(2024, 12, 17, 6, 30, 0, 0, time.UTC)},
		{date(2025, time.January, 1), 0, 0, time.Date(2024, 12, 31, 17, 0, 0, 0, time.UTC)},
		{date(2025, time.January, 1), 16, 30, time.Date(2025, 1, 1, 9, 30, 0, 0, time.UTC)},
	}
	for _, tt := range at {
		got := tt.d.At(tt.hour, tt.min)
		if !got.Equal(tt.wantUTC) {
			t.Errorf("%v.At(%d, %d) = %v, want %v", tt.d, tt.hour, tt.min, got.UTC(), tt.wantUTC)
		}
		if FromTime(got) != tt.d {
			t.Errorf("FromTime(%v.At(...)) = %v", tt.d, FromTime(got))
		}
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		d          Date
		full, shrt string
	}{
		{date(2024, time.December, 17), "17 ธันวาคม 2567", "17 ธ.ค. 67"},
		{date(2025, time.January, 1), "1 มกราคม 2568", "1 ม.ค. 68"},
		{date(2024, time.February, 29), "29 กุมภาพันธ์ 2567", "29 ก.พ. 67"},
		{date(2057, time.July, 5), "5 กรกฎาคม 2600", "5 ก.ค. 00"},
		{Date{}, "", ""},
	}
	for _, tt := range tests {
		if got := FormatBE(tt.d); got != tt.full {
			t.Errorf("FormatBE(%v) = %q, want %q", tt.d, got, tt.full)
		}
		if got := FormatBEShort(tt.d); got != tt.shrt {
			t.Errorf("FormatBEShort(%v) = %q, want %q", tt.d, got, tt.shrt)
		}
	}

	dateTimes := []struct {
		t    time.Time
		want string
	}{
		{time.Date(2024, 12, 17, 6, 30, 0, 0, time.UTC), "17 ธ.ค. 2567 เวลา 13:30 น."},
		{time.Date(2024, 12, 31, 17, 5, 0, 0, time.UTC), "1 ม.ค. 2568 เวลา 00:05 น."},
		{time.Date(2024, 12, 17, 13, 30, 59, 0, Bangkok), "17 ธ.ค. 2567 เวลา 13:30 น."},
	}
	for _, tt := range dateTimes {
		if got := FormatDateTimeBE(tt.t); got != tt.want {
			t.Errorf("FormatDateTimeBE(%v) = %q, want %q", tt.t, got, tt.want)
		}
	}
}

func TestMonthNames(t *testing.T) {
	full := []string{"มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
		"กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม"}
	for i, want := range full {
		if got := MonthNameTH(time.Month(i + 1)); got != want {
			t.Errorf("MonthNameTH(%d) = %q, want %q", i+1, got, want)
		}
	}
	for _, m := range []time.Month{0, 13} {
		if got := MonthNameTH(m); got != m.String() { // time.Month's "%!Month(13)"
			t.Errorf("MonthNameTH(%d) = %q, want it to match time.Month's %q", m, got, m.String())
		}
		if MonthNameTHShort(m) != MonthNameTH(m) {
			t.Errorf("MonthNameTHShort(%d) = %q", m, MonthNameTHShort(m))
		}
	}
}

func TestYearBEAndFiscalYear(t *testing.T) {
	tests := []struct {
		d          Date
		be, fiscal int
	}{
		{date(2024, time.January, 1), 2567, 2567},
		{date(2024, time.September, 30), 2567, 2567},
		{date(2024, time.October, 1), 2567, 2568},
		{date(2024, time.December, 31), 2567, 2568},
		{date(2025, time.January, 1), 2568, 2568},
		{date(2025, time.September, 30), 2568, 2568},
		{date(2025, time.October, 1), 2568, 2569},
	}
	for _, tt := range tests {
		if got := YearBE(tt.d); got != tt.be {
			t.Errorf("YearBE(%v) = %d, want %d", tt.d, got, tt.be)
		}
		if got := FiscalYearBE(tt.d); got != tt.fiscal {
			t.Errorf("FiscalYearBE(%v) = %d, want %d", tt.d, got, tt.fiscal)
		}
	}
}

func TestZeroAndValid(t *testing.T) {
	var zero Date
	if !zero.IsZero() || zero.IsValid() || zero.String() != "" {
		t.Errorf("zero Date: IsZero=%v IsValid=%v String=%q", zero.IsZero(), zero.IsValid(), zero.String())
	}
	if d := date(2024, time.December, 17); d.IsZero() || !d.IsValid() || d.String() != "2024-12-17" {
		t.Errorf("%#v: IsZero=%v IsValid=%v String=%q", d, d.IsZero(), d.IsValid(), d.String())
	}
	for _, d := range []Date{date(2023, time.February, 29), date(2024, 13, 1), date(2024, time.April, 31), date(2024, time.April, 0)} {
		if d.IsValid() {
			t.Errorf("%#v.IsValid() = true", d)
		}
	}
}

func TestJSON(t *testing.T) {
	type payload struct {
		Due    Date `json:"due"`
		Closed Date `json:"closed"`
	}
	in := payload{Due: date(2024, time.December, 17)}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"due":"2024-12-17","closed":""}`; string(b) != want {
		t.Errorf("json = %s, want %s", b, want)
	}
	var out payload
	if err := json.Unmarshal(b, &out); err != nil || out != in {
		t.Errorf("round trip = %+v, %v; want %+v", out, err, in)
	}

	unmarshal := []struct {
		js      string
		want    Date
		problem string
	}{
		{`"2567-12-17"`, date(2024, time.December, 17), ""},
		{`""`, Date{}, ""},
		{`"17/12/2567"`, Date{}, "expected YYYY-MM-DD"},
		{`"2024-02-30"`, Date{}, "February 2024 has only 29 days"},
	}
	for _, tt := range unmarshal {
		var d Date
		err := json.Unmarshal([]byte(tt.js), &d)
		if tt.problem == "" {
			if err != nil || d != tt.want {
				t.Errorf("Unmarshal(%s) = %v, %v; want %v", tt.js, d, err, tt.want)
			}
			continue
		}
		if !errors.Is(err, ErrInvalidDate) {
			t.Errorf("Unmarshal(%s) error = %v, want ErrInvalidDate", tt.js, err)
		}
	}

	for _, bad := range []Date{date(2024, time.February, 30), date(2400, time.January, 1)} {
		if _, err := json.Marshal(bad); !errors.Is(err, ErrInvalidDate) {
			t.Errorf("Marshal(%#v) error = %v, want ErrInvalidDate", bad, err)
		}
	}
}
