package activities

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
)

// rebuiltProgress recomputes the counters from scratch inside a
// transaction it rolls back, leaving the incremental ones in place.
func rebuiltProgress(t *testing.T, db *gorm.DB) map[store.ProgressKey]int64 {
	t.Helper()
	var out map[store.ProgressKey]int64
	errRollback := fmt.Errorf("rollback")
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := store.RebuildProgress(tx); err != nil {
			return err
		}
		var err error
		if out, err = store.ReadProgress(tx, nil); err != nil {
			return err
		}
		return errRollback
	})
	if err != errRollback {
		t.Fatal(err)
	}
	return out
}

func sameCounts(t *testing.T, what string, got, want map[store.ProgressKey]int64) {
	t.Helper()
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s: counter %+v = %d, recomputed %d", what, k, got[k], n)
		}
	}
	for k, n := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: counter %+v = %d, recomputed 0", what, k, n)
		}
	}
}

// randomSave is a random state of one assignment at a version: any
// status, acknowledged or not, before or after its due, items in any
// state over one or two cycles.
func randomSave(r *rand.Rand, unit, parent string, version int64) SaveAssignmentInput {
	ackDue := time.Date(2026, 4, 10, 9, 30, 0, 0, time.UTC)
	now := ackDue.Add(time.Duration(r.IntN(96)-48) * time.Hour)
	statuses := []models.AssignmentStatus{models.AssignmentAssigned, models.AssignmentAcknowledged, models.AssignmentClosed, models.AssignmentWithdrawn}
	a := models.Assignment{ID: "assignment/P-1/" + unit, DirectiveID: "P-1", UnitCode: unit, ParentCode: parent, Region: 15,
		Status: statuses[r.IntN(len(statuses))], AckDueAt: ackDue, EscalationLevel: r.IntN(3), Version: version, UpdatedAt: now}
	if a.Status != models.AssignmentAssigned {
		at := now
		a.AcknowledgedAt = &at
	}
	items := []models.ItemStatus{models.ItemOpen, models.ItemReported, models.ItemAccepted, models.ItemReturned,
		models.ItemExtended, models.ItemWaived, models.ItemClosed, models.ItemLapsed}
	in := SaveAssignmentInput{Assignment: a}
	for n := 1; n <= 2; n++ {
		for c := 1; c <= 1+r.IntN(2); c++ {
			due := ackDue.AddDate(0, 0, r.IntN(10))
			it := models.AssignmentItem{ItemNumber: n, Cycle: c, Status: items[r.IntN(len(items))], DueAt: &due,
				EscalationLevel: r.IntN(2), Version: version, UpdatedAt: now}
			if r.IntN(5) == 0 {
				it.DueAt = nil
			}
			if it.Status != models.ItemOpen {
				rep := due.Add(time.Duration(r.IntN(48)-24) * time.Hour)
				it.ReportedAt = &rep
			}
			in.Items = append(in.Items, it)
		}
	}
	return in
}

// TestProgressCountersFollowEverySave: assignments of units in two
// provinces, a district and the national centre are saved through many
// random states, with repeated and late (lower-version) saves and, on
// PostgreSQL, concurrently; after every round the incremental counters
// equal counters recomputed from the rows.
func TestProgressCountersFollowEverySave(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		a := &Activities{DB: db}
		if err := a.PersistDirective(ctx, directive("P-1")); err != nil {
			t.Fatal(err)
		}
		units := [][2]string{{"50", "ONCB"}, {"5001", "50"}, {"5002", "50"}, {"20", "ONCB"}, {"2001", "20"}, {models.NationalUnitCode, ""}}
		r := rand.New(rand.NewPCG(7, 13))
		version := map[string]int64{}
		for round := range 12 {
			var wg sync.WaitGroup
			errs := make(chan error, 64)
			for _, u := range units {
				// Each unit gets a few saves in random version order,
				// some repeated: the newest must win, the rest count
				// nothing.
				version[u[0]] += 3
				top := version[u[0]]
				saves := []SaveAssignmentInput{randomSave(r, u[0], u[1], top-2), randomSave(r, u[0], u[1], top), randomSave(r, u[0], u[1], top-1)}
				saves = append(saves, saves[1])
				wg.Add(1)
				go func() {
					defer wg.Done()
					for _, s := range saves {
						if err := db.Transaction(func(tx *gorm.DB) error { return saveAssignment(tx, s) }); err != nil {
							errs <- err
						}
					}
				}()
				if !store.IsPostgres(db) {
					wg.Wait() // SQLite: one writer at a time
				}
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			got, err := store.ReadProgress(db, nil)
			if err != nil {
				t.Fatal(err)
			}
			sameCounts(t, fmt.Sprintf("round %d", round), got, rebuiltProgress(t, db))
		}
		got, _ := store.ReadProgress(db, nil)
		var units50 int64
		for k, n := range got {
			if k.Bucket == store.BucketUnits && k.ProvinceCode == "50" {
				units50 += n
			}
			if k.ProvinceCode != "50" && k.ProvinceCode != "20" && k.ProvinceCode != "" {
				t.Errorf("counter outside the provinces saved: %+v", k)
			}
		}
		if units50 > 3 {
			t.Errorf("province 50 counts %d units, at most 3 exist", units50)
		}
	})
}
