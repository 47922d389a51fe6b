package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/internal/store/storetest"
)

func TestOpenSQLiteForms(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, tc := range []struct{ url, file string }{
		{"sqlite:" + dir + "/a/b/app.db", dir + "/a/b/app.db"},
		{"sqlite://" + dir + "/c/app.db", dir + "/c/app.db"},
		{"file:" + dir + "/d/app.db", dir + "/d/app.db"},
		{dir + "/e/with space?and#hash%20.db", dir + "/e/with space?and#hash%20.db"},
		{"sqlite:" + dir + "/f/app.db?_pragma=cache_size(-2000)", dir + "/f/app.db"},
	} {
		t.Run(tc.url, func(t *testing.T) {
			db, err := store.Open(ctx, tc.url)
			if err != nil {
				t.Fatal(err)
			}
			defer closeDB(t, db)
			if store.IsPostgres(db) {
				t.Error("IsPostgres = true for a SQLite URL")
			}
			if err := db.Exec("CREATE TABLE t (x INTEGER)").Error; err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(tc.file); err != nil {
				t.Errorf("database file not where the URL says: %v", err)
			}
			for pragma, want := range map[string]string{
				"foreign_keys": "1", "journal_mode": "wal", "busy_timeout": "10000", "synchronous": "1",
			} {
				var got string
				if err := db.Raw("PRAGMA " + pragma).Scan(&got).Error; err != nil {
					t.Fatal(err)
				}
				if got != want {
					t.Errorf("PRAGMA %s = %q, want %q", pragma, got, want)
				}
			}
			if err := store.Ping(ctx, db); err != nil {
				t.Errorf("Ping: %v", err)
			}
		})
	}
}

func TestOpenSQLiteInMemoryKeepsData(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite::memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer closeDB(t, db)
	if _, err := store.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	// A second pooled connection would see a different, empty database.
	if !db.Migrator().HasTable("units") {
		t.Error("in-memory database lost its tables between statements")
	}
}

func TestOpenPostgres(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, storetest.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer closeDB(t, db)
	if !store.IsPostgres(db) {
		t.Error("IsPostgres = false for a postgres:// URL")
	}
	if err := store.Ping(ctx, db); err != nil {
		t.Errorf("Ping: %v", err)
	}
}

func TestOpenUnreachableNamesURLWithoutPassword(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Port 1 on loopback refuses connections at once.
	_, err := store.Open(ctx, "postgresql://tidtam:s3cret@127.0.0.1:1/tidtam?sslmode=disable")
	if err == nil {
		t.Fatal("Open succeeded against a closed port")
	}
	msg := err.Error()
	if strings.Contains(msg, "s3cret") {
		t.Errorf("error leaks the password: %s", msg)
	}
	if !strings.Contains(msg, "127.0.0.1:1") || !strings.Contains(msg, "xxxxx") {
		t.Errorf("error does not name the redacted URL: %s", msg)
	}

	// A directory where the SQLite file should be cannot be opened.
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "db"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "db")); err == nil || !strings.Contains(err.Error(), dir) {
		t.Errorf("Open of a directory: err = %v, want one naming the path", err)
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://u:pw@h:5432/db?sslmode=disable":   "postgres://u:xxxxx@h:5432/db?sslmode=disable",
		"postgresql://u@h/db":                         "postgresql://u@h/db",
		"postgres://h/db?password=pw&sslmode=disable": "postgres://h/db?password=xxxxx&sslmode=disable",
		"host=h user=u password=pw dbname=d":          "host=h user=u password=xxxxx dbname=d",
		"host=h password='p w' dbname=d":              "host=h password=xxxxx dbname=d",
		"sqlite:/var/lib/tidtam/app.db":               "sqlite:/var/lib/tidtam/app.db",
		"/data/app.db":                                "/data/app.db",
		"postgres://u:p%zz@h/db":                      "postgres://xxxxx@h/db",
	} {
		if got := store.Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSQLiteTranslatesConstraintErrors guards the error translator of the
// modernc driver; the PostgreSQL side is covered by TestModelsRoundTrip.
func TestSQLiteTranslatesConstraintErrors(t *testing.T) {
	db := storetest.SQLite(t)
	if err := db.Exec("INSERT INTO holidays (date, name_th, name_en) VALUES ('2025-01-01', 'a', 'a')").Error; err != nil {
		t.Fatal(err)
	}
	err := db.Exec("INSERT INTO holidays (date, name_th, name_en) VALUES ('2025-01-01', 'b', 'b')").Error
	if !errors.Is(err, gorm.ErrDuplicatedKey) || !strings.Contains(err.Error(), "UNIQUE") {
		t.Errorf("duplicate insert: err = %v, want gorm.ErrDuplicatedKey keeping the driver message", err)
	}
}
