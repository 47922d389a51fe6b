//go:build bench

package bench

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
)

// BenchmarkP1FanOut issues the MOI letter of 17 Dec 2567 (955 units, 3,830
// item rows) through the HTTP API and measures the time until every
// assignment and item row is persisted and the last unit's workflow answers
// its state query, against starting the same number of empty workflows (on
// 32 goroutines, the fan-out's own concurrency) until the last one answers a
// query, on the same server in the same run.
//
// With TIDTAM_BENCH_SYNTH=N (default 10) a second round adds N synthetic
// sub-district units below each of the 928 districts (9,280 at N=10) to items
// ๒–๕ and reports the same ratio plus the process's peak RSS (VmHWM) during
// each round. The large round runs on SQLite only unless
// TIDTAM_BENCH_BIG_DBS=sqlite,postgres.
func BenchmarkP1FanOut(b *testing.B) {
	synth := 10
	if v := os.Getenv("TIDTAM_BENCH_SYNTH"); v != "" {
		synth, _ = strconv.Atoi(v)
	}
	bigDBs := map[string]bool{"sqlite": true}
	if v := os.Getenv("TIDTAM_BENCH_BIG_DBS"); v != "" {
		bigDBs = map[string]bool{}
		for _, k := range splitComma(v) {
			bigDBs[k] = true
		}
	}
	for _, kind := range kinds() {
		b.Run(kind, func(b *testing.B) {
			e := newEnv(b, kind)
			sec := e.login("sec", "secretariat-pass")
			var extra []string
			if synth > 0 && bigDBs[kind] {
				extra = e.addSyntheticUnits(synth)
				admin := e.login("admin", adminPassword)
				e.must("PUT", "/api/v1/target-sets/bench-synth", admin, map[string]any{"name_th": "หน่วยทดสอบ", "name_en": "bench", "members": extra}, 200)
			}
			// Warm up both paths (first workflow task, connection pools).
			e.startEmpty("warm", 20)
			e.must("POST", "/api/v1/directives", sec, smallLetter("warm-1", []string{"20", "21"}), 202)
			eventually(b, time.Minute, "warm-up", func() bool { return e.count(&models.Assignment{}, "") == 2 })

			for round, set := range []string{"", "bench-synth"} {
				if round == 1 && len(extra) == 0 {
					continue
				}
				pid := "self"
				blog(b, "load before round %d: %s", round, loadavg())
				resetPeakRSS(pid)
				t0 := time.Now()
				res := e.must("POST", "/api/v1/directives", sec, moiLetter(fmt.Sprintf("ที่ มท ๐๓๑๑.๓/ว %d", 1757+round), set), 202)
				accepted := time.Since(t0)
				id := res.Body["id"].(string)
				units := int64(res.Body["units_total"].(float64))
				wantItems := 10 + 4*units
				eventually(b, 30*time.Minute, "every assignment persisted", func() bool {
					return e.count(&models.Assignment{}, "directive_id = ?", id) == units &&
						e.count(&models.AssignmentItem{}, "assignment_id LIKE ?", "assignment/"+id+"/%") >= wantItems
				})
				var last models.Assignment
				if err := e.db.Where("directive_id = ?", id).Order("created_at DESC").First(&last).Error; err != nil {
					b.Fatal(err)
				}
				e.queryUntilAnswers(last.ID, workflows.QueryState, time.Minute)
				fan := time.Since(t0)
				fanHWM := procStatusKB(pid, "VmHWM")
				blog(b, "load after fan-out: %s", loadavg())

				resetPeakRSS(pid)
				t1 := time.Now()
				ids := e.startEmpty(fmt.Sprintf("empty-%d", round), int(units))
				e.queryUntilAnswers(ids[len(ids)-1], "state", time.Minute)
				raw := time.Since(t1)
				rawHWM := procStatusKB(pid, "VmHWM")
				ratio := fan.Seconds() / raw.Seconds()
				blog(b, "P1 %s units=%d: tidtam fan-out %.2fs (202 after %s), %.0f units/s; empty workflows %.2fs, %.0f wf/s; ratio %.2f× (target ≤ 1.25×); VmHWM during fan-out %d MB, during empty starts %d MB; load %s",
					kind, units, fan.Seconds(), accepted.Round(time.Millisecond), float64(units)/fan.Seconds(), raw.Seconds(), float64(units)/raw.Seconds(), ratio, fanHWM/1024, rawHWM/1024, loadavg())
				suffix := fmt.Sprintf("_%du", units)
				b.ReportMetric(fan.Seconds(), "fanout_s"+suffix)
				b.ReportMetric(raw.Seconds(), "empty_s"+suffix)
				b.ReportMetric(ratio, "ratio"+suffix)
				b.ReportMetric(float64(fanHWM)/1024, "fanout_peakRSS_MB"+suffix)
			}
		})
	}
}

func splitComma(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			if i > start {
				out = append(out, s[start:i])
			}
			start = i + 1
		}
	}
	return out
}
