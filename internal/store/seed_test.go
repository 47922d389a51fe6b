package store_test

import (
	"context"
	"testing"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
)

// TestSeedReference seeds the embedded reference data into an empty
// database and checks what a first start must offer: the national unit, 77
// provinces, 928 district rows (878 outside Bangkok) and the holidays; then
// that seeding again changes nothing, and that an admin's edits survive a
// later start even when the shipped data changed.
func TestSeedReference(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		if err := store.SeedReference(ctx, db); err != nil {
			t.Fatal(err)
		}
		if n := countUnits(t, db, "type = ?", models.UnitProvince); n != 77 {
			t.Errorf("%d provinces, want 77", n)
		}
		if n := countUnits(t, db, "type = ?", models.UnitDistrict); n != 928 {
			t.Errorf("%d districts, want 928", n)
		}
		if n := countUnits(t, db, "type = ? AND parent_code <> ?", models.UnitDistrict, "10"); n != 878 {
			t.Errorf("%d district centres outside Bangkok, want 878", n)
		}
		if n := countUnits(t, db, "code = ? AND parent_code IS NULL", models.NationalUnitCode); n != 1 {
			t.Errorf("national unit: %d rows", n)
		}
		var unit models.Unit
		if err := db.First(&unit, "code = ?", "5001").Error; err != nil || unit.NameTH != "เมืองเชียงใหม่" || *unit.ParentCode != "50" {
			t.Errorf("district 5001: %+v %v", unit, err)
		}
		var province models.Unit
		if err := db.First(&province, "code = ?", "20").Error; err != nil || *province.InspectionRegion != 8 || province.ISOCode != "TH-20" {
			t.Errorf("province 20: %+v %v", province, err)
		}
		holidays := countRows(t, db, &models.Holiday{}, "")
		if holidays != 69 {
			t.Errorf("%d holidays, want 69", holidays)
		}

		// An admin renames a holiday and deletes another, and edits a unit.
		must(t, db.Model(&models.Holiday{}).Where("date = ?", "2026-01-01").Update("name_th", "วันขึ้นปีใหม่ (แก้ไข)").Error)
		must(t, db.Where("date = ?", "2026-01-02").Delete(&models.Holiday{}).Error)
		must(t, db.Model(&models.Unit{}).Where("code = ?", "5001").Update("email", "cm@example.go.th").Error)
		must(t, db.Model(&models.Unit{}).Where("code = ?", "5002").Update("name_en", "Chom Thong (edited)").Error)

		// The same binary starts again: nothing changes.
		if err := store.SeedReference(ctx, db); err != nil {
			t.Fatal(err)
		}
		checkEdits := func(when string) {
			t.Helper()
			var h models.Holiday
			if err := db.First(&h, "date = ?", "2026-01-01").Error; err != nil || h.NameTH != "วันขึ้นปีใหม่ (แก้ไข)" {
				t.Errorf("%s: edited holiday %+v %v", when, h, err)
			}
			var u models.Unit
			if err := db.First(&u, "code = ?", "5002").Error; err != nil || u.NameEN != "Chom Thong (edited)" {
				t.Errorf("%s: edited unit %+v %v", when, u, err)
			}
			var u1 models.Unit
			if err := db.First(&u1, "code = ?", "5001").Error; err != nil || u1.Email != "cm@example.go.th" {
				t.Errorf("%s: unit email %+v %v", when, u1, err)
			}
		}
		checkEdits("same data")
		if n := countRows(t, db, &models.Holiday{}, "date = ?", "2026-01-02"); n != 0 {
			t.Error("a deleted holiday came back on restart")
		}

		// A new binary ships changed data (simulated by forgetting the
		// digests): missing rows are added, edits are kept.
		must(t, db.Model(&models.ReferenceSeed{}).Where("1 = 1").Update("sha256", "older").Error)
		must(t, db.Where("code = ?", "9613").Delete(&models.Unit{}).Error)
		if err := store.SeedReference(ctx, db); err != nil {
			t.Fatal(err)
		}
		checkEdits("new data")
		if n := countUnits(t, db, "code = ?", "9613"); n != 1 {
			t.Error("a district missing from the database was not added by a new data version")
		}
		if n := countRows(t, db, &models.Holiday{}, ""); n != holidays {
			t.Errorf("%d holidays after re-seed, want %d", n, holidays)
		}
		var marks []models.ReferenceSeed
		must(t, db.Order("name").Find(&marks).Error)
		if len(marks) != 2 || marks[0].Name != store.SeedHolidays || marks[1].Name != store.SeedUnits || marks[1].Inserted != 1 {
			t.Errorf("reference_seeds %+v", marks)
		}
	})
}

func countRows(t *testing.T, db *gorm.DB, model any, where string, args ...any) int {
	t.Helper()
	q := db.Model(model)
	if where != "" {
		q = q.Where(where, args...)
	}
	var n int64
	if err := q.Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
