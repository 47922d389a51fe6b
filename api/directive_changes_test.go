package api_test

import (
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
)

// TestDirectiveChanges amends, extends and withdraws an issued directive
// through the API and checks the read model follows.
func TestDirectiveChanges(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		h.withEngine()
		sec := h.login("sec", "secretariat-pass")
		prov := h.login("chonburi", "province-pass-1")
		letter := map[string]any{
			"source": "oncb", "issuer": "ONCB", "doc_number": "ปส ๐๐๑/๒๕๖๙", "issue_date": "2026-11-20",
			"urgency": "ด่วน", "subject": "ทดสอบการแก้ไขข้อสั่งการ",
			"items": []map[string]any{
				{"number": 1, "text": "รายงานผล", "targets": map[string]any{"provinces": []string{"ชลบุรี", "ระยอง"}}, "due_within": "10"},
				{"number": 2, "text": "ประชุมซักซ้อม", "targets": map[string]any{"provinces": []string{"ชลบุรี"}}, "due_within": "15"},
			},
		}
		res := h.do("POST", "/api/v1/directives", sec, letter)
		if res.Status != 202 {
			t.Fatalf("issue: %d %s", res.Status, res.Raw)
		}
		id := res.Body["id"].(string)
		eventually(t, 30*time.Second, "two assignments", func() bool {
			return count(t, db, &models.Assignment{}, "directive_id = ?", id) == 2 &&
				count(t, db, &models.AssignmentItem{}, "assignment_id LIKE ?", "assignment/"+id+"/%") == 3
		})

		base := "/api/v1/directives/" + id
		errorOf(t, h.do("POST", base+"/amend", prov, map[string]any{"item_number": 1, "new_due": map[string]string{"date": "2027-01-15"}, "reason": "x"}), 403, "forbidden", "")
		errorOf(t, h.do("POST", base+"/amend", sec, map[string]any{"item_number": 1, "new_due": map[string]string{"date": "2027-01-15"}}), 422, "invalid", "reason")
		errorOf(t, h.do("POST", base+"/amend", sec, map[string]any{"item_number": 1, "reason": "x"}), 422, "invalid", "new_due")
		errorOf(t, h.do("POST", base+"/amend", sec, map[string]any{"item_number": 1, "new_due": map[string]string{"date": "32 ม.ค. 2570"}, "reason": "x"}), 422, "invalid", "new_due.date")

		// Amend item ๑ to 15 Jan 2027 16:30 Bangkok (๑๕ ม.ค. ๒๕๗๐).
		res = h.do("POST", base+"/amend", sec, map[string]any{"item_number": "๑", "new_due": map[string]string{"date": "๑๕ ม.ค. ๒๕๗๐"}, "reason": "ขยายเวลาตามที่จังหวัดขอ"})
		if res.Status != 200 {
			t.Fatalf("amend: %d %s", res.Status, res.Raw)
		}
		want := time.Date(2027, 1, 15, 16, 30, 0, 0, time.FixedZone("ICT", 7*3600))
		eventually(t, 20*time.Second, "amended due in the read model", func() bool {
			var items []models.AssignmentItem
			db.Where("assignment_id LIKE ? AND item_number = 1", "assignment/"+id+"/%").Find(&items)
			for _, it := range items {
				if it.DueAt == nil || !it.DueAt.Equal(want) {
					return false
				}
			}
			return len(items) == 2
		})

		// Add a target: ฉะเชิงเทรา for item ๒ only.
		errorOf(t, h.do("POST", base+"/targets", sec, map[string]any{"targets": map[string]any{"provinces": []string{"ฉะเชิงเทา"}}, "reason": "เพิ่ม"}), 422, "invalid", "targets.provinces[0]")
		res = h.do("POST", base+"/targets", sec, map[string]any{"item_numbers": []int{2}, "targets": map[string]any{"provinces": []string{"ฉะเชิงเทรา"}}, "reason": "เพิ่มจังหวัด"})
		if res.Status != 200 {
			t.Fatalf("add targets: %d %s", res.Status, res.Raw)
		}
		eventually(t, 30*time.Second, "third assignment", func() bool {
			return count(t, db, &models.Assignment{}, "directive_id = ? AND unit_code = ?", id, "24") == 1
		})
		// Adding the same unit again is rejected by the workflow's validator.
		errorOf(t, h.do("POST", base+"/targets", sec, map[string]any{"item_numbers": []int{2}, "targets": map[string]any{"units": []string{"24"}}, "reason": "ซ้ำ"}), 409, "conflict", "")

		// Withdraw: every assignment ends.
		res = h.do("POST", base+"/withdraw", sec, map[string]any{"reason": "ยกเลิกหนังสือ"})
		if res.Status != 200 {
			t.Fatalf("withdraw: %d %s", res.Status, res.Raw)
		}
		eventually(t, 30*time.Second, "assignments withdrawn", func() bool {
			return count(t, db, &models.Assignment{}, "directive_id = ? AND status = ?", id, models.AssignmentWithdrawn) == 3 &&
				count(t, db, &models.Directive{}, "id = ? AND status = ?", id, models.DirectiveWithdrawn) == 1
		})
		errorOf(t, h.do("POST", base+"/withdraw", sec, map[string]any{"reason": "อีกครั้ง"}), 409, "conflict", "")
	})
}
