package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
)

// TestAuditVerifyCommand runs `tidtam audit verify` on SQLite and
// PostgreSQL: 0 and the row count on an intact trail; after a column is
// changed with SQL, or a row deleted, a non-zero exit naming the first
// broken row.
func TestAuditVerifyCommand(t *testing.T) {
	dbs := map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "tidtam.db") },
		"postgres": func(t *testing.T) string { return storetest.PostgresURL(t) },
	}
	for name, newURL := range dbs {
		t.Run(name, func(t *testing.T) {
			url := newURL(t)
			env := map[string]string{"TIDTAM_DATABASE_URL": url, "TIDTAM_DATA_DIR": t.TempDir(), "TIDTAM_ADMIN_PASSWORD": "admin-password-1"}
			if out, err := runCmd(t, env, "migrate"); err != nil {
				t.Fatalf("migrate: %v\n%s", err, out)
			}
			db, err := store.Open(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				sqlDB, _ := db.DB()
				sqlDB.Close()
			}()
			for i := range 5 {
				err := db.Transaction(func(tx *gorm.DB) error {
					return store.RecordAudit(tx, models.AuditEvent{Actor: "sec", Action: "holiday.put", EntityType: "holiday",
						EntityID: fmt.Sprintf("2025-12-%02d", i+1), After: `{"name_th":"วันหยุด"}`})
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			var rows []models.AuditEvent
			db.Order("id").Find(&rows)
			n := len(rows)

			out, err := runCmd(t, env, "audit", "verify")
			if err != nil || !strings.Contains(out, fmt.Sprintf("hash chain intact: %d rows verified", n)) ||
				!strings.Contains(out, rows[n-1].Hash) {
				t.Fatalf("intact trail: err=%v\n%s", err, out)
			}

			// A changed field: the row itself is named.
			changed := rows[n-3]
			db.Exec(`UPDATE audit_events SET after = '{"name_th":"แก้ไข"}' WHERE id = ?`, changed.ID)
			out, err = runCmd(t, env, "audit", "verify")
			want := fmt.Sprintf("hash chain broken at row %d", changed.ID)
			if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(out, want) || !strings.Contains(out, "changed") {
				t.Fatalf("changed field: err=%v\n%s", err, out)
			}
			db.Exec(`UPDATE audit_events SET after = ? WHERE id = ?`, changed.After, changed.ID)
			if out, err := runCmd(t, env, "audit", "verify"); err != nil {
				t.Fatalf("restored: %v\n%s", err, out)
			}

			// A deleted row: the row after it is named.
			db.Exec(`DELETE FROM audit_events WHERE id = ?`, rows[n-2].ID)
			out, err = runCmd(t, env, "audit", "verify")
			want = fmt.Sprintf("hash chain broken at row %d", rows[n-1].ID)
			if err == nil || !strings.Contains(out, want) || !strings.Contains(out, "deleted") {
				t.Fatalf("deleted row: err=%v\n%s", err, out)
			}

			if _, err := runCmd(t, env, "audit", "check"); err == nil || !strings.Contains(err.Error(), "usage") {
				t.Errorf("unknown audit subcommand: %v", err)
			}
		})
	}
}
