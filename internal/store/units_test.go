package store_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/refdata"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
)

// readRefCSV returns the raw bytes and the data rows (header dropped) of
// an embedded reference file.
func readRefCSV(t *testing.T, name string) ([]byte, [][]string) {
	t.Helper()
	raw := refdata.File(name)
	records, err := csv.NewReader(strings.NewReader(string(raw))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return raw, records[1:]
}

func countUnits(t *testing.T, db *gorm.DB, where string, args ...any) int {
	t.Helper()
	var n int64
	if err := db.Model(&models.Unit{}).Where(where, args...).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func seed(t *testing.T, db *gorm.DB) {
	t.Helper()
	if err := store.SeedBase(context.Background(), db); err != nil {
		t.Fatal(err)
	}
}

// progressLog records progress calls and checks they never go backwards.
type progressLog struct {
	t     *testing.T
	calls int
	done  int
	total int
}

func (p *progressLog) record(done, total int) {
	p.t.Helper()
	if done < p.done || done > total || (p.calls > 0 && total != p.total) {
		p.t.Errorf("progress(%d, %d) after (%d, %d)", done, total, p.done, p.total)
	}
	p.calls++
	p.done, p.total = done, total
}

func TestSeedBase(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		seed(t, db)
		// An operator sets a province's email and breaks a name; re-seeding
		// keeps the email and restores the name.
		if err := db.Model(&models.Unit{}).Where("code = ?", "50").
			Updates(map[string]any{"email": "cm@example.go.th", "name_en": "Chiangmai"}).Error; err != nil {
			t.Fatal(err)
		}
		seed(t, db)

		if got, want := countUnits(t, db, "1 = 1"), 1+len(refdata.Provinces); got != want {
			t.Errorf("%d units after seeding twice, want %d", got, want)
		}
		var national models.Unit
		mustFirst(t, db, &national, "code = ?", models.NationalUnitCode)
		if national.Type != models.UnitNational || national.ParentCode != nil || national.NameTH != "ศปก.ครส." {
			t.Errorf("national unit = %+v", national)
		}
		for _, p := range refdata.Provinces {
			var u models.Unit
			mustFirst(t, db, &u, "code = ?", p.Code)
			if u.Type != models.UnitProvince || u.NameTH != p.NameTH || u.NameEN != p.NameEN || u.ISOCode != p.ISO ||
				u.ParentCode == nil || *u.ParentCode != models.NationalUnitCode ||
				u.InspectionRegion == nil || *u.InspectionRegion != p.Region {
				t.Errorf("province unit %s = %+v, want %+v", p.Code, u, p)
			}
		}
		var cm models.Unit
		mustFirst(t, db, &cm, "code = ?", "50")
		if cm.Email != "cm@example.go.th" {
			t.Errorf("re-seeding lost the email: %q", cm.Email)
		}
	})
}

func TestImportDistricts(t *testing.T) {
	raw, rows := readRefCSV(t, "districts.csv")
	provinceOf := map[string]string{}
	outsideBangkok := 0
	for _, r := range rows {
		provinceOf[r[0]] = r[1]
		if r[1] != "10" {
			outsideBangkok++
		}
	}
	// The reference file's documented shape: 878 อำเภอ and 50 Bangkok เขต.
	if len(rows) != 928 || outsideBangkok != 878 {
		t.Fatalf("districts.csv has %d rows, %d outside Bangkok; want 928 and 878", len(rows), outsideBangkok)
	}

	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		seed(t, db)
		progress := &progressLog{t: t}
		res, err := store.ImportUnits(ctx, db, strings.NewReader(string(raw)), progress.record)
		if err != nil {
			t.Fatal(err)
		}
		if res != (store.ImportResult{Inserted: len(rows)}) {
			t.Errorf("first import = %+v, want %d inserted", res, len(rows))
		}
		if progress.calls < 2 || progress.done != len(rows) || progress.total != len(rows) {
			t.Errorf("progress ended at (%d, %d) after %d calls, want (%d, %d)", progress.done, progress.total, progress.calls, len(rows), len(rows))
		}
		if got := countUnits(t, db, "type = ?", models.UnitDistrict); got != len(rows) {
			t.Errorf("%d district units, want %d", got, len(rows))
		}
		if got := countUnits(t, db, "type = ? AND parent_code <> ?", models.UnitDistrict, "10"); got != outsideBangkok {
			t.Errorf("%d districts outside Bangkok, want %d", got, outsideBangkok)
		}
		var districts []models.Unit
		if err := db.Where("type = ?", models.UnitDistrict).Find(&districts).Error; err != nil {
			t.Fatal(err)
		}
		for _, d := range districts {
			if d.ParentCode == nil || *d.ParentCode != provinceOf[d.Code] {
				t.Errorf("district %s has parent %v, want %s", d.Code, d.ParentCode, provinceOf[d.Code])
			}
		}

		var before models.Unit
		mustFirst(t, db, &before, "code = ?", rows[0][0])
		res, err = store.ImportUnits(ctx, db, strings.NewReader(string(raw)), nil)
		if err != nil {
			t.Fatal(err)
		}
		if res != (store.ImportResult{Unchanged: len(rows)}) {
			t.Errorf("re-import = %+v, want all %d unchanged", res, len(rows))
		}
		var after models.Unit
		mustFirst(t, db, &after, "code = ?", rows[0][0])
		if !after.UpdatedAt.Equal(before.UpdatedAt) {
			t.Errorf("re-import rewrote an unchanged row: updated_at %v → %v", before.UpdatedAt, after.UpdatedAt)
		}

		// A renamed district is an update and nothing else changes.
		edited := strings.Replace(string(raw), ","+rows[0][2]+",", ","+rows[0][2]+" (ใหม่),", 1)
		res, err = store.ImportUnits(ctx, db, strings.NewReader(edited), nil)
		if err != nil {
			t.Fatal(err)
		}
		if res != (store.ImportResult{Updated: 1, Unchanged: len(rows) - 1}) {
			t.Errorf("import with one renamed district = %+v", res)
		}
	})
}

