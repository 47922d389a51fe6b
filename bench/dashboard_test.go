//go:build bench

package bench

import (
	"bufio"
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/tidtam/tidtam/activities"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
	"gorm.io/gorm"
)

// BenchmarkP7Dashboard is issue #14's load: the seed letter's directive
// issued to the 955 provinces and districts (5 items each), 20 other open
// directives (2 items to every province), 64 concurrent clients, and
// acknowledgements saved at 20 per second through the same transaction
// the workflows use (activities.SaveAssignment, which keeps the dashboard
// counters). Each client cycles GET /api/v1/auth/me (the baseline), the
// 955-unit matrix and GET /api/v1/dashboard; the p99 of each is compared
// with the baseline's in the same run. Then the Server-Sent Events
// fan-out: the process's CPU over 10 s with the acknowledgements and no
// viewer, and with 200 viewers connected to the dashboard's /live stream;
// and the time from a saved change to a viewer's "changed" event. The load
// phase runs twice: unconditional requests, then clients that revalidate
// with If-None-Match as a browser's HTTP cache does.
// TIDTAM_BENCH_P7_SECONDS sets the load phase (default 20).
func BenchmarkP7Dashboard(b *testing.B) {
	seconds := 20
	if v := os.Getenv("TIDTAM_BENCH_P7_SECONDS"); v != "" {
		seconds, _ = strconv.Atoi(v)
	}
	const clients = 64
	for _, kind := range kinds() {
		b.Run(kind, func(b *testing.B) {
			e := newEnv(b, kind)
			big := e.seedOpenDirectives()
			admin := e.login("admin", adminPassword)
			res := e.must("GET", "/api/v1/directives/"+big+"/matrix", admin, nil, 200)
			blog(b, "P7 %s: matrix %d rows, %d KB; dashboard %d KB", kind, len(res.Body["rows"].([]any)), len(res.Raw)/1024,
				len(e.must("GET", "/api/v1/dashboard", admin, nil, 200).Raw)/1024)

			paths := []string{"/api/v1/auth/me", "/api/v1/directives/" + big + "/matrix", "/api/v1/dashboard"}
			// load runs the 64 clients for the load phase and returns the
			// latencies per path and how many answers were 304. With
			// revalidate each client behaves as a browser's HTTP cache
			// does with an answer that carries an ETag and no-cache: it
			// keeps the last answer of each path and asks again with
			// If-None-Match; without, every request is unconditional.
			load := func(revalidate bool) ([]latencies, []int) {
				lat := make([]latencies, len(paths))
				notModified := make([]int, len(paths))
				stopAcks, acked := e.ackAtRate(big, 20)
				// Each phase starts from the seeded state: 20 acks a
				// second for three phases would use up the 1,005 units.
				defer e.resetAcks(big)
				defer stopAcks()
				var mu sync.Mutex
				deadline := time.Now().Add(time.Duration(seconds) * time.Second)
				blog(b, "P7 %s load before (revalidate=%v): %s", kind, revalidate, loadavg())
				var wg sync.WaitGroup
				for c := range clients {
					wg.Add(1)
					go func() {
						defer wg.Done()
						etags := make([]string, len(paths))
						for i := c; time.Now().Before(deadline); i++ {
							k := i % len(paths)
							ifNone := ""
							if revalidate {
								ifNone = etags[k]
							}
							s := time.Now()
							status, etag, err := e.fetchIf(paths[k], admin, ifNone)
							d := time.Since(s)
							if err != nil || (status != 200 && !(status == 304 && ifNone != "")) {
								blog(b, "P7 %s %s failed: %v %d", kind, paths[k], err, status)
								continue
							}
							if status == 200 {
								etags[k] = etag
							}
							mu.Lock()
							lat[k] = append(lat[k], d)
							if status == 304 {
								notModified[k]++
							}
							mu.Unlock()
						}
					}()
				}
				wg.Wait()
				me := ms(lat[0].pct(0.99))
				n := acked.Load()
				blog(b, "P7 %s 64 clients, revalidate=%v, %d s, %d acknowledgements saved meanwhile (%.1f/s) | auth/me p50 %.1fms p99 %.1fms (%d) | matrix p50 %.1fms p99 %.1fms (%d, %d were 304) = %.2f× | dashboard p50 %.1fms p99 %.1fms (%d, %d were 304) = %.2f× | load %s",
					kind, revalidate, seconds, n, float64(n)/float64(seconds),
					ms(lat[0].pct(0.5)), me, len(lat[0]),
					ms(lat[1].pct(0.5)), ms(lat[1].pct(0.99)), len(lat[1]), notModified[1], ms(lat[1].pct(0.99))/me,
					ms(lat[2].pct(0.5)), ms(lat[2].pct(0.99)), len(lat[2]), notModified[2], ms(lat[2].pct(0.99))/me, loadavg())
				return lat, notModified
			}
			lat, _ := load(false)
			me := ms(lat[0].pct(0.99))
			b.ReportMetric(ms(lat[1].pct(0.99)), "matrix_p99_ms")
			b.ReportMetric(ms(lat[2].pct(0.99)), "dashboard_p99_ms")
			b.ReportMetric(me, "me_p99_ms")
			rlat, _ := load(true)
			b.ReportMetric(ms(rlat[1].pct(0.99)), "revalidating_matrix_p99_ms")
			b.ReportMetric(ms(rlat[2].pct(0.99)), "revalidating_dashboard_p99_ms")
			b.ReportMetric(ms(rlat[0].pct(0.99)), "revalidating_me_p99_ms")

			// SSE fan-out: CPU with the acknowledgements alone, then with
			// 200 viewers holding /live open.
			stopAcks, _ := e.ackAtRate(big, 20)
			idle := cpuOver(10 * time.Second)
			ctx, cancel := context.WithCancel(context.Background())
			var events atomic.Int64
			var ready sync.WaitGroup
			for range 200 {
				ready.Add(1)
				go e.view(ctx, admin, "topic=dashboard", &ready, func(string) { events.Add(1) })
			}
			ready.Wait()
			time.Sleep(2 * time.Second)
			with := cpuOver(10 * time.Second)
			cancel()
			stopAcks()
			blog(b, "P7 %s SSE: process CPU %.1f%% of one core with the acknowledgements alone, %.1f%% with 200 viewers on /live (%d events delivered): +%.1f points | load %s",
				kind, idle, with, events.Load(), with-idle, loadavg())
			b.ReportMetric(with-idle, "sse_cpu_points")

			// Change → viewer: one save at a time, the time until a
			// viewer hears of it.
			ctx, cancel = context.WithCancel(context.Background())
			defer cancel()
			heard := make(chan time.Time, 16)
			ready.Add(1)
			go e.view(ctx, admin, "topic=dashboard", &ready, func(string) { heard <- time.Now() })
			ready.Wait()
			time.Sleep(1500 * time.Millisecond)
			for len(heard) > 0 {
				<-heard
			}
			var delays latencies
			for i := range 10 {
				saved := e.ackOne(big, 100000+i)
				select {
				case at := <-heard:
					delays = append(delays, at.Sub(saved))
				case <-time.After(10 * time.Second):
					blog(b, "P7 %s: change %d not heard within 10 s", kind, i)
				}
				time.Sleep(1200 * time.Millisecond)
				for len(heard) > 0 {
					<-heard
				}
			}
			blog(b, "P7 %s change → viewer: p50 %.0fms max %.0fms over %d changes (target ≤ 2 s)", kind, ms(delays.pct(0.5)), ms(delays.pct(1)), len(delays))
			b.ReportMetric(ms(delays.pct(1)), "change_to_viewer_max_ms")
		})
	}
}

