package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
)

// auditRow appends one audit event through RecordAudit.
func auditRow(t *testing.T, db *gorm.DB, n int) {
	t.Helper()
	err := db.Transaction(func(tx *gorm.DB) error {
		return store.RecordAudit(tx, models.AuditEvent{Actor: "somchai", Action: "unit.update", EntityType: "unit",
			EntityID: fmt.Sprint(n), Before: `{"name":"เดิม"}`, After: fmt.Sprintf(`{"name":"ใหม่ %d"}`, n), RequestID: "r"})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func verify(t *testing.T, db *gorm.DB) store.AuditReport {
	t.Helper()
	rep, err := store.VerifyAudit(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestAuditChain: RecordAudit chains every row to the one before it, in
// or outside a transaction; VerifyAudit finds the chain intact, then names
// the first broken row after a column is changed, a row in the middle is
// deleted, or the last row is deleted.
func TestAuditChain(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		if rep := verify(t, db); rep.Broken != nil || rep.Rows != 0 || rep.LastHash != store.GenesisHash {
			t.Fatalf("empty chain: %+v", rep)
		}
		for i := 1; i <= 4; i++ {
			auditRow(t, db, i)
		}
		// Outside a transaction RecordAudit opens its own.
		if err := store.RecordAudit(db, models.AuditEvent{Actor: "a", Action: "login", EntityType: "account", EntityID: "a"}); err != nil {
			t.Fatal(err)
		}
		var rows []models.AuditEvent
		db.Order("id").Find(&rows)
		if len(rows) != 5 || rows[0].PrevHash != store.GenesisHash {
			t.Fatalf("rows = %+v", rows)
		}
		for i, r := range rows {
			if r.Hash != store.AuditHash(r) || len(r.Hash) != 64 || (i > 0 && r.PrevHash != rows[i-1].Hash) {
				t.Errorf("row %d not chained: %+v", r.ID, r)
			}
		}
		rep := verify(t, db)
		if rep.Broken != nil || rep.Rows != 5 || rep.LastID != rows[4].ID || rep.LastHash != rows[4].Hash {
			t.Fatalf("intact chain reported %+v", rep)
		}
		if err := store.RecordAudit(db, models.AuditEvent{Actor: "a", Action: "x", EntityType: "t", EntityID: "1", Hash: "forged"}); err == nil {
			t.Error("RecordAudit accepted a caller's hash")
		}

		// A changed column breaks that row.
		db.Exec("UPDATE audit_events SET actor = 'mallory' WHERE id = ?", rows[1].ID)
		if rep := verify(t, db); rep.Broken == nil || rep.Broken.ID != rows[1].ID || rep.Rows != 1 || !strings.Contains(rep.Broken.Reason, "changed") {
			t.Errorf("changed actor: %+v", rep.Broken)
		}
		db.Exec("UPDATE audit_events SET actor = 'somchai' WHERE id = ?", rows[1].ID)
		// A changed time too, even by a second.
		db.Model(&models.AuditEvent{}).Where("id = ?", rows[2].ID).Update("at", rows[2].At.Add(time.Second))
		if rep := verify(t, db); rep.Broken == nil || rep.Broken.ID != rows[2].ID {
			t.Errorf("changed time: %+v", rep.Broken)
		}
		db.Model(&models.AuditEvent{}).Where("id = ?", rows[2].ID).Update("at", rows[2].At)
		if rep := verify(t, db); rep.Broken != nil {
			t.Fatalf("restored chain: %+v", rep.Broken)
		}

		// A deleted row breaks the row after it; put back, the chain holds.
		deleteAndRestore := func(r models.AuditEvent, wantID int64, why string) {
			t.Helper()
			db.Exec("DELETE FROM audit_events WHERE id = ?", r.ID)
			if rep := verify(t, db); rep.Broken == nil || rep.Broken.ID != wantID || !strings.Contains(rep.Broken.Reason, "deleted") {
				t.Errorf("%s: broken = %+v, want row %d", why, rep.Broken, wantID)
			}
			if err := db.Create(&r).Error; err != nil {
				t.Fatal(err)
			}
			if rep := verify(t, db); rep.Broken != nil {
				t.Fatalf("%s put back: %+v", why, rep.Broken)
			}
		}
		deleteAndRestore(rows[2], rows[3].ID, "deleted middle row")
		deleteAndRestore(rows[0], rows[1].ID, "deleted first row")
		// A deleted last row is noticed through the chain's head, which
		// names it.
		deleteAndRestore(rows[4], rows[4].ID, "deleted last row")
	})
}

// TestAuditChainConcurrentAppends: transactions appending at the same time
// on separate connections are serialised, so the chain stays one line (on
// PostgreSQL, where appends lock the head row; two transactions naming the
// same predecessor would also violate the unique index).
func TestAuditChainConcurrentAppends(t *testing.T) {
	db := storetest.Postgres(t)
	const writers, each = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				errs <- db.Transaction(func(tx *gorm.DB) error {
					// Work before the audit row, as a domain change does.
					var n int64
					if err := tx.Model(&models.Unit{}).Count(&n).Error; err != nil {
						return err
					}
					return store.RecordAudit(tx, models.AuditEvent{Actor: fmt.Sprintf("w%d", w), Action: "x", EntityType: "t", EntityID: fmt.Sprint(i)})
				})
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if rep := verify(t, db); rep.Broken != nil || rep.Rows != writers*each {
		t.Fatalf("after concurrent appends: %+v %+v", rep, rep.Broken)
	}
}

// TestMigration9ChainsExistingRows applies migrations 1–8, writes audit
// rows as the code before 9 did, then runs 9: the rows are chained in id
// order, the chain verifies, and new rows continue it.
func TestMigration9ChainsExistingRows(t *testing.T) {
	ctx := context.Background()
	check := func(t *testing.T, databaseURL string) {
		db, err := store.Open(ctx, databaseURL)
		if err != nil {
			t.Fatal(err)
		}
		defer closeDB(t, db)
		m9 := migrateUpTo(t, db, 9)
		at := time.Date(2025, 1, 2, 3, 4, 5, 123456789, time.UTC)
		for i := range 3 {
			if err := db.Exec(`INSERT INTO audit_events (at, actor, action, entity_type, entity_id, before, after, request_id) VALUES (?, 'legacy', 'holiday.put', 'holiday', ?, '', '{"x":1}', '')`,
				at.Add(time.Duration(i)*time.Minute), fmt.Sprint(i)).Error; err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Transaction(m9.Up); err != nil {
			t.Fatalf("migration 9: %v", err)
		}
		rep := verify(t, db)
		if rep.Broken != nil || rep.Rows != 3 {
			t.Fatalf("legacy rows after migration 9: %+v %+v", rep, rep.Broken)
		}
		auditRow(t, db, 4)
		if rep := verify(t, db); rep.Broken != nil || rep.Rows != 4 {
			t.Fatalf("after a new row: %+v %+v", rep, rep.Broken)
		}
	}
	t.Run("sqlite", func(t *testing.T) { check(t, "sqlite:"+filepath.Join(t.TempDir(), "m9.db")) })
	t.Run("postgres", func(t *testing.T) { check(t, emptyPostgresURL(t)) })
}
