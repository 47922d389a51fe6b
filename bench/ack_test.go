//go:build bench

package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
)

// BenchmarkP2Acknowledge measures POST …/acknowledge (HTTP → auth → read
// model → Update on the assignment workflow → read-model write → reply) at
// 1, 8 and 32 concurrent clients, each client a district account
// acknowledging its own assignment in a sequence of directives, against a
// raw Update round trip (WaitForStage Completed) on empty workflows at the
// same concurrency and count, on the same server in the same run.
func BenchmarkP2Acknowledge(b *testing.B) {
	levels := []struct{ clients, perClient int }{{1, 100}, {8, 25}, {32, 10}}
	for _, kind := range kinds() {
		b.Run(kind, func(b *testing.B) {
			e := newEnv(b, kind)
			countStatements(b, e.db)
			ctx := context.Background()
			sec := e.login("sec", "secretariat-pass")
			var districts []string
			if err := e.db.Model(&models.Unit{}).Where("type = ? AND code NOT LIKE '10%'", models.UnitDistrict).Order("code").Limit(41).Pluck("code", &districts).Error; err != nil {
				b.Fatal(err)
			}
			svc := &auth.Service{DB: e.db, SessionTTL: 12 * time.Hour}
			tokens := map[string]string{}
			for _, d := range districts {
				if _, err := svc.CreateAccount(ctx, auth.NewAccount{Username: "d" + d, Password: unitPassword, Role: models.RoleDistrict, UnitCode: d}); err != nil {
					b.Fatal(err)
				}
				tokens[d] = e.login("d"+d, unitPassword)
			}
			// Units per level: level 1 uses districts[0], level 8 [1:9],
			// level 32 [9:41]; each level gets perClient directives.
			type job struct{ directive, unit string }
			jobs := make([][][]job, len(levels)) // level → client → jobs
			lo := 0
			var all []string
			for li, lv := range levels {
				units := districts[lo : lo+lv.clients]
				lo += lv.clients
				jobs[li] = make([][]job, lv.clients)
				for k := range lv.perClient {
					res := e.must("POST", "/api/v1/directives", sec, smallLetter(fmt.Sprintf("bench-ack-%d-%d", li, k), units), 202)
					id := res.Body["id"].(string)
					all = append(all, id)
					for ci, u := range units {
						jobs[li][ci] = append(jobs[li][ci], job{id, u})
					}
				}
			}
			want := int64(0)
			for _, lv := range levels {
				want += int64(lv.clients * lv.perClient)
			}
			eventually(b, 10*time.Minute, "assignments persisted", func() bool {
				return e.count(&models.Assignment{}, "") == want
			})
			// Make sure every assignment workflow has finished its first save.
			var ids []string
			e.db.Model(&models.Assignment{}).Pluck("id", &ids)
			for _, id := range ids {
				e.queryUntilAnswers(id, workflows.QueryState, time.Minute)
			}
			empties := e.startEmpty("p2", int(want))
			for _, id := range empties {
				e.queryUntilAnswers(id, "state", time.Minute)
			}
			next := 0
			for li, lv := range levels {
				blog(b, "load before level %d: %s", lv.clients, loadavg())
				// tidtam acknowledge over HTTP.
				var mu sync.Mutex
				var lat latencies
				fails := 0
				t0 := time.Now()
				stopProfile := profileAcks(b, kind, lv.clients)
				statements.Store(0)
				var wg sync.WaitGroup
				for ci := range lv.clients {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for _, j := range jobs[li][ci] {
							s := time.Now()
							res, err := e.do("POST", "/api/v1/directives/"+j.directive+"/assignments/"+j.unit+"/acknowledge", tokens[j.unit], map[string]string{"note": "รับทราบ"})
							d := time.Since(s)
							mu.Lock()
							if err != nil || res.Status != 200 {
								fails++
								if fails < 3 {
									blog(b, "ack failed: %v %d %.300s", err, res.Status, res.Raw)
								}
							} else {
								lat = append(lat, d)
							}
							mu.Unlock()
						}
					}()
				}
				wg.Wait()
				wall := time.Since(t0)
				stopProfile()
				perAck := float64(statements.Load()) / float64(lv.clients*lv.perClient)
				n := lv.clients * lv.perClient
				if got := e.count(&models.Assignment{}, "status = ?", models.AssignmentAcknowledged); got < int64(len(lat)) {
					b.Fatalf("only %d acknowledged rows after %d successful acks", got, len(lat))
				}
				// Raw Update on empty workflows, same concurrency and count.
				var rlat latencies
				r0 := time.Now()
				var rwg sync.WaitGroup
				base := next
				next += n
				for ci := range lv.clients {
					rwg.Add(1)
					go func() {
						defer rwg.Done()
						for k := range lv.perClient {
							id := empties[base+ci*lv.perClient+k]
							s := time.Now()
							h, err := e.tc.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: id, UpdateName: "ack", Args: []any{"รับทราบ"}, WaitForStage: client.WorkflowUpdateStageCompleted})
							var ok bool
							if err == nil {
								err = h.Get(ctx, &ok)
							}
							d := time.Since(s)
							mu.Lock()
							if err != nil {
								blog(b, "raw update: %v", err)
							} else {
								rlat = append(rlat, d)
							}
							mu.Unlock()
						}
					}()
				}
				rwg.Wait()
				rwall := time.Since(r0)
				p99r := ms(lat.pct(0.99)) / ms(rlat.pct(0.99))
				blog(b, "P2 %s clients=%d n=%d fails=%d: ack p50 %.1fms p99 %.1fms %.0f/s, %.1f app-DB statements each | raw Update p50 %.1fms p99 %.1fms %.0f/s | p99 ratio %.2f× (target ≤ 2×), throughput %.0f/s (target ≥ 200/s at 32) | load %s",
					kind, lv.clients, n, fails, ms(lat.pct(0.5)), ms(lat.pct(0.99)), float64(len(lat))/wall.Seconds(), perAck,
					ms(rlat.pct(0.5)), ms(rlat.pct(0.99)), float64(len(rlat))/rwall.Seconds(), p99r, float64(len(lat))/wall.Seconds(), loadavg())
				sfx := fmt.Sprintf("_c%d", lv.clients)
				b.ReportMetric(ms(lat.pct(0.99)), "ack_p99_ms"+sfx)
				b.ReportMetric(float64(len(lat))/wall.Seconds(), "ack_per_s"+sfx)
				b.ReportMetric(p99r, "p99_ratio"+sfx)
			}
			_ = all
		})
	}
}