// fetchIf GETs path with token, and with If-None-Match: ifNoneMatch when
// not empty, reads the answer whole without decoding it, and returns its
// status and ETag.
func (e *env) fetchIf(path, token, ifNoneMatch string) (int, string, error) {
	req, _ := http.NewRequest("GET", e.base+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if ifNoneMatch != "" {
		req.Header.Set("If-None-Match", ifNoneMatch)
	}
	res, err := e.http.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	_, err = io.Copy(io.Discard, res.Body)
	return res.StatusCode, res.Header.Get("ETag"), err
}

// seedOpenDirectives writes, straight into the read model, the 955-unit
// directive with 5 items and 20 directives of 2 items to every province,
// then rebuilds the dashboard counters from them, and returns the big
// directive's ID.
func (e *env) seedOpenDirectives() string {
	e.tb.Helper()
	var units []models.Unit
	if err := e.db.Where("type IN ?", []models.UnitType{models.UnitProvince, models.UnitDistrict}).Order("code").Find(&units).Error; err != nil {
		e.tb.Fatal(err)
	}
	var provinces []models.Unit
	for _, u := range units {
		if u.Type == models.UnitProvince {
			provinces = append(provinces, u)
		}
	}
	big := "moi-p7-letter"
	e.seedDirective(big, units, 5)
	for i := range 20 {
		e.seedDirective("oncb-p7-"+strconv.Itoa(i), provinces, 2)
	}
	if err := store.RebuildProgress(e.db); err != nil {
		e.tb.Fatal(err)
	}
	return big
}

// seedDirective writes directive id with n items addressed to units.
func (e *env) seedDirective(id string, units []models.Unit, n int) {
	now := time.Now().UTC()
	d := models.Directive{ID: id, Source: "ministry", IssuerCode: "moi", DocNumber: id, DocNumberNorm: id,
		IssueDate: now.Format("2006-01-02"), Urgency: "urgent", Subject: "ทดสอบภาระ " + id, Status: models.DirectiveIssued,
		UnitsTotal: len(units), UnitsAssigned: len(units), CreatedBy: "bench", CreatedAt: now, UpdatedAt: now}
	if err := e.db.Create(&d).Error; err != nil {
		e.tb.Fatal(err)
	}
	for k := 1; k <= n; k++ {
		if err := e.db.Create(&models.DirectiveItem{DirectiveID: id, Number: k, Text: "ข้อ " + strconv.Itoa(k), Target: "{}"}).Error; err != nil {
			e.tb.Fatal(err)
		}
	}
	var as []models.Assignment
	var items []models.AssignmentItem
	for i, u := range units {
		parent := ""
		if u.ParentCode != nil {
			parent = *u.ParentCode
		}
		aid := workflows.AssignmentWorkflowID(id, u.Code)
		region := 0
		if u.InspectionRegion != nil {
			region = *u.InspectionRegion
		}
		a := models.Assignment{ID: aid, DirectiveID: id, UnitCode: u.Code, ParentCode: parent, Region: region,
			Status: models.AssignmentAssigned, AckDueAt: now.Add(time.Duration(i%5-1) * 24 * time.Hour), Version: 1, CreatedAt: now, UpdatedAt: now}
		as = append(as, a)
		for k := 1; k <= n; k++ {
			due := now.Add(time.Duration(k*24-36) * time.Hour)
			items = append(items, models.AssignmentItem{AssignmentID: aid, ItemNumber: k, Cycle: 1, Status: models.ItemOpen, DueAt: &due, Version: 1, UpdatedAt: now})
		}
	}
	if err := e.db.CreateInBatches(as, 500).Error; err != nil {
		e.tb.Fatal(err)
	}
	if err := e.db.CreateInBatches(items, 1000).Error; err != nil {
		e.tb.Fatal(err)
	}
}

// ackOne saves one acknowledgement of a random assignment of directive
// id not acknowledged yet (the next version, acknowledged now, item 1
// reported) through activities.SaveAssignment, and returns when it was
// saved.
func (e *env) ackOne(id string, seed int) time.Time {
	r := rand.New(rand.NewPCG(uint64(seed), 7))
	var as []models.Assignment
	var open int64
	e.db.Model(&models.Assignment{}).Where("directive_id = ? AND status = ?", id, models.AssignmentAssigned).Count(&open)
	if open == 0 {
		e.tb.Fatal("every assignment is acknowledged already")
	}
	if err := e.db.Where("directive_id = ? AND status = ?", id, models.AssignmentAssigned).Order("id").
		Offset(r.IntN(int(open))).Limit(1).Find(&as).Error; err != nil || len(as) == 0 {
		e.tb.Fatalf("pick an assignment: %v", err)
	}
	a := as[0]
	var items []models.AssignmentItem
	e.db.Where("assignment_id = ?", a.ID).Find(&items)
	now := time.Now().UTC()
	a.Version++
	a.Status, a.AcknowledgedAt, a.AcknowledgedBy, a.UpdatedAt = models.AssignmentAcknowledged, &now, "bench", now
	for i := range items {
		items[i].Version = a.Version
		items[i].UpdatedAt = now
		if items[i].ItemNumber == 1 && items[i].Status == models.ItemOpen {
			items[i].Status, items[i].ReportedAt = models.ItemReported, &now
		}
	}
	act := &activities.Activities{DB: e.db}
	if err := act.SaveAssignment(context.Background(), activities.SaveAssignmentInput{Assignment: a, Items: items}); err != nil {
		e.tb.Fatalf("save: %v", err)
	}
	return time.Now()
}

// resetAcks puts directive id back as seeded — no assignment
// acknowledged, no item reported — and rebuilds the dashboard counters,
// straight in the read model like seedOpenDirectives.
func (e *env) resetAcks(id string) {
	e.tb.Helper()
	err := e.db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&models.AssignmentItem{}).
			Where("assignment_id IN (?) AND status = ?", tx.Model(&models.Assignment{}).Select("id").Where("directive_id = ?", id), models.ItemReported).
			Updates(map[string]any{"status": models.ItemOpen, "reported_at": nil}).Error; err != nil {
			return err
		}
		if err := tx.Model(&models.Assignment{}).Where("directive_id = ?", id).
			Updates(map[string]any{"status": models.AssignmentAssigned, "acknowledged_at": nil, "acknowledged_by": ""}).Error; err != nil {
			return err
		}
		return store.RebuildProgress(tx)
	})
	if err != nil {
		e.tb.Fatalf("reset the acknowledgements: %v", err)
	}
}