func TestImportUnitsRejectsBadRows(t *testing.T) {
	_, rows := readRefCSV(t, "districts.csv")
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		seed(t, db)
		// Line 1 is the header; good rows are lines 2–11, then the bad ones.
		var b strings.Builder
		b.WriteString("code,province_code,name_th,name_en\n")
		for _, r := range rows[:10] {
			fmt.Fprintf(&b, "%s,%s,%s,%s\n", r[0], r[1], r[2], r[3])
		}
		bad := []struct {
			row, field string
		}{
			{"5001,99,ก,A", "province_code"}, // line 12: unknown province
			{"50/01,50,ข,B", "code"},         // line 13: bad code
			{"5002,50,,C", "name_th"},        // line 14: empty name
			{"6001,50,ง,D", "code"},          // line 15: code of another province
			{rows[0][0] + ",10,จ,E", "code"}, // line 16: duplicate of line 2
			{"50,50,ฉ,F", "code"},            // line 17: a province's code
			{"5003,50,ช", ""},                // line 18: too few fields
		}
		for _, r := range bad {
			b.WriteString(r.row + "\n")
		}

		progress := &progressLog{t: t}
		_, err := store.ImportUnits(context.Background(), db, strings.NewReader(b.String()), progress.record)
		e := apperr.As(err)
		if e == nil || e.Code != apperr.Invalid {
			t.Fatalf("err = %v, want apperr.Invalid", err)
		}
		details, ok := e.Details.([]store.RowError)
		if !ok {
			t.Fatalf("details = %T, want []store.RowError", e.Details)
		}
		if len(details) != len(bad) {
			t.Errorf("%d problems reported, want %d: %v", len(details), len(bad), details)
		}
		for i, want := range bad {
			line := 12 + i
			found := false
			for _, d := range details {
				if d.Line == line && d.Field == want.field {
					found = true
				}
			}
			if !found {
				t.Errorf("no problem reported for line %d field %q (%s); got %v", line, want.field, want.row, details)
			}
		}
		if !strings.Contains(e.Message, "บรรทัด 12: province_code") {
			t.Errorf("message does not lead with the first bad line: %s", e.Message)
		}
		if got := countUnits(t, db, "type = ?", models.UnitDistrict); got != 0 {
			t.Errorf("%d district units written by a rejected import, want 0", got)
		}
		if progress.calls != 0 {
			t.Errorf("progress called %d times for a rejected import", progress.calls)
		}
	})
}

