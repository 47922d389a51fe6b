package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/models"
)

// TestMigration13BackfillsCounters: assignments recorded before the
// dashboard counters existed (a province, its district, the national
// centre; 2,500 item rows, more than any one batch) are counted once the
// migrations from 13 on have run (13 creates the counters, 18 shards and
// fills them).
func TestMigration13BackfillsCounters(t *testing.T) {
	ctx := context.Background()
	check := func(t *testing.T, databaseURL string) {
		db, err := store.Open(ctx, databaseURL)
		if err != nil {
			t.Fatal(err)
		}
		defer closeDB(t, db)
		m13 := migrateUpTo(t, db, 13)
		if err := store.SeedReferenceUnits(ctx, db); err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		if err := db.Exec(`INSERT INTO directives (id, source, issuer_code, doc_number, doc_number_norm, issue_date, urgency, subject, body, status, status_reason, units_total, units_assigned, created_by, created_at, updated_at)
			VALUES ('D13', 'letter', 'MOI', '', '', '2026-12-01', 'urgent', 's', '', 'issued', '', 3, 3, 'x', ?, ?)`, now, now).Error; err != nil {
			t.Fatal(err)
		}
		for _, u := range []string{"20", "2001", models.NationalUnitCode} {
			ack := any(nil)
			if u == "20" {
				ack = now.Add(-time.Hour)
			}
			if err := db.Exec(`INSERT INTO assignments (id, directive_id, unit_code, parent_code, region, status, ack_due_at, acknowledged_at, acknowledged_by, overdue, escalation_level, close_reason, version, created_at, updated_at)
				VALUES (?, 'D13', ?, '', 8, 'assigned', ?, ?, '', false, 0, '', 1, ?, ?)`, "a/"+u, u, now, ack, now, now).Error; err != nil {
				t.Fatal(err)
			}
		}
		for i := range 2500 {
			a := []string{"a/20", "a/2001", "a/" + models.NationalUnitCode}[i%3]
			status := "open"
			if i%5 == 0 {
				status = "accepted"
			}
			if err := db.Exec(`INSERT INTO assignment_items (assignment_id, item_number, cycle, status, due_at, reported_at, escalation_level, reason, version, updated_at)
				VALUES (?, ?, 1, ?, ?, ?, 0, '', 1, ?)`, a, i+1, status, now.Add(time.Hour), now, now).Error; err != nil {
				t.Fatal(err)
			}
		}
		for _, m := range store.Migrations() {
			if m.Version < m13.Version {
				continue
			}
			if err := db.Transaction(m.Up); err != nil {
				t.Fatalf("migration %d: %v", m.Version, err)
			}
		}
		got, err := store.ReadProgress(db, nil)
		if err != nil {
			t.Fatal(err)
		}
		var items, accepted int64
		for k, n := range got {
			switch k.Bucket {
			case store.BucketItems:
				items += n
			case store.BucketAccepted:
				accepted += n
			}
		}
		if items != 2500 || accepted != 500 {
			t.Errorf("counted %d items (%d accepted), want 2500 (500)", items, accepted)
		}
		if n := got[store.ProgressKey{DirectiveID: "D13", ProvinceCode: "20", Bucket: store.BucketUnits}]; n != 2 {
			t.Errorf("ชลบุรี with its district: %d units, want 2", n)
		}
		if n := got[store.ProgressKey{DirectiveID: "D13", ProvinceCode: "20", Bucket: store.BucketAckOnTime}]; n != 1 {
			t.Errorf("acknowledged on time in ชลบุรี: %d, want 1", n)
		}
		if n := got[store.ProgressKey{DirectiveID: "D13", ProvinceCode: "", Bucket: store.BucketUnits}]; n != 1 {
			t.Errorf("the national centre outside any province: %d, want 1", n)
		}
	}
	t.Run("sqlite", func(t *testing.T) { check(t, "sqlite:"+t.TempDir()+"/app.db") })
	t.Run("postgres", func(t *testing.T) { check(t, emptyPostgresURL(t)) })
}
