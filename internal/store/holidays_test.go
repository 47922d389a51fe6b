package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
)

func TestImportHolidays(t *testing.T) {
	raw, rows := readRefCSV(t, "holidays.csv")
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		progress := &progressLog{t: t}
		res, err := store.ImportHolidays(ctx, db, strings.NewReader(string(raw)), progress.record)
		if err != nil {
			t.Fatal(err)
		}
		if res != (store.ImportResult{Inserted: len(rows)}) {
			t.Errorf("import = %+v, want %d inserted", res, len(rows))
		}
		if progress.done != len(rows) || progress.total != len(rows) {
			t.Errorf("progress ended at (%d, %d), want (%d, %d)", progress.done, progress.total, len(rows), len(rows))
		}

		all, err := store.ListHolidays(ctx, db, "", "")
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != len(rows) {
			t.Fatalf("ListHolidays returned %d, want %d", len(all), len(rows))
		}
		for i, h := range all {
			if i > 0 && all[i-1].Date >= h.Date {
				t.Errorf("ListHolidays not ordered: %s then %s", all[i-1].Date, h.Date)
			}
		}
		byDate := map[string]models.Holiday{}
		for _, h := range all {
			byDate[h.Date] = h
		}
		for _, r := range rows {
			if h := byDate[r[0]]; h.NameTH != r[1] || h.NameEN != r[2] {
				t.Errorf("holiday %s = %+v, want %q / %q", r[0], h, r[1], r[2])
			}
		}

		// A range is inclusive at both ends.
		first, last := rows[0][0], rows[len(rows)-1][0]
		wantInYear := 0
		for _, r := range rows {
			if r[0][:4] == first[:4] {
				wantInYear++
			}
		}
		inYear, err := store.ListHolidays(ctx, db, first, first[:4]+"-12-31")
		if err != nil {
			t.Fatal(err)
		}
		if len(inYear) != wantInYear || inYear[0].Date != first {
			t.Errorf("holidays of %s: %d starting %v, want %d starting %s", first[:4], len(inYear), inYear, wantInYear, first)
		}
		if only, err := store.ListHolidays(ctx, db, last, last); err != nil || len(only) != 1 {
			t.Errorf("ListHolidays(%s, %s) = %v, %v; want exactly that day", last, last, only, err)
		}
		for _, bad := range [][2]string{{"2025-13-01", ""}, {"", "25-01-01"}, {"2025-02-01", "2025-01-01"}} {
			if _, err := store.ListHolidays(ctx, db, bad[0], bad[1]); apperr.CodeOf(err) != apperr.Invalid {
				t.Errorf("ListHolidays(%q, %q): err = %v, want Invalid", bad[0], bad[1], err)
			}
		}

		res, err = store.ImportHolidays(ctx, db, strings.NewReader(string(raw)), nil)
		if err != nil || res != (store.ImportResult{Unchanged: len(rows)}) {
			t.Errorf("re-import = %+v, %v; want all %d unchanged", res, err, len(rows))
		}

		// Buddhist Era years and Thai digits; one new day (after the last
		// one in the file) and one renamed.
		lastDay, _ := time.Parse(time.DateOnly, last)
		newDay := time.Date(lastDay.Year()+1, 1, 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
		file := "date,name_th,name_en\n" +
			thaiDigits(toBE(t, newDay)) + ",วันขึ้นปีใหม่,New Year's Day\n" +
			toBE(t, first) + "," + rows[0][1] + " (แก้ไข)," + rows[0][2] + "\n"
		res, err = store.ImportHolidays(ctx, db, strings.NewReader(file), nil)
		if err != nil {
			t.Fatal(err)
		}
		if res != (store.ImportResult{Inserted: 1, Updated: 1}) {
			t.Errorf("BE import = %+v, want 1 inserted and 1 updated", res)
		}
		if got, _ := store.ListHolidays(ctx, db, newDay, newDay); len(got) != 1 {
			t.Errorf("%s (BE, Thai digits) was not stored as %s: %v", thaiDigits(toBE(t, newDay)), newDay, got)
		}
	})
}

