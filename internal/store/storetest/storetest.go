// Package storetest gives tests fresh, migrated databases: a SQLite file in
// the test's temporary directory and a throw-away PostgreSQL database, so
// that every package's tests run on both dialects tidtam supports.
//
// PostgreSQL is found at $TIDTAM_TEST_POSTGRES_URL (default
// DefaultPostgresURL), a role that may CREATE and DROP DATABASE. When it is
// unreachable the PostgreSQL tests fail, saying how to start it, unless
// TIDTAM_TEST_SKIP_POSTGRES=1, in which case they are skipped.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/store"
)

// Environment variables read by this package.
const (
	// EnvPostgresURL names the server used for PostgreSQL tests: a URL of
	// a database the role can connect to in order to create others.
	EnvPostgresURL = "TIDTAM_TEST_POSTGRES_URL"
	// EnvSkipPostgres, set to 1, turns an unreachable PostgreSQL into
	// skipped tests instead of failed ones.
	EnvSkipPostgres = "TIDTAM_TEST_SKIP_POSTGRES"
)

// DefaultPostgresURL is the local PostgreSQL 15 with trust authentication
// that the development machines run.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// setupTimeout bounds creating, connecting to and migrating a test
// database.
const setupTimeout = 60 * time.Second

// EachDB runs fn twice, as subtests "sqlite" and "postgres", each with a
// fresh database that has every migration applied. The databases are
// removed when the subtest ends.
func EachDB(t *testing.T, fn func(t *testing.T, db *gorm.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// SQLite returns a migrated SQLite database in a new file under
// t.TempDir(), closed when the test ends.
func SQLite(t testing.TB) *gorm.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	return openMigrated(ctx, t, "sqlite:"+filepath.Join(t.TempDir(), "tidtam.db"))
}

// Postgres returns a handle on a fresh migrated PostgreSQL database,
// closed and dropped when the test ends.
func Postgres(t testing.TB) *gorm.DB {
	t.Helper()
	u := PostgresURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	db, err := store.Open(ctx, u)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	closeOnCleanup(t, db)
	return db
}

// PostgresURL creates a fresh PostgreSQL database named
// tidtam_test_<random>, migrates it, and returns its URL, for tests that
// hand the database to a subprocess. The database is dropped WITH (FORCE)
// when the test ends, so connections left open by the subprocess do not
// keep it alive.
func PostgresURL(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()

	serverURL := os.Getenv(EnvPostgresURL)
	if serverURL == "" {
		serverURL = DefaultPostgresURL
	}
	connectCtx, cancelConnect := context.WithTimeout(ctx, 5*time.Second)
	admin, err := store.Open(connectCtx, serverURL)
	cancelConnect()
	if err != nil {
		if os.Getenv(EnvSkipPostgres) == "1" {
			t.Skipf("storetest: PostgreSQL unreachable, skipped because %s=1: %v", EnvSkipPostgres, err)
		}
		t.Fatalf("storetest: PostgreSQL is needed for this test and is unreachable: %v\n"+
			"Start it with `pg_ctlcluster 15 main start`, point %s at another server, "+
			"or set %s=1 to skip PostgreSQL tests.", err, EnvPostgresURL, EnvSkipPostgres)
	}
	// Registered first so that it runs last, after the test's own handles
	// on the database are closed.
	t.Cleanup(func() { closeDB(t, admin) })

	name := "tidtam_test_" + randomHex(t, 8)
	if err := admin.WithContext(ctx).Exec("CREATE DATABASE " + name).Error; err != nil {
		t.Fatalf("storetest: create database %s on %s: %v", name, store.Redact(serverURL), err)
	}
	// A test database need not survive a power cut; not waiting for the
	// WAL flush on every commit makes migrations and tests much faster.
	if err := admin.WithContext(ctx).Exec("ALTER DATABASE " + name + " SET synchronous_commit TO off").Error; err != nil {
		t.Fatalf("storetest: configure database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
		defer cancel()
		if err := admin.WithContext(ctx).Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)").Error; err != nil {
			t.Errorf("storetest: drop database %s: %v", name, err)
		}
	})

	u, err := url.Parse(serverURL)
	if err != nil {
		t.Fatalf("storetest: %s is not a URL: %v", EnvPostgresURL, err)
	}
	u.Path = "/" + name
	u.RawPath = ""
	dbURL := u.String()

	db := openMigrated(ctx, t, dbURL)
	closeDB(t, db)
	return dbURL
}

// openMigrated opens databaseURL, applies every migration, and closes the
// handle when the test ends.
func openMigrated(ctx context.Context, t testing.TB, databaseURL string) *gorm.DB {
	t.Helper()
	db, err := store.Open(ctx, databaseURL)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	closeOnCleanup(t, db)
	if _, err := store.Migrate(ctx, db); err != nil {
		t.Fatalf("storetest: migrate %s: %v", store.Redact(databaseURL), err)
	}
	return db
}

func closeOnCleanup(t testing.TB, db *gorm.DB) {
	t.Cleanup(func() { closeDB(t, db) })
}

func closeDB(t testing.TB, db *gorm.DB) {
	sqlDB, err := db.DB()
	if err == nil {
		err = sqlDB.Close()
	}
	if err != nil {
		t.Errorf("storetest: close database: %v", err)
	}
}

func randomHex(t testing.TB, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("storetest: random name: %v", err)
	}
	return hex.EncodeToString(b)
}

// Count returns the number of rows of model's table matching where (a SQL
// condition with ? placeholders for args; empty for every row), and fails
// t on a database error.
func Count(t testing.TB, db *gorm.DB, model any, where string, args ...any) int64 {
	t.Helper()
	var n int64
	q := db.Model(model)
	if where != "" {
		q = q.Where(where, args...)
	}
	if err := q.Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}
