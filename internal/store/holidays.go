package store

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/models"
)

// holidayColumns is the header of a holiday file.
var holidayColumns = []string{"date", "name_th", "name_en"}

// isoDatePattern is the shape of a YYYY-MM-DD date; time.Parse then checks
// that the day exists.
var isoDatePattern = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})$`)

// buddhistEraFrom is the first year taken as Buddhist Era: no Gregorian
// year tidtam deals with is that large, and no BE year in use is smaller.
const buddhistEraFrom = 2400

// ImportHolidays reads government holidays from a CSV file with the header
// date,name_th,name_en and upserts them by date in one transaction. Dates
// are YYYY-MM-DD; a year of 2400 or more is read as Buddhist Era (2568 →
// 2025), and Thai digits are accepted. Both names are required.
//
// As with ImportUnits, every row is validated first (a date listed twice is
// an error naming both lines), any problem rejects the whole file with a
// single apperr.Invalid whose Details is a []RowError, progress (if not nil)
// finally reports done == total, and a re-import reports all Unchanged.
func ImportHolidays(ctx context.Context, db *gorm.DB, r io.Reader, progress func(done, total int)) (ImportResult, error) {
	f, problems, err := readCSVFile(r)
	if err != nil {
		return ImportResult{}, err
	}
	if err := f.checkHeader(holidayColumns, nil); err != nil {
		return ImportResult{}, err
	}

	var holidays []models.Holiday
	lineOf := map[string]int{}
	for _, row := range f.rows {
		add := func(field, format string, args ...any) {
			problems = append(problems, RowError{Line: row.line, Field: field, Message: fmt.Sprintf(format, args...)})
		}
		h := models.Holiday{NameTH: f.get(row, "name_th"), NameEN: f.get(row, "name_en")}
		checkName("name_th", h.NameTH, add)
		checkName("name_en", h.NameEN, add)
		raw := asciiDigits(f.get(row, "date"))
		date, ok := parseHolidayDate(raw)
		if !ok {
			add("date", "วันที่ %q ไม่ถูกต้อง ต้องเป็น ปปปป-ดด-วว เช่น 2025-12-05 หรือ 2568-12-05 / invalid date %q, use YYYY-MM-DD", raw, raw)
			continue
		}
		if first, dup := lineOf[date]; dup {
			add("date", "วันที่ %s ซ้ำกับบรรทัด %d / date %s is also on line %d", date, first, date, first)
			continue
		}
		lineOf[date] = row.line
		h.Date = date
		holidays = append(holidays, h)
	}
	if len(problems) > 0 {
		slices.SortStableFunc(problems, func(a, b RowError) int { return cmp.Compare(a.Line, b.Line) })
		return ImportResult{}, rejectImport(problems)
	}

	var result ImportResult
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var all []models.Holiday
		if err := tx.Find(&all).Error; err != nil {
			return err
		}
		existing := make(map[string]models.Holiday, len(all))
		for _, h := range all {
			existing[h.Date] = h
		}
		onConflict := clause.OnConflict{
			Columns:   []clause.Column{{Name: "date"}},
			DoUpdates: clause.AssignmentColumns([]string{"name_th", "name_en", "updated_at"}),
		}
		total := len(holidays)
		reportProgress(progress, 0, total)
		for start := 0; start < total; start += importBatchSize {
			batch := holidays[start:min(start+importBatchSize, total)]
			var write []models.Holiday
			for _, h := range batch {
				old, ok := existing[h.Date]
				switch {
				case !ok:
					result.Inserted++
				case old.NameTH == h.NameTH && old.NameEN == h.NameEN:
					result.Unchanged++
					continue
				default:
					result.Updated++
				}
				write = append(write, h)
			}
			if len(write) > 0 {
				if err := tx.Clauses(onConflict).Create(&write).Error; err != nil {
					return err
				}
			}
			reportProgress(progress, start+len(batch), total)
		}
		return nil
	})
	if err != nil {
		return ImportResult{}, fmt.Errorf("store: import holidays: %w", err)
	}
	return result, nil
}

// parseHolidayDate returns s as a Gregorian YYYY-MM-DD, converting a
// Buddhist Era year, or false when s is not a real date in that form.
func parseHolidayDate(s string) (string, bool) {
	m := isoDatePattern.FindStringSubmatch(s)
	if m == nil {
		return "", false
	}
	year, _ := strconv.Atoi(m[1])
	if year >= buddhistEraFrom {
		year -= 543
	}
	// The year is converted before parsing so that 29 February is checked
	// against the right year.
	date := fmt.Sprintf("%04d-%s-%s", year, m[2], m[3])
	if _, err := time.Parse(time.DateOnly, date); err != nil {
		return "", false
	}
	return date, true
}

// ListHolidays returns the holidays from fromISO to toISO inclusive, both
// YYYY-MM-DD, ordered by date. An empty bound is open. A malformed bound,
// or from after to, is an apperr.Invalid naming the field "from" or "to".
func ListHolidays(ctx context.Context, db *gorm.DB, fromISO, toISO string) ([]models.Holiday, error) {
	q := db.WithContext(ctx).Order("date")
	for _, bound := range []struct{ field, value, cond string }{
		{"from", fromISO, "date >= ?"},
		{"to", toISO, "date <= ?"},
	} {
		if bound.value == "" {
			continue
		}
		if _, err := time.Parse(time.DateOnly, bound.value); err != nil {
			return nil, apperr.Field(bound.field, "วันที่ %q ไม่ถูกต้อง ต้องเป็น YYYY-MM-DD (ค.ศ.) / invalid date %q, use YYYY-MM-DD", bound.value, bound.value)
		}
		q = q.Where(bound.cond, bound.value)
	}
	if fromISO != "" && toISO != "" && fromISO > toISO {
		return nil, apperr.Field("to", "วันสิ้นสุด %s อยู่ก่อนวันเริ่มต้น %s / to (%s) is before from (%s)", toISO, fromISO, toISO, fromISO)
	}
	var holidays []models.Holiday
	if err := q.Find(&holidays).Error; err != nil {
		return nil, fmt.Errorf("store: list holidays: %w", err)
	}
	return holidays, nil
}

// HolidayDates returns the dates (YYYY-MM-DD, ascending) of ListHolidays
// from fromISO to toISO, with its bounds and errors. The slice is never
// nil, so it encodes as a JSON array even when empty.
func HolidayDates(ctx context.Context, db *gorm.DB, fromISO, toISO string) ([]string, error) {
	holidays, err := ListHolidays(ctx, db, fromISO, toISO)
	if err != nil {
		return nil, err
	}
	dates := make([]string, len(holidays))
	for i, h := range holidays {
		dates[i] = h.Date
	}
	return dates, nil
}