// ackAtRate saves perSecond changes a second until stopped and counts
// them.
func (e *env) ackAtRate(id string, perSecond int) (stop func(), n *atomic.Int64) {
	n = &atomic.Int64{}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(time.Second / time.Duration(perSecond))
		defer tick.Stop()
		// Saves run beside each other (as units acknowledge at once), at
		// most 8 in flight, so that a slow one does not lower the rate.
		sem := make(chan struct{}, 8)
		var wg sync.WaitGroup
		defer wg.Wait()
		for i := 0; ; i++ {
			select {
			case <-done:
				return
			case <-tick.C:
				sem <- struct{}{}
				wg.Add(1)
				go func() {
					defer func() { <-sem; wg.Done() }()
					e.ackOne(id, i)
					n.Add(1)
				}()
			}
		}
	}()
	return func() { close(done); <-finished }, n
}

// view holds a /live stream open as a signed-in browser would (session
// cookie), calling on for each "changed" event, until ctx ends.
func (e *env) view(ctx context.Context, token, topic string, ready *sync.WaitGroup, on func(string)) {
	req, _ := http.NewRequestWithContext(ctx, "GET", e.base+"/live?"+topic, nil)
	req.AddCookie(&http.Cookie{Name: "tidtam_session", Value: token})
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	res, err := client.Do(req)
	ready.Done()
	if err != nil {
		if ctx.Err() == nil {
			e.tb.Errorf("live: %v", err)
		}
		return
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		e.tb.Errorf("live: status %d", res.StatusCode)
		return
	}
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		if line := sc.Text(); strings.HasPrefix(line, "data: ") {
			on(strings.TrimPrefix(line, "data: "))
		}
	}
}

// cpuOver returns the process's CPU use over d, in percent of one core.
func cpuOver(d time.Duration) float64 {
	var a, z syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &a)
	t0 := time.Now()
	time.Sleep(d)
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &z)
	used := time.Duration(z.Utime.Nano()-a.Utime.Nano()) + time.Duration(z.Stime.Nano()-a.Stime.Nano())
	return 100 * used.Seconds() / time.Since(t0).Seconds()
}
