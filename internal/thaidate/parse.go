package thaidate

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// ErrInvalidDate is wrapped by every error from ParseISO, Parse and
// UnmarshalText, so callers can test with errors.Is and map it to a
// validation error. The full message names the input and the problem, e.g.
// `รูปแบบวันที่ไม่ถูกต้อง (invalid date): "31 ก.พ. 2567": เดือนกุมภาพันธ์ 2567 มีเพียง 29 วัน (February 2024 has only 29 days, not 31)`.
var ErrInvalidDate = errors.New("รูปแบบวันที่ไม่ถูกต้อง (invalid date)")

// firstBEYear is the smallest four-digit year read as Buddhist Era. 2400 BE
// is 1857 CE, earlier than any date this system handles, and 2400 CE is far
// beyond it, so the two readings never collide in practice.
const firstBEYear = 2400

// invalid builds the error for input with a reason written Thai first.
func invalid(input, format string, args ...any) error {
	return fmt.Errorf("%w: %q: %s", ErrInvalidDate, input, fmt.Sprintf(format, args...))
}

// ParseISO parses exactly "YYYY-MM-DD" in Arabic digits. A year of 2400 or
// more is a Buddhist Era year and is converted to Common Era, so
// "2567-12-17" and "2024-12-17" give the same Date. The date must exist.
func ParseISO(s string) (Date, error) {
	if len(s) != len("2006-01-02") || s[4] != '-' || s[7] != '-' ||
		!allASCIIDigits(s[0:4]) || !allASCIIDigits(s[5:7]) || !allASCIIDigits(s[8:10]) {
		return Date{}, invalid(s, "ต้องอยู่ในรูปแบบ ปปปป-ดด-วว (expected YYYY-MM-DD)")
	}
	year, _ := strconv.Atoi(s[0:4])
	month, _ := strconv.Atoi(s[5:7])
	day, _ := strconv.Atoi(s[8:10])
	if year >= firstBEYear {
		year -= beOffset
	}
	if err := validate(year, month, day); err != nil {
		return Date{}, invalid(s, "%v", err)
	}
	return Date{Year: year, Month: time.Month(month), Day: day}, nil
}

// Parse reads a date the way Thai officials type it. Accepted forms, in
// Arabic or Thai digits, with optional leading "วันที่":
//
//	2024-12-17, 2567-12-17, 2024/12/17      year first (four digits)
//	17/12/2567, 17-12-2567, 17.12.2567      day first, same separator twice
//	17/12/67
//	17 ธันวาคม 2567, 17 ธ.ค. 67, 17ธค2567    full or abbreviated month name
//	17 ธันวาคม พ.ศ. 2567                    "พ.ศ." (or "ค.ศ.") before the year
//
// Abbreviated months may be written with or without their dots and spaces
// (ธ.ค., ธ.ค, ธค); informal names such as "ธันวา" and the common misspelling
// "กรกฏาคม" are accepted too. Years: four digits ≥ 2400 are Buddhist Era,
// four digits < 2400 are Common Era, two digits are Buddhist Era 25xx
// (67 → 2567 → 2024). A year marked "พ.ศ." must read as Buddhist Era and one
// marked "ค.ศ." as Common Era. The date must exist in the calendar (31
// February is rejected). Errors wrap ErrInvalidDate and say what is wrong.
func Parse(s string) (Date, error) {
	t := collapseSpaces(NormalizeDigits(s))
	if t == "" {
		return Date{}, invalid(s, "ไม่ได้ระบุวันที่ (empty date)")
	}
	t = strings.TrimSpace(strings.TrimPrefix(t, "วันที่"))

	first, rest := splitDigits(t)
	if first == "" {
		return Date{}, invalid(s, "ต้องขึ้นต้นด้วยวันที่ เช่น 17 ธันวาคม 2567 หรือ 17/12/2567 (must start with the day number)")
	}
	if r := strings.TrimLeft(rest, " "); r != "" && strings.ContainsRune(numericSeparators, rune(r[0])) {
		return parseNumeric(s, t)
	}
	return parseWithMonthName(s, first, rest)
}

// numericSeparators are the characters allowed between numeric date parts.
const numericSeparators = "/-."

