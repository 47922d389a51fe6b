//go:build bench

package bench

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
)

// BenchmarkP3Matrix inserts one directive with 5 items addressed to every
// province, district and 10 synthetic sub-district units per district
// (10,285 assignments, 51,425 assignment-item rows) directly into the read
// model, then measures GET /api/v1/directives/{id}/matrix as admin at 64
// concurrent clients (TIDTAM_BENCH_P3_REQS requests per client, default 3)
// against the same SQL statements the handler issues, run raw through
// database/sql and scanned into RawBytes, at the same concurrency.
func BenchmarkP3Matrix(b *testing.B) {
	perClient := 3
	if v := os.Getenv("TIDTAM_BENCH_P3_REQS"); v != "" {
		perClient, _ = strconv.Atoi(v)
	}
	const clients = 64
	for _, kind := range kinds() {
		b.Run(kind, func(b *testing.B) {
			e := newEnv(b, kind)
			e.addSyntheticUnits(10)
			id := e.seedMatrix()
			admin := e.login("admin", adminPassword)
			res := e.must("GET", "/api/v1/directives/"+id+"/matrix", admin, nil, 200)
			rows := len(res.Body["rows"].([]any))
			var itemRows int64
			e.db.Model(&models.AssignmentItem{}).Count(&itemRows)
			blog(b, "matrix: %d rows, %d assignment-item rows, response %d KB", rows, itemRows, len(res.Raw)/1024)

			sqlDB, err := e.db.DB()
			if err != nil {
				b.Fatal(err)
			}
			raw := func() error { return rawMatrix(sqlDB, kind, id) }
			if err := raw(); err != nil {
				b.Fatal(err)
			}
			api := func() error {
				r, err := e.do("GET", "/api/v1/directives/"+id+"/matrix", admin, nil)
				if err == nil && r.Status != 200 {
					err = fmt.Errorf("status %d", r.Status)
				}
				return err
			}
			type result struct {
				lat  latencies
				wall time.Duration
			}
			run := func(fn func() error) result {
				var mu sync.Mutex
				var lat latencies
				t0 := time.Now()
				var wg sync.WaitGroup
				for range clients {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for range perClient {
							s := time.Now()
							err := fn()
							d := time.Since(s)
							mu.Lock()
							if err != nil {
								blog(b, "request failed: %v", err)
							} else {
								lat = append(lat, d)
							}
							mu.Unlock()
						}
					}()
				}
				wg.Wait()
				return result{lat, time.Since(t0)}
			}
			blog(b, "load before: %s", loadavg())
			rr := run(raw)
			blog(b, "load after raw: %s", loadavg())
			ar := run(api)
			ratio := ms(ar.lat.pct(0.99)) / ms(rr.lat.pct(0.99))
			blog(b, "P3 %s 64 clients × %d: endpoint p50 %.0fms p99 %.0fms %.1f req/s | raw SQL p50 %.0fms p99 %.0fms %.1f req/s | p99 ratio %.2f× (target ≤ 3×) | load %s",
				kind, perClient, ms(ar.lat.pct(0.5)), ms(ar.lat.pct(0.99)), float64(len(ar.lat))/ar.wall.Seconds(),
				ms(rr.lat.pct(0.5)), ms(rr.lat.pct(0.99)), float64(len(rr.lat))/rr.wall.Seconds(), ratio, loadavg())
			b.ReportMetric(ms(ar.lat.pct(0.99)), "matrix_p99_ms")
			b.ReportMetric(ms(rr.lat.pct(0.99)), "raw_p99_ms")
			b.ReportMetric(ratio, "p99_ratio")
		})
	}
}

// seedMatrix writes the synthetic directive straight into the read model.
func (e *env) seedMatrix() string {
	e.tb.Helper()
	const id = "moi-benchmatrix"
	now := time.Now().UTC()
	d := models.Directive{ID: id, Source: "ministry", IssuerCode: "moi", DocNumber: "bench matrix", DocNumberNorm: "bench matrix",
		IssueDate: "2024-12-17", Urgency: "urgent", Subject: "ทดสอบ", Status: models.DirectiveIssued, CreatedBy: "bench", CreatedAt: now, UpdatedAt: now}
	var units []models.Unit
	if err := e.db.Where("type IN ?", []models.UnitType{models.UnitProvince, models.UnitDistrict, models.UnitOther}).Order("code").Find(&units).Error; err != nil {
		e.tb.Fatal(err)
	}
	d.UnitsTotal, d.UnitsAssigned = len(units), len(units)
	if err := e.db.Create(&d).Error; err != nil {
		e.tb.Fatal(err)
	}
	for n := 1; n <= 5; n++ {
		if err := e.db.Create(&models.DirectiveItem{DirectiveID: id, Number: n, Text: "ข้อ " + strconv.Itoa(n), Target: "{}"}).Error; err != nil {
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
		status := models.AssignmentAssigned
		if i%3 == 0 {
			status = models.AssignmentAcknowledged
		}
		as = append(as, models.Assignment{ID: aid, DirectiveID: id, UnitCode: u.Code, ParentCode: parent, Region: i % 19,
			Status: status, AckDueAt: now.Add(48 * time.Hour), Version: 1, CreatedAt: now, UpdatedAt: now})
		for n := 1; n <= 5; n++ {
			due := now.Add(time.Duration(n) * 24 * time.Hour)
			items = append(items, models.AssignmentItem{AssignmentID: aid, ItemNumber: n, Cycle: 1, Status: models.ItemOpen, DueAt: &due, Version: 1, UpdatedAt: now})
		}
	}
	if err := e.db.CreateInBatches(as, 500).Error; err != nil {
		e.tb.Fatal(err)
	}
	if err := e.db.CreateInBatches(items, 1000).Error; err != nil {
		e.tb.Fatal(err)
	}
	return id
}

// rawMatrix runs the handler's three statements without GORM or JSON.
func rawMatrix(db *sql.DB, kind, id string) error {
	ph := func(n int) string {
		if kind == "postgres" {
			return "$" + strconv.Itoa(n)
		}
		return "?"
	}
	ctx := context.Background()
	for _, q := range []string{
		"SELECT assignments.*, units.name_th AS name_th, units.type AS type FROM assignments JOIN units ON units.code = assignments.unit_code WHERE assignments.directive_id = " + ph(1) + " ORDER BY assignments.unit_code",
		"SELECT number FROM directive_items WHERE directive_id = " + ph(1) + " ORDER BY number",
		"SELECT * FROM assignment_items WHERE assignment_id IN (SELECT assignments.id FROM assignments WHERE assignments.directive_id = " + ph(1) + ") ORDER BY assignment_id, item_number, cycle",
	} {
		rows, err := db.QueryContext(ctx, q, id)
		if err != nil {
			return err
		}
		cols, _ := rows.Columns()
		vals := make([]sql.RawBytes, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return err
			}
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}
