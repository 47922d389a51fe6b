package tipstest

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/store"
)

// AssertNoPlaintext searches the raw database for each needle: every file
// of a SQLite database (main file, WAL, after a checkpoint too), every
// row of the tip tables as text on PostgreSQL; it fails t naming each
// needle found, and when the search could not find a province name
// that is there (so it never passes by searching nothing).
func AssertNoPlaintext(t testing.TB, db *gorm.DB, needles ...string) {
	t.Helper()
	var hay [][]byte
	if store.IsPostgres(db) {
		for _, table := range []string{"tips", "tip_messages", "tip_files"} {
			var rows []string
			if err := db.Raw("SELECT t::text FROM " + table + " t").Scan(&rows).Error; err != nil {
				t.Fatal(err)
			}
			if len(rows) == 0 && table != "tip_files" {
				t.Fatalf("%s is empty: nothing was searched", table)
			}
			hay = append(hay, []byte(strings.Join(rows, "\n")))
		}
	} else {
		var list []struct {
			Seq  int
			Name string
			File string
		}
		if err := db.Raw("PRAGMA database_list").Scan(&list).Error; err != nil || len(list) == 0 || list[0].File == "" {
			t.Fatalf("database file: %v %v", list, err)
		}
		read := func() {
			matches, _ := filepath.Glob(list[0].File + "*")
			for _, f := range matches {
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				hay = append(hay, b)
			}
		}
		read()
		if err := db.Exec("PRAGMA wal_checkpoint(TRUNCATE)").Error; err != nil {
			t.Fatal(err)
		}
		read()
		// The search itself must be able to find text that is there.
		if !bytes.Contains(bytes.Join(hay, nil), []byte("ศอ.ปส.จ.")) && !bytes.Contains(bytes.Join(hay, nil), []byte("สมุทรปราการ")) {
			t.Fatal("the raw search does not find a province name: it searches nothing")
		}
	}
	all := bytes.Join(hay, nil)
	for _, n := range needles {
		if bytes.Contains(all, []byte(n)) {
			t.Errorf("the database holds %q in plaintext", n)
		}
	}
}