func TestImportUnitsGeneralFormat(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		seed(t, db)
		// A BOM, Thai digits, a child listed before its parent, and the
		// optional columns.
		file := "\uFEFFcode,type,parent_code,name_th,name_en,inspection_region,iso_code,email\n" +
			"MOI.DOPA.1,other,MOI.DOPA,ส่วนหนึ่ง,Division One,,,div1@example.go.th\n" +
			"MOI.DOPA,ministry,MOI,กรมการปกครอง,Department of Provincial Administration,,,\n" +
			"MOI,ministry,ONCB,กระทรวงมหาดไทย,Ministry of Interior,,,\n" +
			"๕๐๙๙,district,๕๐,อำเภอทดสอบ,Test District,,,\n"
		res, err := store.ImportUnits(ctx, db, strings.NewReader(file), nil)
		if err != nil {
			t.Fatal(err)
		}
		if res != (store.ImportResult{Inserted: 4}) {
			t.Errorf("import = %+v, want 4 inserted", res)
		}
		var u models.Unit
		mustFirst(t, db, &u, "code = ?", "MOI.DOPA.1")
		if u.Type != models.UnitOther || u.ParentCode == nil || *u.ParentCode != "MOI.DOPA" || u.Email != "div1@example.go.th" {
			t.Errorf("MOI.DOPA.1 = %+v", u)
		}
		var thaiDigits models.Unit
		mustFirst(t, db, &thaiDigits, "code = ?", "5099")
		if thaiDigits.ParentCode == nil || *thaiDigits.ParentCode != "50" {
			t.Errorf("Thai-digit district = %+v", thaiDigits)
		}

		// A file without the optional columns leaves them alone.
		res, err = store.ImportUnits(ctx, db, strings.NewReader(
			"code,type,parent_code,name_th,name_en\nMOI.DOPA.1,other,MOI.DOPA,ส่วนที่หนึ่ง,Division One\n"), nil)
		if err != nil {
			t.Fatal(err)
		}
		if res != (store.ImportResult{Updated: 1}) {
			t.Errorf("rename = %+v, want 1 updated", res)
		}
		var renamed models.Unit
		mustFirst(t, db, &renamed, "code = ?", "MOI.DOPA.1")
		if renamed.NameTH != "ส่วนที่หนึ่ง" || renamed.Email != "div1@example.go.th" {
			t.Errorf("after rename MOI.DOPA.1 = %+v", renamed)
		}

		for name, tc := range map[string]struct {
			file, field string
		}{
			"cycle":                {"code,type,parent_code,name_th,name_en\nMOI,ministry,MOI.DOPA.1,ก,A\n", "parent_code"},
			"type change":          {"code,type,parent_code,name_th,name_en\n50,district,ONCB,ก,A\n", "code"},
			"national with parent": {"code,type,parent_code,name_th,name_en\nX,national,ONCB,ก,A\n", "parent_code"},
			"missing parent":       {"code,type,parent_code,name_th,name_en\nX,other,,ก,A\n", "parent_code"},
			"unknown parent":       {"code,type,parent_code,name_th,name_en\nX,other,NOPE,ก,A\n", "parent_code"},
			"unknown type":         {"code,type,parent_code,name_th,name_en\nX,galaxy,ONCB,ก,A\n", "type"},
			"bad region":           {"code,type,parent_code,name_th,name_en,inspection_region\n50,province,ONCB,ก,A,19\n", "inspection_region"},
			"region off province":  {"code,type,parent_code,name_th,name_en,inspection_region\nX,other,ONCB,ก,A,3\n", "inspection_region"},
			"bad email":            {"code,type,parent_code,name_th,name_en,email\nX,other,ONCB,ก,A,not-an-address\n", "email"},
		} {
			t.Run(name, func(t *testing.T) {
				_, err := store.ImportUnits(ctx, db, strings.NewReader(tc.file), nil)
				e := apperr.As(err)
				if e == nil || e.Code != apperr.Invalid {
					t.Fatalf("err = %v, want apperr.Invalid", err)
				}
				details, _ := e.Details.([]store.RowError)
				if len(details) != 1 || details[0].Line != 2 || details[0].Field != tc.field {
					t.Errorf("details = %+v, want one problem on line 2, field %s", details, tc.field)
				}
			})
		}
		if got := countUnits(t, db, "code = ?", "X"); got != 0 {
			t.Errorf("a rejected import wrote unit X")
		}

		for name, file := range map[string]string{
			"empty":          "",
			"unknown column": "code,type,parent_code,name_th,name_en,colour\n",
			"missing column": "code,type,name_th,name_en\n",
			"broken quotes":  "code,type,parent_code,name_th,name_en\n\"X,other,ONCB,ก,A\n",
		} {
			t.Run(name, func(t *testing.T) {
				_, err := store.ImportUnits(ctx, db, strings.NewReader(file), nil)
				if c := apperr.CodeOf(err); c != apperr.Invalid && c != apperr.BadRequest {
					t.Errorf("err = %v, want Invalid or BadRequest", err)
				}
			})
		}
	})
}
