package store_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/internal/store/storetest"
)

func registeredVersions() []int {
	var vs []int
	for _, m := range store.Migrations() {
		vs = append(vs, m.Version)
	}
	return vs
}

func TestMigrationsRegistry(t *testing.T) {
	ms := store.Migrations()
	if len(ms) == 0 || ms[0].Version != 1 || ms[0].Name != "foundation" {
		t.Fatalf("first migration = %+v, want 1 foundation", ms)
	}
	if !slices.IsSorted(registeredVersions()) {
		t.Errorf("Migrations() not sorted: %v", registeredVersions())
	}
	assertPanics(t, "duplicate version", func() {
		store.Register(store.Migration{Version: 1, Name: "again", Up: func(*gorm.DB) error { return nil }})
	})
	assertPanics(t, "version 0", func() {
		store.Register(store.Migration{Version: 0, Name: "zero", Up: func(*gorm.DB) error { return nil }})
	})
	assertPanics(t, "nil Up", func() {
		store.Register(store.Migration{Version: 1 << 30, Name: "nil_up"})
	})
	if got := len(store.Migrations()); got != len(ms) {
		t.Errorf("rejected registrations changed the registry: %d migrations, want %d", got, len(ms))
	}
}

func assertPanics(t *testing.T, what string, fn func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s: Register did not panic", what)
		}
	}()
	fn()
}

func TestMigrateFromScratchThenIdempotent(t *testing.T) {
	want := registeredVersions()
	latest := want[len(want)-1]
	ctx := context.Background()
	check := func(t *testing.T, databaseURL string) {
		db, err := store.Open(ctx, databaseURL)
		if err != nil {
			t.Fatal(err)
		}
		defer closeDB(t, db)

		cur, lat, err := store.SchemaVersion(ctx, db)
		if err != nil || cur != 0 || lat != latest {
			t.Fatalf("SchemaVersion before = %d, %d, %v; want 0, %d", cur, lat, err, latest)
		}
		applied, err := store.Migrate(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(applied, want) {
			t.Errorf("first Migrate applied %v, want %v", applied, want)
		}
		applied, err = store.Migrate(ctx, db)
		if err != nil || len(applied) != 0 {
			t.Errorf("second Migrate applied %v, %v; want nothing", applied, err)
		}
		var rows int64
		db.Table("schema_migrations").Count(&rows)
		if int(rows) != len(want) {
			t.Errorf("schema_migrations has %d rows, want %d", rows, len(want))
		}
		cur, lat, err = store.SchemaVersion(ctx, db)
		if err != nil || cur != latest || lat != latest {
			t.Errorf("SchemaVersion after = %d, %d, %v; want %d, %d", cur, lat, err, latest, latest)
		}
	}
	t.Run("sqlite", func(t *testing.T) { check(t, "sqlite:"+t.TempDir()+"/new/sub/dir/app.db") })
	t.Run("postgres", func(t *testing.T) { check(t, emptyPostgresURL(t)) })
}

// TestMigrateConcurrently starts several migrations of one empty database at
// once, as `tidtam migrate` and a starting server would: each migration must
// run exactly once and none may fail.
func TestMigrateConcurrently(t *testing.T) {
	want := registeredVersions()
	run := func(t *testing.T, databaseURL string) {
		ctx := context.Background()
		const n = 4
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			applied []int
		)
		for range n {
			db, err := store.Open(ctx, databaseURL)
			if err != nil {
				t.Fatal(err)
			}
			defer closeDB(t, db)
			wg.Go(func() {
				vs, err := store.Migrate(ctx, db)
				if err != nil {
					t.Errorf("concurrent Migrate: %v", err)
				}
				mu.Lock()
				applied = append(applied, vs...)
				mu.Unlock()
			})
		}
		wg.Wait()
		slices.Sort(applied)
		if !slices.Equal(applied, want) {
			t.Errorf("concurrent Migrate calls applied %v in total, want each of %v once", applied, want)
		}
	}
	t.Run("sqlite", func(t *testing.T) { run(t, "sqlite:"+t.TempDir()+"/app.db") })
	t.Run("postgres", func(t *testing.T) { run(t, emptyPostgresURL(t)) })
}

// TestSchemaVersionNoticesMissingMigration deletes the record of migration
// 1 from a current database: SchemaVersion must report it as behind.
func TestSchemaVersionNoticesMissingMigration(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		if err := db.Exec("DELETE FROM schema_migrations WHERE version = 1").Error; err != nil {
			t.Fatal(err)
		}
		cur, lat, err := store.SchemaVersion(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if cur != 0 || cur >= lat {
			t.Errorf("SchemaVersion = %d, %d; want current 0 below latest", cur, lat)
		}
	})
}

// emptyPostgresURL returns the URL of a fresh PostgreSQL database with no
// tables at all, by emptying a migrated one.
func emptyPostgresURL(t *testing.T) string {
	u := storetest.PostgresURL(t)
	db, err := store.Open(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	defer closeDB(t, db)
	for _, stmt := range []string{"DROP SCHEMA public CASCADE", "CREATE SCHEMA public"} {
		if err := db.Exec(stmt).Error; err != nil {
			t.Fatal(err)
		}
	}
	return u
}

func closeDB(t *testing.T, db *gorm.DB) {
	t.Helper()
	sqlDB, err := db.DB()
	if err == nil {
		err = sqlDB.Close()
	}
	if err != nil {
		t.Error(err)
	}
}
