package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"gorm.io/gorm"
)

// Migration is one versioned, forward-only change to the schema.
//
// Up runs inside a transaction that also records the version in
// schema_migrations, so a migration is applied completely or not at all
// (both SQLite and PostgreSQL have transactional DDL). Up must therefore
// not commit, must use only tx, and must work on both dialects (see
// IsPostgres). Once released, a migration is never edited: later changes
// are new migrations.
type Migration struct {
	// Version orders migrations; it is the NNNN of the file name
	// migration_NNNN_name.go and unique.
	Version int
	// Name says what the migration does, in snake_case.
	Name string
	// Up applies the migration.
	Up func(tx *gorm.DB) error
}

var (
	registryMu sync.Mutex
	registry   = map[int]Migration{}
)

// Register adds m to the migrations Migrate applies. It is called from the
// init function of a file named migration_NNNN_name.go, one file per
// migration, so that adding a migration touches no shared list. It panics
// on a duplicate or non-positive version, an empty name or a nil Up:
// these are programming errors that must stop the binary at start-up.
func Register(m Migration) {
	registryMu.Lock()
	defer registryMu.Unlock()
	switch {
	case m.Version <= 0:
		panic(fmt.Sprintf("store: migration %q has version %d; versions start at 1", m.Name, m.Version))
	case m.Name == "":
		panic(fmt.Sprintf("store: migration %d has no name", m.Version))
	case m.Up == nil:
		panic(fmt.Sprintf("store: migration %d %s has no Up function", m.Version, m.Name))
	}
	if prev, dup := registry[m.Version]; dup {
		panic(fmt.Sprintf("store: migration version %d registered twice (%s and %s)", m.Version, prev.Name, m.Name))
	}
	registry[m.Version] = m
}

// Migrations returns every registered migration ordered by version.
func Migrations() []Migration {
	registryMu.Lock()
	defer registryMu.Unlock()
	ms := make([]Migration, 0, len(registry))
	for _, m := range registry {
		ms = append(ms, m)
	}
	slices.SortFunc(ms, func(a, b Migration) int { return cmp.Compare(a.Version, b.Version) })
	return ms
}

// migrationLockKey is the PostgreSQL advisory lock that serialises schema
// changes between processes (`tidtam migrate` and a starting server). Any
// fixed number works as long as nothing else uses it; this one spells
// "tidtam" in ASCII.
const migrationLockKey int64 = 0x746964_74616d

// Migrate creates schema_migrations if needed and applies, in version
// order, every registered migration not yet recorded there, each in its own
// transaction. It returns the versions it applied, which is empty when the
// schema was already current; on error it returns the versions applied
// before the failing one, which stay applied.
//
// Concurrent callers, also in other processes, are safe: every step runs
// under pg_advisory_xact_lock on PostgreSQL and under SQLite's write lock
// (BEGIN IMMEDIATE) on SQLite, and re-checks schema_migrations once it
// holds the lock, so each migration runs exactly once.
func Migrate(ctx context.Context, db *gorm.DB) (applied []int, err error) {
	db = db.WithContext(ctx)
	if err := db.Transaction(func(tx *gorm.DB) error {
		if err := lockSchema(tx); err != nil {
			return err
		}
		return tx.Exec(fmt.Sprintf(`CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER NOT NULL PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at %s NOT NULL
)`, timestampType(tx))).Error
	}); err != nil {
		return nil, fmt.Errorf("store: create schema_migrations: %w", err)
	}

	for _, m := range Migrations() {
		ran := false
		err := db.Transaction(func(tx *gorm.DB) error {
			if err := lockSchema(tx); err != nil {
				return err
			}
			var n int64
			if err := tx.Table("schema_migrations").Where("version = ?", m.Version).Count(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if err := m.Up(tx); err != nil {
				return err
			}
			ran = true
			return tx.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
				m.Version, m.Name, time.Now().UTC()).Error
		})
		if err != nil {
			return applied, fmt.Errorf("store: migration %04d %s: %w", m.Version, m.Name, err)
		}
		if ran {
			applied = append(applied, m.Version)
		}
	}
	return applied, nil
}

// SchemaVersion reports how far the database's schema is from this build.
// latest is the highest registered version. current is the version the
// database is at: the highest applied version when nothing registered is
// pending, otherwise the version just below the first pending migration
// (so a skipped lower-numbered migration is noticed). current < latest
// means Migrate has work to do; current > latest means a newer build has
// migrated the database. A database without schema_migrations is at 0.
func SchemaVersion(ctx context.Context, db *gorm.DB) (current, latest int, err error) {
	db = db.WithContext(ctx)
	ms := Migrations()
	if len(ms) > 0 {
		latest = ms[len(ms)-1].Version
	}
	if !db.Migrator().HasTable("schema_migrations") {
		return 0, latest, nil
	}
	var versions []int
	if err := db.Table("schema_migrations").Order("version").Pluck("version", &versions).Error; err != nil {
		return 0, latest, fmt.Errorf("store: read schema_migrations: %w", err)
	}
	done := make(map[int]bool, len(versions))
	for _, v := range versions {
		done[v] = true
		current = max(current, v)
	}
	previous := 0
	for _, m := range ms {
		if !done[m.Version] {
			return previous, latest, nil
		}
		previous = m.Version
	}
	return current, latest, nil
}

// lockSchema takes the cross-process schema lock for the rest of tx. On
// SQLite the transaction already holds the database write lock (the DSN
// sets _txlock=immediate), so there is nothing more to do.
func lockSchema(tx *gorm.DB) error {
	if !IsPostgres(tx) {
		return nil
	}
	return tx.Exec("SELECT pg_advisory_xact_lock(?)", migrationLockKey).Error
}

// The DDL in migrations is indented with spaces, never tabs: gorm's SQLite
// Migrator reads column facts back by parsing the stored CREATE TABLE text
// and takes a tab for a quote character.

// timestampType is the column type for a point in time: with time zone on
// PostgreSQL; on SQLite the driver stores an RFC 3339-like text with the
// offset, and DATETIME only tells the driver to parse it back.
func timestampType(db *gorm.DB) string {
	if IsPostgres(db) {
		return "TIMESTAMPTZ"
	}
	return "DATETIME"
}

// autoIDType is the column definition of a surrogate auto-increment
// primary key. AUTOINCREMENT on SQLite stops ids of deleted rows from being
// reused, matching a PostgreSQL sequence.
func autoIDType(db *gorm.DB) string {
	if IsPostgres(db) {
		return "BIGSERIAL NOT NULL PRIMARY KEY"
	}
	return "INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT"
}
