//go:build bench

package bench

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/models"
)

// BenchmarkP8Upload measures POST …/items/1/reports with one 10 MB
// evidence file (multipart/form-data, a .txt of Thai text) at 8 concurrent
// clients, each a district account reporting on its own assignment of a
// sequence of directives (5 reports each, 40 in all): the p50 and p99
// latency, the throughput, and the peak of the Go heap in use during the
// uploads against the heap before them (the files go through the request
// stream to temporary files and the content store, never whole into
// memory: 8 files in flight would otherwise add 80 MB or more). The
// clients run in the same process and stream their bodies (chunked), so
// they add little to that heap.
func BenchmarkP8Upload(b *testing.B) {
	const clients, perClient, size = 8, 5, 10 << 20
	for _, kind := range kinds() {
		b.Run(kind, func(b *testing.B) {
			e := newEnv(b, kind)
			sec := e.login("sec", "secretariat-pass")
			var districts []string
			if err := e.db.Model(&models.Unit{}).Where("type = ? AND code NOT LIKE '10%'", models.UnitDistrict).Order("code").Limit(clients).Pluck("code", &districts).Error; err != nil {
				b.Fatal(err)
			}
			svc := &auth.Service{DB: e.db, SessionTTL: 12 * time.Hour}
			tokens := map[string]string{}
			for _, d := range districts {
				if _, err := svc.CreateAccount(b.Context(), auth.NewAccount{Username: "u" + d, Password: unitPassword, Role: models.RoleDistrict, UnitCode: d}); err != nil {
					b.Fatal(err)
				}
				tokens[d] = e.login("u"+d, unitPassword)
			}
			var dirs []string
			for k := range perClient {
				res := e.must("POST", "/api/v1/directives", sec, smallLetter(fmt.Sprintf("bench-upload-%d", k), districts), 202)
				dirs = append(dirs, res.Body["id"].(string))
			}
			eventually(b, 5*time.Minute, "assignments persisted", func() bool {
				return e.count(&models.Assignment{}, "") == int64(clients*perClient)
			})
			var ids []string
			e.db.Model(&models.Assignment{}).Pluck("id", &ids)
			for _, id := range ids {
				e.queryUntilAnswers(id, "state", time.Minute)
			}
			content := bytes.Repeat([]byte("หลักฐานการดำเนินการ ตรวจค้น 0123456789\n"), size/64+1)[:size]
			// The client streams each body through a pipe (sent chunked), so
			// that the heap measured is the server's, not the client's
			// buffers.
			body := func(n int) (io.Reader, string) {
				pr, pw := io.Pipe()
				w := multipart.NewWriter(pw)
				go func() {
					_ = w.WriteField("text", fmt.Sprintf("รายงานผลครั้งที่ %d", n))
					fw, _ := w.CreateFormFile("evidence", "evidence.txt")
					_, _ = fw.Write(content[:size-8])
					_, _ = fmt.Fprintf(fw, "%08d", n) // each file different: none is already stored
					pw.CloseWithError(w.Close())
				}()
				return pr, w.FormDataContentType()
			}
			runtime.GC()
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			var peak atomic.Uint64
			stop := make(chan struct{})
			go func() {
				var m runtime.MemStats
				for {
					select {
					case <-stop:
						return
					case <-time.After(20 * time.Millisecond):
						runtime.ReadMemStats(&m)
						for p := peak.Load(); m.HeapInuse > p && !peak.CompareAndSwap(p, m.HeapInuse); p = peak.Load() {
						}
					}
				}
			}()
			blog(b, "load before: %s", loadavg())
			var mu sync.Mutex
			var lat latencies
			fails := 0
			t0 := time.Now()
			var wg sync.WaitGroup
			for ci, unit := range districts {
				wg.Go(func() {
					for k, dir := range dirs {
						buf, ct := body(ci*perClient + k)
						req, _ := http.NewRequest("POST", e.base+"/api/v1/directives/"+dir+"/assignments/"+unit+"/items/1/reports", buf)
						req.Header.Set("Content-Type", ct)
						req.Header.Set("Authorization", "Bearer "+tokens[unit])
						s := time.Now()
						res, err := e.http.Do(req)
						var raw []byte
						if err == nil {
							raw, _ = io.ReadAll(res.Body)
							res.Body.Close()
						}
						d := time.Since(s)
						mu.Lock()
						if err != nil || res.StatusCode != 200 {
							fails++
							if fails < 3 {
								blog(b, "upload failed: %v %.300s", err, raw)
							}
						} else {
							lat = append(lat, d)
						}
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			wall := time.Since(t0)
			close(stop)
			if got := e.count(&models.Report{}, ""); got != int64(len(lat)) {
				b.Fatalf("%d reports recorded after %d successful uploads", got, len(lat))
			}
			blog(b, "P8 %s clients=%d n=%d size=%d MB fails=%d: upload p50 %.1fms p99 %.1fms, %.1f uploads/s (%.0f MB/s) | Go heap in use before %.1f MB, peak during %.1f MB | load %s",
				kind, clients, clients*perClient, size>>20, fails, ms(lat.pct(0.5)), ms(lat.pct(0.99)), float64(len(lat))/wall.Seconds(),
				float64(len(lat)*size>>20)/wall.Seconds(), float64(before.HeapInuse)/(1<<20), float64(peak.Load())/(1<<20), loadavg())
			b.ReportMetric(ms(lat.pct(0.99)), "upload_p99_ms")
		})
	}
}
