package api_test

import (
	"encoding/csv"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/csvout"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
)

// TestAuditExport: admins and the secretariat export the audit trail of a
// period as CSV (BOM, Thai header, Bangkok days, oldest first, formula
// cells neutralised, hashes that match the chain); the export is itself
// audited; other roles are refused; bad parameters are 422 naming them.
func TestAuditExport(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		bkk := time.FixedZone("ICT", 7*3600)
		err := db.Transaction(func(tx *gorm.DB) error {
			for _, ev := range []models.AuditEvent{
				{At: time.Date(2024, 12, 31, 23, 59, 0, 0, bkk), Actor: "sec", Action: "holiday.put", EntityType: "holiday", EntityID: "before"},
				{At: time.Date(2025, 1, 1, 0, 0, 0, 0, bkk), Actor: "=HYPERLINK(\"http://evil\")", Action: "unit.update", EntityType: "unit", EntityID: "@SUM(A1)",
					Before: `{"name":"เดิม"}`, After: "-2+3+cmd|' /C calc'!A0", RequestID: "+r1"},
				{At: time.Date(2025, 1, 31, 23, 59, 59, 0, bkk), Actor: "สมชาย", Action: "target_set.put", EntityType: "target_set", EntityID: "pilot",
					After: "ข้อความ, มีจุลภาค \"และอัญประกาศ\"\nบรรทัดใหม่"},
				{At: time.Date(2025, 2, 1, 0, 0, 0, 0, bkk), Actor: "sec", Action: "holiday.put", EntityType: "holiday", EntityID: "after"},
			} {
				if err := store.RecordAudit(tx, ev); err != nil {
					return err
				}
			}
			// Enough rows in the period to take several batches.
			for i := range 1100 {
				if err := store.RecordAudit(tx, models.AuditEvent{At: time.Date(2025, 1, 15, 9, 0, i, 0, bkk), Actor: "bulk",
					Action: "x", EntityType: "t", EntityID: fmt.Sprint(i)}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		admin, sec := h.login("admin", adminPassword), h.login("sec", "secretariat-pass")

		path := "/api/v1/audit/export?from=2025-01-01&to=" + url.QueryEscape("31 ม.ค. 2568") + "&format=csv"
		for _, tok := range []string{admin, sec} {
			res, hdr := h.send("GET", path, tok, nil, nil)
			if res.Status != 200 || hdr.Get("Content-Type") != "text/csv; charset=utf-8" ||
				!strings.Contains(hdr.Get("Content-Disposition"), `filename=tidtam-audit-from-2025-01-01-to-2025-01-31.csv`) {
				t.Fatalf("export = %d %v %.300s", res.Status, hdr, res.Raw)
			}
			body := string(res.Raw)
			if !strings.HasPrefix(body, csvout.BOM+"รหัส,เวลา (เวลาประเทศไทย),ผู้ดำเนินการ,") || !strings.Contains(body, "\r\n") {
				t.Fatalf("no BOM, Thai header or CRLF: %.200q", body)
			}
			rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, csvout.BOM))).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 1+1102 {
				t.Fatalf("%d rows, want the header and 1102 (the period's days only)", len(rows))
			}
			first, last := rows[1], rows[len(rows)-1]
			if first[1] != "2025-01-01 00:00:00" || first[2] != `'=HYPERLINK("http://evil")` || first[5] != "'@SUM(A1)" ||
				first[7] != "'-2+3+cmd|' /C calc'!A0" || first[8] != "'+r1" || first[6] != `{"name":"เดิม"}` {
				t.Errorf("first row = %q", first)
			}
			if last[2] != "bulk" || rows[2][2] != "สมชาย" {
				t.Errorf("rows out of order: %q … %q", rows[2], last)
			}
			var ev models.AuditEvent
			db.Where("entity_id = ?", "pilot").Take(&ev)
			found := false
			for _, r := range rows[1:] {
				for _, c := range r {
					if csvout.FormulaLike(c) {
						t.Errorf("cell %q not neutralised", c)
					}
				}
				if r[5] == "pilot" {
					found = true
					if r[7] != ev.After || r[9] != ev.PrevHash || r[10] != ev.Hash || r[1] != "2025-01-31 23:59:59" {
						t.Errorf("row %q, want after %q and the chain's hashes", r, ev.After)
					}
				}
			}
			if !found {
				t.Error("the row of 31 January is missing")
			}
		}
		var exports int64
		db.Model(&models.AuditEvent{}).Where("action = ? AND actor IN ?", "audit.export", []string{"admin", "sec"}).Count(&exports)
		if exports != 2 {
			t.Errorf("%d exports audited, want 2", exports)
		}
		// No bounds: the whole trail, the exports included.
		if res, _ := h.send("GET", "/api/v1/audit/export", admin, nil, nil); res.Status != 200 || strings.Count(string(res.Raw), "\r\n") < 1106 {
			t.Errorf("whole trail = %d, %d lines", res.Status, strings.Count(string(res.Raw), "\r\n"))
		}
		if rep, err := store.VerifyAudit(t.Context(), db); err != nil || rep.Broken != nil {
			t.Errorf("chain after exports: %v %+v", err, rep.Broken)
		}

		errorOf(t, h.do("GET", "/api/v1/audit/export?from=2025-01-01", h.login("chonburi", "province-pass-1"), nil), 403, "forbidden", "")
		errorOf(t, h.do("GET", "/api/v1/audit/export?from=2025-01-01", h.login("watch", "observer-pass-1"), nil), 403, "forbidden", "")
		errorOf(t, h.do("GET", "/api/v1/audit/export", "", nil), 401, "unauthorized", "")
		errorOf(t, h.do("GET", "/api/v1/audit/export?format=pdf", admin, nil), 422, "invalid", "format")
		errorOf(t, h.do("GET", "/api/v1/audit/export?from=31-02-2568", admin, nil), 422, "invalid", "from")
		errorOf(t, h.do("GET", "/api/v1/audit/export?from=2025-02-01&to=2025-01-31", admin, nil), 422, "invalid", "to")
	})
}