// parseNumeric reads D/M/Y or Y/M/D with one separator kind: "/", "-" or
// "."; t starts with digits followed by the separator.
func parseNumeric(input, t string) (Date, error) {
	_, rest := splitDigits(t)
	sep := strings.TrimLeft(rest, " ")[:1]
	parts := strings.Split(t, sep)
	for i := range parts {
		p := strings.TrimSpace(parts[i])
		if !allASCIIDigits(p) {
			if allASCIIDigits(strings.Map(dropSeparator, p)) {
				return Date{}, invalid(input, "ใช้ตัวคั่นปนกัน (mixed separators)")
			}
			return Date{}, invalid(input, "ต้องเป็นตัวเลข วัน%sเดือน%sปี (expected day%smonth%syear in digits)", sep, sep, sep, sep)
		}
		parts[i] = p
	}
	if len(parts) != 3 {
		return Date{}, invalid(input, "ต้องมีวัน เดือน และปี (expected day%smonth%syear)", sep, sep)
	}
	dayPart, monthPart, yearPart := parts[0], parts[1], parts[2]
	if len(parts[0]) == 4 { // year first, as in ISO
		yearPart, dayPart = parts[0], parts[2]
	}
	if len(dayPart) > 2 {
		return Date{}, invalid(input, "วันที่ %q ต้องมี 1–2 หลัก (day must have 1 or 2 digits)", dayPart)
	}
	if len(monthPart) > 2 {
		return Date{}, invalid(input, "เดือน %q ต้องมี 1–2 หลัก (month must have 1 or 2 digits)", monthPart)
	}
	month, _ := strconv.Atoi(monthPart)
	return finish(input, dayPart, month, yearPart, eraUnmarked)
}

// parseWithMonthName reads "<day> <month name> [พ.ศ.|ค.ศ.] <year>"; day is
// the leading digits and rest everything after them.
func parseWithMonthName(input, day, rest string) (Date, error) {
	monthText, afterMonth := splitNonDigits(rest)
	year, tail := splitDigits(afterMonth)
	if tail = strings.TrimSpace(tail); tail != "" {
		return Date{}, invalid(input, "มีข้อความเกินมาหลังปี %q (unexpected text after the year)", tail)
	}

	key := strings.NewReplacer(".", "", " ", "").Replace(monthText)
	era := eraUnmarked
	switch {
	case strings.HasSuffix(key, "พศ"):
		era, key = eraBE, strings.TrimSuffix(key, "พศ")
	case strings.HasSuffix(key, "คศ"):
		era, key = eraCE, strings.TrimSuffix(key, "คศ")
	}
	if key == "" {
		return Date{}, invalid(input, "ไม่ได้ระบุเดือน (missing month)")
	}
	month, ok := monthByName[key]
	if !ok {
		return Date{}, invalid(input, "ไม่รู้จักชื่อเดือน %q (unknown month name)", strings.TrimSpace(monthText))
	}
	if year == "" {
		return Date{}, invalid(input, "ไม่ได้ระบุปี (missing year)")
	}
	return finish(input, day, int(month), year, era)
}

type era int

const (
	eraUnmarked era = iota
	eraBE           // the text said พ.ศ.
	eraCE           // the text said ค.ศ.
)

