package api_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/proto"

	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
)

// historyHolds reports whether any event of the workflow's history (all
// runs) carries needle anywhere in its encoded form: inputs, Update
// arguments and results, activity inputs, markers.
func historyHolds(t *testing.T, tc client.Client, workflowID string, needle []byte) bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	it := tc.GetWorkflowHistory(ctx, workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	events := 0
	found := false
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatalf("history of %s: %v", workflowID, err)
		}
		events++
		b, err := proto.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		found = found || bytes.Contains(b, needle)
	}
	if events == 0 {
		t.Fatalf("history of %s is empty", workflowID)
	}
	return found
}

// TestWorkflowsCarryTextsByRef issues a directive with a long body and
// item text and reports on it with a long text: the read model, the answers
// and the notifications hold the texts, while neither workflow's history
// holds any of them, only their refs (models.TextRef).
func TestWorkflowsCarryTextsByRef(t *testing.T) {
	db := storetest.SQLite(t)
	h := newHarness(t, db)
	tc := h.withEngine()
	sec := h.login("sec", "secretariat-pass")
	prov := h.login("chonburi", "province-pass-1")

	// Trimmed as the API trims them.
	body := strings.TrimSpace(strings.Repeat("เนื้อความของหนังสือสั่งการ BODYMARK ", 500))
	itemText := strings.TrimSpace(strings.Repeat("ให้จังหวัดดำเนินการตามแผน ITEMMARK ", 250))
	reportText := strings.TrimSpace(strings.Repeat("ผลการดำเนินงานของจังหวัด REPORTMARK ", 500))
	letter := asgLetter("ที่ มท ๐๓๑๑.๓/ว ๙๗๑", map[string]any{"ack_within": "PT10M"},
		map[string]any{"number": 1, "text": itemText, "due_within": "PT10M", "targets": map[string]any{"units": []string{"20"}}})
	letter["body"] = body
	id := asgIssue(h, sec, letter)
	eventually(t, time.Minute, "the assignment", func() bool {
		return count(t, db, &models.AssignmentItem{}, "assignment_id = ?", workflows.AssignmentWorkflowID(id, "20")) == 1
	})
	base := "/api/v1/directives/" + id + "/assignments/20"
	rep := asgSend(h, base+"/items/1/reports", prov, "", asgText(reportText))
	if rep.Status != 200 || asgItem(t, rep.Body, 1)["text"] != itemText {
		t.Fatalf("report: %d; the answer must carry the item's text: %.600s", rep.Status, rep.Raw)
	}
	got := h.do("GET", base, prov, nil)
	reports, _ := got.Body["reports"].([]any)
	if got.Status != 200 || asgItem(t, got.Body, 1)["text"] != itemText || len(reports) != 1 ||
		reports[0].(map[string]any)["text"] != reportText {
		t.Fatalf("assignment read model: %d %.300s", got.Status, got.Raw)
	}
	if d := h.do("GET", "/api/v1/directives/"+id, sec, nil); d.Body["body"] != body {
		t.Fatalf("directive read model lost the body: %.300s", d.Raw)
	}
	var n models.Notification
	if err := db.Where("kind = ? AND id LIKE ?", workflows.NotifyReported, "%"+id+"%").First(&n).Error; err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(n.Data, "REPORTMARK") || !strings.Contains(n.Data, "ITEMMARK") || strings.Contains(n.Data, "_ref") {
		t.Errorf("the reported notice must carry both texts, not their refs: %.300s", n.Data)
	}

	for _, wid := range []string{workflows.DirectiveWorkflowID(id), workflows.AssignmentWorkflowID(id, "20")} {
		for _, mark := range []string{"BODYMARK", "ITEMMARK", "REPORTMARK"} {
			if historyHolds(t, tc, wid, []byte(mark)) {
				t.Errorf("the history of %s carries the text marked %s", wid, mark)
			}
		}
	}
	if !historyHolds(t, tc, workflows.AssignmentWorkflowID(id, "20"), []byte(models.RefOf(reportText))) ||
		!historyHolds(t, tc, workflows.DirectiveWorkflowID(id), []byte(models.RefOf(itemText))) {
		t.Error("the histories must carry the texts' refs")
	}
}