// thaiDigits writes the digits of s as ๐–๙.
func thaiDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return '๐' + (r - '0')
		}
		return r
	}, s)
}

// toBE writes a Gregorian YYYY-MM-DD with a Buddhist Era year.
func toBE(t *testing.T, iso string) string {
	d, err := time.Parse(time.DateOnly, iso)
	if err != nil {
		t.Fatal(err)
	}
	return d.AddDate(543, 0, 0).Format(time.DateOnly)
}

func TestImportHolidaysRejectsBadRows(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		file := "date,name_th,name_en\n" +
			"2025-01-01,วันขึ้นปีใหม่,New Year's Day\n" + // 2
			"2025-02-29,ไม่มีวันนี้,No such day\n" + // 3: not a leap year
			"2568-01-01,ซ้ำ,Duplicate\n" + // 4: same day as line 2, in BE
			"5/12/2025,วันพ่อ,Father's Day\n" + // 5: not ISO
			"2025-12-10,,Constitution Day\n" // 6: no Thai name
		_, err := store.ImportHolidays(context.Background(), db, strings.NewReader(file), nil)
		e := apperr.As(err)
		if e == nil || e.Code != apperr.Invalid {
			t.Fatalf("err = %v, want apperr.Invalid", err)
		}
		details := e.Details.([]store.RowError)
		want := map[int]string{3: "date", 4: "date", 5: "date", 6: "name_th"}
		if len(details) != len(want) {
			t.Errorf("details = %+v, want problems on lines 3–6", details)
		}
		for _, d := range details {
			if want[d.Line] != d.Field {
				t.Errorf("unexpected problem %+v", d)
			}
			if d.Line == 4 && !strings.Contains(d.Message, "บรรทัด 2") {
				t.Errorf("duplicate date does not name the other line: %s", d.Message)
			}
		}
		if all, _ := store.ListHolidays(context.Background(), db, "", ""); len(all) != 0 {
			t.Errorf("rejected import wrote %d holidays", len(all))
		}
	})
}

func TestRecordAudit(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		start := time.Now().Add(-time.Second)
		err := db.Transaction(func(tx *gorm.DB) error {
			return store.RecordAudit(tx, models.AuditEvent{
				Actor: "admin", Action: "unit.update", EntityType: "unit", EntityID: "50",
				Before: `{"email":""}`, After: `{"email":"cm@example.go.th"}`, RequestID: "req-1",
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		var ev models.AuditEvent
		mustFirst(t, db, &ev, "entity_type = ? AND entity_id = ?", "unit", "50")
		if ev.At.Before(start) || ev.At.After(time.Now().Add(time.Second)) {
			t.Errorf("At = %v, want about now", ev.At)
		}
		if ev.After != `{"email":"cm@example.go.th"}` || ev.RequestID != "req-1" || ev.Actor != "admin" {
			t.Errorf("event = %+v", ev)
		}

		at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.FixedZone("ICT", 7*3600))
		if err := store.RecordAudit(db, models.AuditEvent{At: at, Actor: "a", Action: "b", EntityType: "c", EntityID: "d"}); err != nil {
			t.Fatal(err)
		}
		var given models.AuditEvent
		mustFirst(t, db, &given, "entity_id = ?", "d")
		if !given.At.Equal(at) {
			t.Errorf("At = %v, want %v", given.At, at)
		}

		// A rolled-back transaction takes its audit record with it.
		rollback := errors.New("rollback")
		_ = db.Transaction(func(tx *gorm.DB) error {
			if err := store.RecordAudit(tx, models.AuditEvent{Actor: "a", Action: "b", EntityType: "c", EntityID: "gone"}); err != nil {
				t.Fatal(err)
			}
			return rollback
		})
		var n int64
		db.Model(&models.AuditEvent{}).Where("entity_id = ?", "gone").Count(&n)
		if n != 0 {
			t.Error("audit event survived its transaction's rollback")
		}

		err = store.RecordAudit(db, models.AuditEvent{Actor: "a", Action: "b", EntityType: "c"})
		if e := apperr.As(err); e == nil || e.Field != "entity_id" {
			t.Errorf("event without entity id: err = %v, want a field error on entity_id", err)
		}
	})
}
