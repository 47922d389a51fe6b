package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/internal/store/storetest"
)

// FuzzImportHolidays feeds arbitrary CSV to the holiday import on SQLite:
// it never panics, and it either imports or refuses with a 4xx domain
// error (apperr.Invalid naming bad rows by line, or apperr.BadRequest for a
// file that is not CSV) — never another error, since the database is fine.
func FuzzImportHolidays(f *testing.F) {
	for _, s := range []string{
		"date,name_th,name_en\n2026-01-01,วันขึ้นปีใหม่,New Year's Day\n",
		"\ufeffdate,name_th,name_en\n๒๕๖๙-๐๑-๐๒,วันหยุดพิเศษ,Special\n",
		"date,name_th,name_en\n2026-02-30,x,y\n", "date\n", "", "\"", "date,name_th,name_en\n9999-12-31,a,b\n",
	} {
		f.Add(s)
	}
	db := storetest.SQLite(f)
	f.Fuzz(func(t *testing.T, s string) {
		_, err := store.ImportHolidays(context.Background(), db, strings.NewReader(s), nil)
		if c := apperr.CodeOf(err); err != nil && c != apperr.Invalid && c != apperr.BadRequest {
			t.Fatalf("ImportHolidays(%q): %v", s, err)
		}
	})
}

// FuzzImportUnits does the same for the unit import (both formats).
func FuzzImportUnits(f *testing.F) {
	for _, s := range []string{
		"code,province_code,name_th,name_en\n9901,99,ทดสอบ,Test\n",
		"code,type,parent_code,name_th,name_en\nX1,other,ONCB,หน่วย,Unit\n",
		"code,type,parent_code,name_th,name_en,inspection_region\nX2,province,ONCB,ก,A,๑๙\n", "code\n", "",
	} {
		f.Add(s)
	}
	db := storetest.SQLite(f)
	if err := store.SeedBase(context.Background(), db); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, err := store.ImportUnits(context.Background(), db, strings.NewReader(s), nil)
		if c := apperr.CodeOf(err); err != nil && c != apperr.Invalid && c != apperr.BadRequest {
			t.Fatalf("ImportUnits(%q): %v", s, err)
		}
	})
}
