package thaidate

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// beOffset is the difference between Buddhist Era and Common Era years.
const beOffset = 543

// Thai digits ๐ to ๙ are the contiguous code points U+0E50 to U+0E59.
const (
	thaiZero = '๐'
	thaiNine = '๙'
)

var monthNamesTH = [...]string{
	"มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
	"กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
}

var monthNamesTHShort = [...]string{
	"ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
	"ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
}

// MonthNameTH returns the full Thai name of m ("ธันวาคม"). For a month
// outside 1–12 it returns "%!Month(13)", like time.Month.String, so the
// bug shows in the output instead of an empty field.
func MonthNameTH(m time.Month) string {
	if m < time.January || m > time.December {
		return badMonth(m)
	}
	return monthNamesTH[m-1]
}

// MonthNameTHShort returns the official abbreviation of m with its dots
// ("ธ.ค."). For a month outside 1–12 it behaves like MonthNameTH.
func MonthNameTHShort(m time.Month) string {
	if m < time.January || m > time.December {
		return badMonth(m)
	}
	return monthNamesTHShort[m-1]
}

func badMonth(m time.Month) string { return "%!Month(" + strconv.Itoa(int(m)) + ")" }

// FormatBE formats d the way official letters write it: day, full month
// name, Buddhist Era year, with Arabic digits ("17 ธันวาคม 2567"). Wrap it
// in ToThaiDigits for Thai digits. The zero Date formats as "".
func FormatBE(d Date) string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d %s %d", d.Day, MonthNameTH(d.Month), YearBE(d))
}

// FormatBEShort formats d compactly with the abbreviated month and the last
// two digits of the Buddhist Era year ("17 ธ.ค. 67"). Parse reads a
// two-digit year as 25xx BE, so the result parses back only for 1957–2056.
// The zero Date formats as "".
func FormatBEShort(d Date) string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d %s %02d", d.Day, MonthNameTHShort(d.Month), YearBE(d)%100)
}

// FormatDateTimeBE formats the instant t as its Bangkok date and 24-hour
// time, "17 ธ.ค. 2567 เวลา 13:30 น.", whatever t's location.
func FormatDateTimeBE(t time.Time) string {
	t = t.In(Bangkok)
	d := FromTime(t)
	return fmt.Sprintf("%d %s %d เวลา %02d:%02d น.",
		d.Day, MonthNameTHShort(d.Month), YearBE(d), t.Hour(), t.Minute())
}

// NormalizeDigits replaces each Thai digit (๐–๙) in s with the Arabic digit
// of the same value and leaves every other character unchanged.
func NormalizeDigits(s string) string {
	if !strings.ContainsFunc(s, isThaiDigit) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isThaiDigit(r) {
			return '0' + (r - thaiZero)
		}
		return r
	}, s)
}

// ToThaiDigits replaces each Arabic digit (0–9) in s with the Thai digit of
// the same value and leaves every other character unchanged; it is the
// inverse of NormalizeDigits.
func ToThaiDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return thaiZero + (r - '0')
		}
		return r
	}, s)
}

func isThaiDigit(r rune) bool { return r >= thaiZero && r <= thaiNine }

// ParseInt parses a base-10 integer written in Arabic or Thai digits (or a
// mix), with an optional sign and surrounding white space: " ๑๒ " is 12.
func ParseInt(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(NormalizeDigits(s)))
	if err != nil {
		return 0, fmt.Errorf("ไม่ใช่ตัวเลขจำนวนเต็ม (not an integer): %q", s)
	}
	return n, nil
}