// finish converts the year, checks the date exists and builds it.
func finish(input, dayDigits string, month int, yearDigits string, marked era) (Date, error) {
	if len(dayDigits) > 2 {
		return Date{}, invalid(input, "วันที่ %q ต้องมี 1–2 หลัก (day must have 1 or 2 digits)", dayDigits)
	}
	day, _ := strconv.Atoi(dayDigits)
	yearNum, _ := strconv.Atoi(yearDigits)
	var year int
	switch len(yearDigits) {
	case 2:
		if marked == eraCE {
			return Date{}, invalid(input, "ปี ค.ศ. ต้องมี 4 หลัก (a Common Era year needs 4 digits)")
		}
		year = 2500 + yearNum - beOffset
	case 4:
		isBE := yearNum >= firstBEYear
		if marked == eraBE && !isBE {
			return Date{}, invalid(input, "ปี %d ไม่ใช่ปี พ.ศ. (year %d is marked พ.ศ. but is not a Buddhist Era year)", yearNum, yearNum)
		}
		if marked == eraCE && isBE {
			return Date{}, invalid(input, "ปี %d ไม่ใช่ปี ค.ศ. (year %d is marked ค.ศ. but reads as Buddhist Era)", yearNum, yearNum)
		}
		year = yearNum
		if isBE {
			year -= beOffset
		}
	default:
		return Date{}, invalid(input, "ปี %q ต้องมี 2 หรือ 4 หลัก (year must have 2 or 4 digits)", yearDigits)
	}
	if year < MinYear || year > MaxYear {
		return Date{}, invalid(input, "ปี พ.ศ. %d อยู่นอกช่วงที่รับได้ %d–%d (year %d is out of range %d–%d)",
			year+beOffset, MinYear+beOffset, MaxYear+beOffset, year, MinYear, MaxYear)
	}
	if err := validate(year, month, day); err != nil {
		return Date{}, invalid(input, "%v", err)
	}
	return Date{Year: year, Month: time.Month(month), Day: day}, nil
}

// MinYear and MaxYear bound the Common Era years Parse accepts from people:
// wide enough for any letter, deadline or holiday tidtam deals with, narrow
// enough that every stored date reads back unambiguously ("9999-12-31"
// typed as Buddhist Era would be stored as 9456 and read back as Buddhist
// Era again).
const (
	MinYear = 1900
	MaxYear = 2200
)

// validate explains, Thai first, why year/month/day (Common Era) is not a
// real date, or returns nil.
func validate(year, month, day int) error {
	if year < 1 || year > 9999 {
		return fmt.Errorf("ปี ค.ศ. %d อยู่นอกช่วง 1–9999 (year %d is out of range)", year, year)
	}
	if month < 1 || month > 12 {
		return fmt.Errorf("ไม่มีเดือนที่ %d (month %d does not exist)", month, month)
	}
	m := time.Month(month)
	if last := daysIn(year, m); day < 1 || day > last {
		if day < 1 {
			return fmt.Errorf("ไม่มีวันที่ %d (day %d does not exist)", day, day)
		}
		return fmt.Errorf("เดือน%s %d มีเพียง %d วัน (%s %d has only %d days, not %d)",
			MonthNameTH(m), year+beOffset, last, m, year, last, day)
	}
	return nil
}

// daysIn returns the number of days in month m of year (Common Era).
func daysIn(year int, m time.Month) int {
	// Day 0 of the next month is the last day of m.
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// monthByName maps a month name with dots and spaces removed to its month.
// It is only ever looked up, never iterated.
var monthByName = func() map[string]time.Month {
	names := map[string]time.Month{
		"กรกฏาคม": time.July, // ฏ for ฎ: the most common misspelling in letters
		"มกรา":    time.January, "กุมภา": time.February, "มีนา": time.March,
		"เมษา": time.April, "พฤษภา": time.May, "มิถุนา": time.June,
		"กรกฎา": time.July, "สิงหา": time.August, "กันยา": time.September,
		"ตุลา": time.October, "พฤศจิกา": time.November, "ธันวา": time.December,
	}
	for i := range monthNamesTH {
		m := time.Month(i + 1)
		names[monthNamesTH[i]] = m
		names[strings.ReplaceAll(monthNamesTHShort[i], ".", "")] = m
	}
	return names
}()

// collapseSpaces turns every run of white space (including no-break and
// zero-width spaces pasted from documents) into one ASCII space and trims
// the ends.
func collapseSpaces(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff'
	}), " ")
}

// splitDigits splits s after its leading ASCII digits.
func splitDigits(s string) (digits, rest string) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i], s[i:]
}

// splitNonDigits splits s before its first ASCII digit.
func splitNonDigits(s string) (text, rest string) {
	i := strings.IndexFunc(s, func(r rune) bool { return r >= '0' && r <= '9' })
	if i < 0 {
		return s, ""
	}
	return s[:i], s[i:]
}

// dropSeparator is a strings.Map function that deletes numeric separators.
func dropSeparator(r rune) rune {
	if strings.ContainsRune(numericSeparators, r) {
		return -1
	}
	return r
}

func allASCIIDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
