package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/tidtam/tidtam/internal/store"
	"gorm.io/gorm"
)

// TestMigration8LegacyAPITokens applies migrations 1–7, stores tokens as
// the code before 8 did (API tokens without expiry), then runs 8: existing
// accounts may not mint tokens, existing tokens keep read-write scope,
// unrevoked API tokens get an expiry about 90 days away, and sessions and
// revoked tokens are left alone.
func TestMigration8LegacyAPITokens(t *testing.T) {
	ctx := context.Background()
	check := func(t *testing.T, databaseURL string) {
		db, err := store.Open(ctx, databaseURL)
		if err != nil {
			t.Fatal(err)
		}
		defer closeDB(t, db)
		m8 := migrateUpTo(t, db, 8)
		now := time.Now().UTC()
		for _, stmt := range []string{
			`INSERT INTO accounts (username, password_hash, role, display_name, email, position) VALUES ('legacy', 'x', 'district', '', '', '')`,
		} {
			if err := db.Exec(stmt).Error; err != nil {
				t.Fatal(err)
			}
		}
		var accountID int64
		db.Table("accounts").Where("username = 'legacy'").Pluck("id", &accountID)
		insert := func(name, kind string, expires, revoked *time.Time) {
			t.Helper()
			if err := db.Exec(`INSERT INTO api_tokens (account_id, name, kind, token_hash, expires_at, revoked_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				accountID, name, kind, name+"-hash", expires, revoked, now).Error; err != nil {
				t.Fatal(err)
			}
		}
		sessionEnd := now.Add(time.Hour)
		insert("integration", "api", nil, nil)
		insert("withdrawn", "api", nil, &now)
		insert("session", "session", &sessionEnd, nil)

		if err := db.Transaction(m8.Up); err != nil {
			t.Fatalf("migration 8: %v", err)
		}
		var can bool
		db.Table("accounts").Where("id = ?", accountID).Pluck("can_create_tokens", &can)
		if can {
			t.Error("an existing account may mint tokens after migration 8")
		}
		type row struct {
			Name, Scope, Prefix string
			ExpiresAt           *time.Time
		}
		var rows []row
		if err := db.Table("api_tokens").Select("name, scope, prefix, expires_at").Order("id").Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		if len(rows) != 3 {
			t.Fatalf("%d tokens after migration 8", len(rows))
		}
		for _, r := range rows {
			if r.Scope != "read_write" || r.Prefix != "" {
				t.Errorf("token %s: scope %q prefix %q, want read_write and no prefix", r.Name, r.Scope, r.Prefix)
			}
		}
		grace := 90 * 24 * time.Hour
		if e := rows[0].ExpiresAt; e == nil || e.Before(now.Add(grace-time.Minute)) || e.After(now.Add(grace+time.Minute)) {
			t.Errorf("legacy API token expires at %v, want about %v", e, now.Add(grace))
		}
		if rows[1].ExpiresAt != nil {
			t.Errorf("revoked API token was given an expiry: %v", rows[1].ExpiresAt)
		}
		if e := rows[2].ExpiresAt; e == nil || e.Sub(sessionEnd).Abs() > time.Millisecond {
			t.Errorf("session expiry changed to %v, want %v", e, sessionEnd)
		}
		var n int64
		if err := db.Table("login_failures").Count(&n).Error; err != nil || n != 0 {
			t.Errorf("login_failures: %d rows, %v", n, err)
		}
	}
	t.Run("sqlite", func(t *testing.T) { check(t, "sqlite:"+t.TempDir()+"/app.db") })
	t.Run("postgres", func(t *testing.T) { check(t, emptyPostgresURL(t)) })
}

// migrateUpTo applies the migrations before version to db and returns
// migration version itself, not yet applied, for a test of what it does
// to rows written by the code before it.
func migrateUpTo(t *testing.T, db *gorm.DB, version int) store.Migration {
	t.Helper()
	var next store.Migration
	for _, m := range store.Migrations() {
		switch {
		case m.Version < version:
			if err := db.Transaction(m.Up); err != nil {
				t.Fatalf("migration %d: %v", m.Version, err)
			}
		case m.Version == version:
			next = m
		}
	}
	if next.Up == nil {
		t.Fatalf("migration %d is not registered", version)
	}
	return next
}
