package api_test

import (
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
)

// escRows returns the (unit, level) pairs of an escalation list, sorted.
func escRows(t *testing.T, res response) []string {
	t.Helper()
	if res.Status != 200 {
		t.Fatalf("escalations: %d %s", res.Status, res.Raw)
	}
	var out []string
	for _, it := range res.Body["items"].([]any) {
		m := it.(map[string]any)
		out = append(out, m["unit_code"].(string)+"/"+string(rune('0'+int(m["level"].(float64)))))
	}
	if int(res.Body["total"].(float64)) != len(out) {
		t.Fatalf("total %v != %d rows", res.Body["total"], len(out))
	}
	sort.Strings(out)
	return out
}

// TestEscalationLadderAndInspectorAction lets two provinces miss a
// ten-second due: the ladder climbs to level 3 within seconds, each
// inspector sees only its own region's escalations, and an inspector's
// extension closes them and moves the due.
func TestEscalationLadderAndInspectorAction(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		tc := h.withEngine()
		admin := h.login("admin", adminPassword)
		var cm models.Unit
		if err := db.First(&cm, "code = ?", "50").Error; err != nil || cm.InspectionRegion == nil || *cm.InspectionRegion == 8 {
			t.Fatalf("เชียงใหม่ must be outside region 8: %+v %v", cm, err)
		}
		asgAccount(h, admin, "inspnorth", "inspector", "", *cm.InspectionRegion)
		sec := h.login("sec", "secretariat-pass")
		prov := h.login("chonburi", "province-pass-1")
		insp8 := h.login("insp8", "inspector-pass-1")
		north := h.login("inspnorth", "inspnorth-password")
		watch := h.login("watch", "observer-pass-1")

		policy := map[string]any{"ack_within": "PT1M", "reminders": []string{"PT5S"}, "escalations": []string{"0", "PT3S", "PT6S"}}
		id := asgIssue(h, sec, asgLetter("ที่ มท ๐๓๑๑.๓/ว ๙๐๒", policy,
			map[string]any{"number": 1, "text": "ส่งแผนปฏิบัติการปราบปรามผู้ค้า", "due_within": "PT10S",
				"targets": map[string]any{"provinces": []string{"ชลบุรี", "เชียงใหม่"}}}))
		chon, chiang := workflows.AssignmentWorkflowID(id, "20"), workflows.AssignmentWorkflowID(id, "50")
		eventually(t, 90*time.Second, "level 3 on both provinces", func() bool {
			return count(t, db, &models.Escalation{}, "assignment_id IN ? AND level = 3 AND closed_at IS NULL", []string{chon, chiang}) == 2
		})
		if n := count(t, db, &models.Escalation{}, "assignment_id = ? AND closed_at IS NULL", chon); n != 3 {
			t.Fatalf("ชลบุรี should have levels 1, 2 and 3 open, has %d", n)
		}

		// Each inspector sees its own region only.
		if got := escRows(t, h.do("GET", "/api/v1/escalations?level=3&open=true", insp8, nil)); !slices.Equal(got, []string{"20/3"}) {
			t.Fatalf("insp8 sees %v", got)
		}
		if got := escRows(t, h.do("GET", "/api/v1/escalations?level=3&open=true", north, nil)); !slices.Equal(got, []string{"50/3"}) {
			t.Fatalf("inspnorth sees %v", got)
		}
		if got := escRows(t, h.do("GET", "/api/v1/escalations", prov, nil)); !slices.Equal(got, []string{"20/1", "20/2", "20/3"}) {
			t.Fatalf("ชลบุรี sees %v", got)
		}
		if got := escRows(t, h.do("GET", "/api/v1/escalations?level=3", sec, nil)); !slices.Equal(got, []string{"20/3", "50/3"}) {
			t.Fatalf("secretariat sees %v", got)
		}
		if got := escRows(t, h.do("GET", "/api/v1/escalations?region=8&directive="+id, watch, nil)); !slices.Equal(got, []string{"20/1", "20/2", "20/3"}) {
			t.Fatalf("observer, region 8: %v", got)
		}
		errorOf(t, h.do("GET", "/api/v1/escalations?level=4", sec, nil), 422, "invalid", "level")
		errorOf(t, h.do("GET", "/api/v1/escalations?open=later", sec, nil), 422, "invalid", "open")
		row := h.do("GET", "/api/v1/escalations?level=3&open=true", insp8, nil).Body["items"].([]any)[0].(map[string]any)
		escID := row["id"].(string)
		if escID != workflows.EscalationID(chon, 1, 1, 3, 0) || row["unit_name"] != "ศอ.ปส.จ.ชลบุรี" || row["item_text"] != "ส่งแผนปฏิบัติการปราบปรามผู้ค้า" ||
			row["region"].(float64) != 8 || row["doc_number"] != "ที่ มท ๐๓๑๑.๓/ว ๙๐๒" || row["open"] != true || row["item_status"] != "open" {
			t.Fatalf("escalation row: %v", row)
		}
		overdue := h.do("GET", "/api/v1/assignments?overdue=true&directive="+id, sec, nil)
		if got := asgUnits(t, overdue); !slices.Equal(got, []string{"20", "50"}) {
			t.Fatalf("overdue assignments: %v", got)
		}
		for _, it := range overdue.Body["items"].([]any) {
			if lvl := it.(map[string]any)["escalation_level"].(float64); lvl != 3 {
				t.Fatalf("assignment escalation level %v, want 3", lvl)
			}
		}

		// Who may act, and bad requests: nothing changes.
		act := "/api/v1/escalations/" + escKey(escID) + "/actions"
		extend := map[string]any{"kind": "extend", "reason": "จังหวัดขอขยายเวลาเนื่องจากน้ำท่วม", "new_due": map[string]string{"within": "PT10M"}}
		errorOf(t, h.do("POST", act, north, extend), 404, "not_found", "")
		errorOf(t, h.do("POST", act, prov, extend), 403, "forbidden", "")
		errorOf(t, h.do("POST", act, watch, extend), 403, "forbidden", "")
		errorOf(t, h.do("POST", act, insp8, map[string]any{"kind": "forgive", "reason": "x"}), 422, "invalid", "kind")
		errorOf(t, h.do("POST", act, insp8, map[string]any{"kind": "extend", "new_due": map[string]string{"within": "PT10M"}}), 422, "invalid", "reason")
		errorOf(t, h.do("POST", act, insp8, map[string]any{"kind": "extend", "reason": "x"}), 422, "invalid", "new_due")
		errorOf(t, h.do("POST", act, insp8, map[string]any{"kind": "extend", "reason": "x", "new_due": map[string]string{"within": "soon"}}), 422, "invalid", "new_due.within")
		errorOf(t, h.do("POST", act, insp8, map[string]any{"kind": "comment", "reason": "x", "new_due": map[string]string{"within": "PT1M"}}), 422, "invalid", "new_due")
		errorOf(t, h.do("POST", "/api/v1/escalations/assignment~nope~1~1~3/actions", insp8, extend), 404, "not_found", "")
		if n := count(t, db, &models.EscalationAction{}, ""); n != 0 {
			t.Fatalf("refused actions recorded %d rows", n)
		}

		// insp8 extends: the item is extended, every escalation of it closes.
		res := h.do("POST", act, insp8, extend)
		if res.Status != 200 {
			t.Fatalf("extend: %d %s", res.Status, res.Raw)
		}
		it := asgItem(t, res.Body, 1)
		due := asgTime(t, it["due_at"])
		if it["status"] != "extended" || it["escalation_level"].(float64) != 0 || !due.After(time.Now().Add(9*time.Minute)) || res.Body["escalation_level"].(float64) != 0 {
			t.Fatalf("state after extend: %s", res.Raw)
		}
		if n := count(t, db, &models.Escalation{}, "assignment_id = ? AND (closed_at IS NULL OR close_reason <> ?)", chon, "extend"); n != 0 {
			t.Fatalf("%d escalations of ชลบุรี still open or closed for another reason", n)
		}
		var actions []models.EscalationAction
		db.Find(&actions)
		if len(actions) != 1 || actions[0].EscalationID != escID || actions[0].Kind != models.ActionExtend || actions[0].Actor != "insp8" ||
			actions[0].NewDue == nil || !asgSameInstant(*actions[0].NewDue, due) {
			t.Fatalf("escalation actions: %+v", actions)
		}
		errorOf(t, h.do("POST", act, insp8, extend), 409, "conflict", "")
		if got := escRows(t, h.do("GET", "/api/v1/escalations?open=true", insp8, nil)); len(got) != 0 {
			t.Fatalf("insp8 still has open escalations: %v", got)
		}

		// The northern inspector comments on เชียงใหม่, the key URL-encoded.
		northID := workflows.EscalationID(chiang, 1, 1, 3, 0)
		c := h.do("POST", "/api/v1/escalations/"+url.PathEscape(escKey(northID))+"/actions", north, map[string]string{"kind": "comment", "reason": "ประสานจังหวัดแล้ว"})
		if c.Status != 200 || asgItem(t, c.Body, 1)["status"] != "open" {
			t.Fatalf("comment: %d %s", c.Status, c.Raw)
		}
		listed := h.do("GET", "/api/v1/escalations?open=true&unit=50&level=3", sec, nil).Body["items"].([]any)
		if len(listed) != 1 {
			t.Fatalf("เชียงใหม่ level 3: %v", listed)
		}
		acts := listed[0].(map[string]any)["actions"].([]any)
		if len(acts) != 1 || acts[0].(map[string]any)["kind"] != "comment" || acts[0].(map[string]any)["actor"] != "inspnorth" {
			t.Fatalf("actions of เชียงใหม่: %v", acts)
		}

		// The read model agrees with the workflows.
		asgMatchesWorkflow(t, h, tc, sec, id, "20")
		asgMatchesWorkflow(t, h, tc, insp8, id, "20")
		asgMatchesWorkflow(t, h, tc, north, id, "50")
		errorOf(t, h.do("GET", "/api/v1/directives/"+id+"/assignments/50", insp8, nil), 404, "not_found", "")
	})
}

// escKey is the path form of an escalation ID, as the listing's
// actions_path writes it: each "/" as "~".
func escKey(id string) string { return strings.ReplaceAll(id, "/", "~") }