// profileAcks starts a CPU profile of the acknowledgement phase alone when
// TIDTAM_BENCH_PROFILE names a folder (the process-wide -cpuprofile would
// mostly show the set-up: accounts' password hashing, the fan-outs); the
// returned function stops it, writing <folder>/p2-<kind>-c<clients>.cpu.
func profileAcks(b *testing.B, kind string, clients int) func() {
	dir := os.Getenv("TIDTAM_BENCH_PROFILE")
	if dir == "" {
		return func() {}
	}
	f, err := os.Create(filepath.Join(dir, fmt.Sprintf("p2-%s-c%d.cpu", kind, clients)))
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		b.Fatal(err)
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}
}

// statements counts the app database's statements (every GORM operation,
// transactions' BEGIN and COMMIT not included) since it was last zeroed.
var statements atomic.Int64

// countStatements makes db count its statements in statements.
func countStatements(b *testing.B, db *gorm.DB) {
	count := func(*gorm.DB) { statements.Add(1) }
	cb := db.Callback()
	for _, err := range []error{
		cb.Create().After("gorm:create").Register("bench:count", count),
		cb.Query().After("gorm:query").Register("bench:count", count),
		cb.Update().After("gorm:update").Register("bench:count", count),
		cb.Delete().After("gorm:delete").Register("bench:count", count),
		cb.Row().After("gorm:row").Register("bench:count", count),
		cb.Raw().After("gorm:raw").Register("bench:count", count),
	} {
		if err != nil {
			b.Fatal(err)
		}
	}
}
