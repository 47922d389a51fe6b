package api_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"gorm.io/gorm"

	"github.com/tidtam/tidtam/api"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
)

// asgMaxUpload is the per-file limit of the test apps.
const asgMaxUpload = testMaxUpload

// asgEngine starts the engine and returns its client and the app's data
// directory, which the test inspects.
func asgEngine(h *harness) (client.Client, string) {
	h.t.Helper()
	tc := h.withEngine()
	return tc, h.dataDir
}

// asgAccount creates an account through the API as admin.
func asgAccount(h *harness, admin, username, role, unit string, regions ...int) {
	h.t.Helper()
	body := map[string]any{"username": username, "password": username + "-password", "role": role}
	if unit != "" {
		body["unit_code"] = unit
	}
	if len(regions) > 0 {
		body["regions"] = regions
	}
	if res := h.do("POST", "/api/v1/accounts", admin, body); res.Status != 201 {
		h.t.Fatalf("create account %s: %d %s", username, res.Status, res.Raw)
	}
}

// asgIssue issues a directive and returns its ID.
func asgIssue(h *harness, token string, letter map[string]any) string {
	h.t.Helper()
	res := h.do("POST", "/api/v1/directives", token, letter)
	if res.Status != 202 {
		h.t.Fatalf("issue: %d %s", res.Status, res.Raw)
	}
	return res.Body["id"].(string)
}

// asgPart is one part of a multipart request: a value when file is empty,
// else a file.
type asgPart struct {
	field, file string
	data        []byte
}

// asgSend posts a multipart body with an optional Idempotency-Key.
func asgSend(h *harness, path, token, key string, parts ...asgPart) response {
	h.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, p := range parts {
		var w io.Writer
		var err error
		if p.file == "" {
			w, err = mw.CreateFormField(p.field)
		} else {
			w, err = mw.CreateFormFile(p.field, p.file)
		}
		if err != nil {
			h.t.Fatal(err)
		}
		_, _ = w.Write(p.data)
	}
	_ = mw.Close()
	return asgRaw(h, "POST", path, token, mw.FormDataContentType(), key, buf.Bytes())
}

func asgRaw(h *harness, method, path, token, contentType, key string, body []byte) response {
	h.t.Helper()
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+token)
	if key != "" {
		req.Header.Set(api.HeaderIdempotencyKey, key)
	}
	res, err := h.app.Test(req, 30_000)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	raw, _ := io.ReadAll(res.Body)
	checkOpenAPI(h.t, req, body, res, raw)
	out := response{Status: res.StatusCode, Raw: raw}
	_ = json.Unmarshal(raw, &out.Body)
	return out
}

func asgText(text string) asgPart { return asgPart{field: "text", data: []byte(text)} }

func asgFile(name string, data []byte) asgPart {
	return asgPart{field: "evidence", file: name, data: data}
}

// asgPNG encodes a real 2×2 PNG whose pixels depend on seed.
func asgPNG(t *testing.T, seed uint8) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 2, 2))
	for i := range 4 {
		img.Set(i%2, i/2, color.RGBA{R: seed, G: uint8(i * 60), B: 200, A: 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// asgPDF is a minimal PDF document; pad adds bytes to reach a size.
func asgPDF(note string, pad int) []byte {
	b := []byte("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n% " + note + "\n")
	if pad > 0 {
		b = append(b, bytes.Repeat([]byte("%"), pad)...)
	}
	return append(b, []byte("\ntrailer << /Root 1 0 R >>\n%%EOF\n")...)
}

// asgZip builds a zip with the named entries.
func asgZip(t *testing.T, names ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(w, "<x>%s</x>", n)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// asgELF is the start of a Linux executable.
var asgELF = append([]byte{0x7f, 'E', 'L', 'F', 2, 1, 1, 0}, make([]byte, 120)...)

func asgSHA(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// asgStoredFiles lists every regular file under dataDir/evidence,
// temporary ones included.
func asgStoredFiles(t *testing.T, dataDir string) []string {
	t.Helper()
	var out []string
	root := filepath.Join(dataDir, "evidence")
	err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !e.IsDir() {
			rel, _ := filepath.Rel(root, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// asgUnits returns the unit codes of a list answer, sorted.
func asgUnits(t *testing.T, res response) []string {
	t.Helper()
	if res.Status != 200 {
		t.Fatalf("list: %d %s", res.Status, res.Raw)
	}
	var codes []string
	for _, it := range res.Body["items"].([]any) {
		codes = append(codes, it.(map[string]any)["unit_code"].(string))
	}
	if int(res.Body["total"].(float64)) != len(codes) {
		t.Fatalf("total %v != %d rows", res.Body["total"], len(codes))
	}
	sort.Strings(codes)
	return codes
}

// asgItem returns item number's latest cycle from a state or view.
func asgItem(t *testing.T, body map[string]any, number int) map[string]any {
	t.Helper()
	var found map[string]any
	for _, it := range body["items"].([]any) {
		m := it.(map[string]any)
		if int(m["number"].(float64)) == number && (found == nil || m["cycle"].(float64) > found["cycle"].(float64)) {
			found = m
		}
	}
	if found == nil {
		t.Fatalf("item %d missing in %.500s", number, body)
	}
	return found
}

func asgTime(t *testing.T, v any) time.Time {
	t.Helper()
	s, _ := v.(string)
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("time %v: %v", v, err)
	}
	return tm
}

// asgSameInstant compares instants to the database's microseconds.
func asgSameInstant(a, b time.Time) bool {
	d := a.Sub(b)
	return d < time.Millisecond && d > -time.Millisecond
}

// asgMatchesWorkflow checks that GET of the assignment (the read model)
// agrees with the workflow's own state from QueryState. A timer may fire
// between the two reads (the state changes before its save completes), so
// a difference is retried for a few seconds before it fails the test.
func asgMatchesWorkflow(t *testing.T, h *harness, tc client.Client, token, directiveID, unit string) map[string]any {
	t.Helper()
	var v map[string]any
	var problem string
	for range 20 {
		if v, problem = asgCompare(t, h, tc, token, directiveID, unit); problem == "" {
			return v
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatal(problem)
	return nil
}

func asgCompare(t *testing.T, h *harness, tc client.Client, token, directiveID, unit string) (map[string]any, string) {
	t.Helper()
	res := h.do("GET", "/api/v1/directives/"+directiveID+"/assignments/"+unit, token, nil)
	if res.Status != 200 {
		t.Fatalf("get assignment %s: %d %s", unit, res.Status, res.Raw)
	}
	v := res.Body
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	q, err := tc.QueryWorkflow(ctx, workflows.AssignmentWorkflowID(directiveID, unit), "", workflows.QueryState)
	if err != nil {
		t.Fatal(err)
	}
	var s workflows.AssignmentState
	if err := q.Get(&s); err != nil {
		t.Fatal(err)
	}
	ackBy, _ := v["acknowledged_by"].(string)
	if v["id"] != s.AssignmentID || v["status"] != string(s.Status) || int64(v["version"].(float64)) != s.Seq ||
		int(v["escalation_level"].(float64)) != s.EscalationLevel || v["overdue"] != s.Overdue || ackBy != s.AcknowledgedBy {
		return v, fmt.Sprintf("read model %s differs from the workflow state %+v", res.Raw, s)
	}
	items := v["items"].([]any)
	if len(items) != len(s.Items) {
		return v, fmt.Sprintf("read model has %d item rows, workflow %d", len(items), len(s.Items))
	}
	reports := map[string]map[string]any{}
	for _, r := range v["reports"].([]any) {
		m := r.(map[string]any)
		reports[m["id"].(string)] = m
	}
	for i, st := range s.Items {
		it := items[i].(map[string]any)
		if int(it["number"].(float64)) != st.Number || int(it["cycle"].(float64)) != st.Cycle || it["status"] != string(st.Status) ||
			int(it["escalation_level"].(float64)) != st.EscalationLevel || !sameItemText(it["text"], st) {
			return v, fmt.Sprintf("item %d: read model %v, workflow %+v", st.Number, it, st)
		}
		if (st.DueAt == nil) != (it["due_at"] == nil) || st.DueAt != nil && !asgSameInstant(*st.DueAt, asgTime(t, it["due_at"])) {
			return v, fmt.Sprintf("item %d due: read model %v, workflow %v", st.Number, it["due_at"], st.DueAt)
		}
		for _, ref := range st.Reports {
			r := reports[ref.ReportID]
			if r == nil || r["submitted_by"] != ref.SubmittedBy || len(r["evidence"].([]any)) != ref.Evidence ||
				(ref.Decision == nil) != (r["decision"] == nil) || ref.Decision != nil && r["decision"] != string(*ref.Decision) {
				return v, fmt.Sprintf("report %s: read model %v, workflow %+v", ref.ReportID, r, ref)
			}
		}
	}
	events := v["events"].([]any)
	if len(events) == 0 || int64(events[0].(map[string]any)["seq"].(float64)) != s.Seq {
		return v, fmt.Sprintf("newest event should have seq %d: %.300s", s.Seq, events)
	}
	for i := 1; i < len(events); i++ {
		if events[i].(map[string]any)["seq"].(float64) >= events[i-1].(map[string]any)["seq"].(float64) {
			t.Fatalf("events not newest first: %v", events)
		}
	}
	return v, ""
}

func asgLetter(doc string, policy map[string]any, items ...map[string]any) map[string]any {
	return map[string]any{
		"source": "ministry", "issuer": "MOI", "doc_number": doc, "issue_date": time.Now().Format("2006-01-02"),
		"urgency": "ด่วนที่สุด", "subject": "ติดตามการขับเคลื่อนการแก้ไขปัญหายาเสพติด", "policy": policy, "items": items,
	}
}

func TestAssignmentAcknowledgeReportReview(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		tc, dataDir := asgEngine(h)
		admin := h.login("admin", adminPassword)
		asgAccount(h, admin, "muangchon", "district", "2001")
		asgAccount(h, admin, "rayong", "province", "21")
		sec := h.login("sec", "secretariat-pass")
		prov := h.login("chonburi", "province-pass-1")
		dist := h.login("muangchon", "muangchon-password")
		rayong := h.login("rayong", "rayong-password")
		insp := h.login("insp8", "inspector-pass-1")

		policy := map[string]any{"ack_within": "PT10M", "reminders": []string{"PT5M"}, "escalations": []string{"0", "PT1M", "PT2M"}}
		id := asgIssue(h, sec, asgLetter("ที่ มท ๐๓๑๑.๓/ว ๙๐๑", policy,
			map[string]any{"number": 1, "text": "รายงานผลการประชุมศูนย์ปฏิบัติการ", "due_within": "PT10M",
				"targets": map[string]any{"provinces": []string{"ชลบุรี", "ระยอง", "เชียงใหม่"}, "units": []string{"2001"}}},
			map[string]any{"number": 2, "text": "แนบภาพถ่ายกิจกรรมรณรงค์", "due_within": "PT10M", "evidence_required": true,
				"targets": map[string]any{"units": []string{"20"}}},
		))
		eventually(t, time.Minute, "four assignments", func() bool {
			return count(t, db, &models.Assignment{}, "directive_id = ?", id) == 4 &&
				count(t, db, &models.AssignmentItem{}, "assignment_id LIKE ?", "assignment/"+id+"/%") == 5
		})
		base := "/api/v1/directives/" + id + "/assignments/"
		list := "/api/v1/assignments?directive=" + id

		// Scope of the list.
		for _, c := range []struct {
			name, token string
			want        []string
		}{
			{"secretariat", sec, []string{"20", "2001", "21", "50"}},
			{"province", prov, []string{"20", "2001"}},
			{"district", dist, []string{"2001"}},
			{"inspector of region 8", insp, []string{"20", "2001", "21"}},
		} {
			if got := asgUnits(t, h.do("GET", list, c.token, nil)); !slices.Equal(got, c.want) {
				t.Fatalf("%s sees %v, want %v", c.name, got, c.want)
			}
		}
		if got := asgUnits(t, h.do("GET", list+"&region=8", sec, nil)); !slices.Equal(got, []string{"20", "2001", "21"}) {
			t.Fatalf("region 8: %v", got)
		}
		if got := asgUnits(t, h.do("GET", list+"&unit=2001", sec, nil)); !slices.Equal(got, []string{"2001"}) {
			t.Fatalf("unit filter: %v", got)
		}
		if got := asgUnits(t, h.do("GET", list+"&overdue=true", sec, nil)); len(got) != 0 {
			t.Fatalf("nothing is overdue yet: %v", got)
		}
		errorOf(t, h.do("GET", list+"&status=done", sec, nil), 422, "invalid", "status")
		errorOf(t, h.do("GET", list+"&overdue=perhaps", sec, nil), 422, "invalid", "overdue")
		errorOf(t, h.do("GET", list+"&region=19", sec, nil), 422, "invalid", "region")
		one := h.do("GET", list+"&unit=20", prov, nil).Body["items"].([]any)[0].(map[string]any)
		if one["unit_name"] != "ศอ.ปส.จ.ชลบุรี" || one["doc_number"] != "ที่ มท ๐๓๑๑.๓/ว ๙๐๑" || one["status"] != "assigned" ||
			len(one["items"].([]any)) != 2 || asgItem(t, one, 2)["status"] != "open" || asgItem(t, one, 2)["due_at"] == nil ||
			asgItem(t, one, 1)["text"] != "รายงานผลการประชุมศูนย์ปฏิบัติการ" {
			t.Fatalf("row of ชลบุรี: %v", one)
		}

		// Acknowledge: only the unit's own account.
		errorOf(t, h.do("POST", base+"20/acknowledge", rayong, map[string]string{"note": "x"}), 403, "forbidden", "")
		errorOf(t, h.do("POST", base+"2001/acknowledge", prov, map[string]string{"note": "x"}), 403, "forbidden", "")
		errorOf(t, h.do("POST", base+"20/acknowledge", sec, nil), 403, "forbidden", "")
		errorOf(t, h.do("POST", base+"20/acknowledge", prov, map[string]any{"note": "x", "by": "me"}), 422, "invalid", "by")
		ack := h.do("POST", base+"20/acknowledge", prov, map[string]string{"note": "รับทราบและแจ้งอำเภอแล้ว"})
		if ack.Status != 200 || ack.Body["status"] != "acknowledged" || ack.Body["acknowledged_by"] != "chonburi" || ack.Body["ack_note"] != "รับทราบและแจ้งอำเภอแล้ว" {
			t.Fatalf("acknowledge: %d %s", ack.Status, ack.Raw)
		}
		var before models.Assignment
		db.First(&before, "id = ?", workflows.AssignmentWorkflowID(id, "20"))
		events := count(t, db, &models.AssignmentEvent{}, "assignment_id = ?", before.ID)
		again := h.do("POST", base+"20/acknowledge", prov, map[string]string{"note": "ซ้ำ"})
		errorOf(t, again, 409, "conflict", "")
		if !strings.Contains(again.Body["error"].(map[string]any)["message"].(string), "รับทราบแล้ว") {
			t.Fatalf("repeat acknowledge message: %s", again.Raw)
		}
		var after models.Assignment
		db.First(&after, "id = ?", before.ID)
		if after.Version != before.Version || count(t, db, &models.AssignmentEvent{}, "assignment_id = ?", before.ID) != events {
			t.Fatalf("a rejected acknowledge changed the assignment: version %d → %d", before.Version, after.Version)
		}
		if r := h.do("POST", base+"2001/acknowledge", dist, nil); r.Status != 200 || r.Body["acknowledged_by"] != "muangchon" {
			t.Fatalf("district acknowledge: %d %s", r.Status, r.Raw)
		}
		if got := asgUnits(t, h.do("GET", list+"&status=acknowledged", sec, nil)); !slices.Equal(got, []string{"20", "2001"}) {
			t.Fatalf("acknowledged: %v", got)
		}

		// Reports that are refused before anything is stored.
		errorOf(t, h.do("POST", base+"20/items/2/reports", prov, map[string]string{"text": "ไม่มีภาพ"}), 422, "invalid", "evidence")
		errorOf(t, h.do("POST", base+"20/items/2/reports", prov, map[string]string{"text": "  "}), 422, "invalid", "text")
		errorOf(t, h.do("POST", base+"20/items/9/reports", prov, map[string]string{"text": "ข้อที่ไม่มี"}), 404, "not_found", "item_number")
		errorOf(t, h.do("POST", base+"20/items/x/reports", prov, map[string]string{"text": "x"}), 422, "invalid", "number")
		errorOf(t, h.do("POST", base+"2001/items/1/reports", prov, map[string]string{"text": "แทนอำเภอ"}), 403, "forbidden", "")
		errorOf(t, asgRaw(h, "POST", base+"20/items/1/reports", prov, "text/plain", "", []byte("ผล")), 400, "bad_request", "")
		if n := count(t, db, &models.Report{}, ""); n != 0 {
			t.Fatalf("refused reports stored %d rows", n)
		}

		// A report with a PNG and a PDF (item ๒ in Thai digits).
		pic, doc := asgPNG(t, 1), asgPDF("แผน", 0)
		rep := asgSend(h, base+"20/items/%E0%B9%92/reports", prov, "rep-20-2-a",
			asgText("จัดกิจกรรมรณรงค์ครบทุกอำเภอ"), asgFile("ภาพกิจกรรม.png", pic), asgFile("รายงาน.pdf", doc))
		if rep.Status != 200 || asgItem(t, rep.Body, 2)["status"] != "reported" {
			t.Fatalf("report: %d %s", rep.Status, rep.Raw)
		}
		// The report's ID is the server's own, derived from the account and
		// the Idempotency-Key, never the key itself.
		ridA := lastReportID(t, rep.Body, 2)
		if ridA == "rep-20-2-a" || !strings.HasPrefix(ridA, "r-") {
			t.Fatalf("report id %q", ridA)
		}
		var stored models.Report
		if err := db.First(&stored, "id = ?", ridA).Error; err != nil {
			t.Fatal(err)
		}
		var files []workflows.EvidenceFile
		if err := json.Unmarshal([]byte(stored.Evidence), &files); err != nil || len(files) != 2 {
			t.Fatalf("evidence %s: %v", stored.Evidence, err)
		}
		for i, want := range []struct {
			name, ct string
			data     []byte
		}{{"ภาพกิจกรรม.png", "image/png", pic}, {"รายงาน.pdf", "application/pdf", doc}} {
			f := files[i]
			if f.Name != want.name || f.ContentType != want.ct || f.Size != int64(len(want.data)) || f.SHA256 != asgSHA(want.data) {
				t.Fatalf("evidence %d = %+v", i, f)
			}
			onDisk, err := os.ReadFile(filepath.Join(dataDir, "evidence", f.SHA256[:2], f.SHA256))
			if err != nil || !bytes.Equal(onDisk, want.data) {
				t.Fatalf("evidence %d on disk: %v", i, err)
			}
		}
		if stored.Text != "จัดกิจกรรมรณรงค์ครบทุกอำเภอ" || stored.SubmittedBy != "chonburi" || stored.ItemNumber != 2 {
			t.Fatalf("report row: %+v", stored)
		}
		// The answer was lost and the key released (as after a 5xx): the
		// retry finds the report recorded and answers with the state.
		db.Where("idem_key = ?", "rep-20-2-a").Delete(&models.IdempotencyKey{})
		retry := asgSend(h, base+"20/items/2/reports", prov, "rep-20-2-a",
			asgText("จัดกิจกรรมรณรงค์ครบทุกอำเภอ"), asgFile("ภาพกิจกรรม.png", pic), asgFile("รายงาน.pdf", doc))
		if retry.Status != 200 || asgItem(t, retry.Body, 2)["status"] != "reported" || len(asgItem(t, retry.Body, 2)["reports"].([]any)) != 1 ||
			count(t, db, &models.Report{}, "") != 1 {
			t.Fatalf("retry of a recorded report: %d %s", retry.Status, retry.Raw)
		}
		// The same key from another account names another report: nothing
		// tells that account the first report exists. (Refused here only
		// because the district sends an unknown item.)
		errorOf(t, asgRaw(h, "POST", base+"2001/items/9/reports", dist, "application/json", "rep-20-2-a", []byte(`{"text": "ประชุมแล้ว"}`)), 404, "not_found", "")
		if count(t, db, &models.Report{}, "") != 1 {
			t.Fatal("a refused report stored a report")
		}

		// Files that are refused: nothing stored, no report row, item untouched.
		disk := asgStoredFiles(t, dataDir)
		if len(disk) != 2 {
			t.Fatalf("files on disk after one report: %v", disk)
		}
		reports := count(t, db, &models.Report{}, "")
		fresh := asgPNG(t, 2)
		oversized := asgPDF("ใหญ่", asgMaxUpload)
		many := []asgPart{asgText("สิบเอ็ดไฟล์")}
		for i := range 11 {
			many = append(many, asgFile(fmt.Sprintf("p%d.png", i), asgPNG(t, uint8(10+i))))
		}
		for _, c := range []struct {
			name  string
			parts []asgPart
			field string
		}{
			{"executable", []asgPart{asgText("ผล"), asgFile("tool.exe", asgELF)}, "evidence[0]"},
			{"executable named png", []asgPart{asgText("ผล"), asgFile("scan.png", asgELF)}, "evidence[0]"},
			{"second file bad", []asgPart{asgText("ผล"), asgFile("ok.png", fresh), asgFile("report.pdf", asgELF)}, "evidence[1]"},
			{"png named pdf", []asgPart{asgText("ผล"), asgFile("report.pdf", fresh)}, "evidence[0]"},
			{"plain zip named docx", []asgPart{asgText("ผล"), asgFile("แผน.docx", asgZip(t, "a.txt"))}, "evidence[0]"},
			{"oversized", []asgPart{asgText("ผล"), asgFile("big.pdf", oversized)}, "evidence[0]"},
			{"empty", []asgPart{asgText("ผล"), asgFile("empty.txt", nil)}, "evidence[0]"},
			{"too many", many, "evidence"},
			{"unknown field", []asgPart{asgText("ผล"), {field: "comment", data: []byte("x")}}, "comment"},
		} {
			res := asgSend(h, base+"2001/items/1/reports", dist, "", c.parts...)
			if res.Status != 422 {
				t.Fatalf("%s: %d %s", c.name, res.Status, res.Raw)
			}
			errorOf(t, res, 422, "invalid", c.field)
		}
		if got := asgStoredFiles(t, dataDir); !slices.Equal(got, disk) {
			t.Fatalf("refused uploads left files: %v, want %v", got, disk)
		}
		if n := count(t, db, &models.Report{}, ""); n != reports {
			t.Fatalf("refused uploads stored reports: %d → %d", reports, n)
		}
		if n := count(t, db, &models.AssignmentItem{}, "assignment_id = ? AND status = ?", workflows.AssignmentWorkflowID(id, "2001"), models.ItemOpen); n != 1 {
			t.Fatal("refused uploads changed the district's item")
		}
		// Files are stored before the workflow decides; a report it rejects
		// (item ๒ is already reported) leaves no new file behind.
		errorOf(t, asgSend(h, base+"20/items/2/reports", prov, "", asgText("ซ้ำ"), asgFile("new.png", fresh)), 409, "conflict", "item_number")
		if got := asgStoredFiles(t, dataDir); !slices.Equal(got, disk) {
			t.Fatalf("a rejected report left files: %v", got)
		}

		// Review: secretariat returns with a reason and a new due.
		retPath := base + "20/items/2/reports/" + ridA + "/return"
		errorOf(t, h.do("POST", retPath, prov, map[string]any{"reason": "x", "new_due": map[string]string{"within": "PT5M"}}), 403, "forbidden", "")
		errorOf(t, h.do("POST", retPath, insp, map[string]any{"reason": "x", "new_due": map[string]string{"within": "PT5M"}}), 403, "forbidden", "")
		errorOf(t, h.do("POST", retPath, sec, map[string]any{"new_due": map[string]string{"within": "PT5M"}}), 422, "invalid", "reason")
		errorOf(t, h.do("POST", retPath, sec, map[string]any{"reason": "ภาพไม่ชัด"}), 422, "invalid", "new_due")
		errorOf(t, h.do("POST", base+"20/items/2/reports/"+ridA+"/accept", sec, map[string]any{"new_due": map[string]string{"within": "PT5M"}}), 422, "invalid", "new_due")
		errorOf(t, h.do("POST", base+"20/items/2/reports/nope/accept", sec, nil), 404, "not_found", "")
		oldDue := asgTime(t, asgItem(t, rep.Body, 2)["due_at"])
		ret := h.do("POST", retPath, sec, map[string]any{"reason": "ภาพไม่ชัด กรุณาส่งใหม่", "new_due": map[string]string{"within": "PT5M"}})
		if ret.Status != 200 || asgItem(t, ret.Body, 2)["status"] != "returned" {
			t.Fatalf("return: %d %s", ret.Status, ret.Raw)
		}
		if newDue := asgTime(t, asgItem(t, ret.Body, 2)["due_at"]); newDue.Equal(oldDue) || !newDue.After(time.Now().Add(4*time.Minute)) {
			t.Fatalf("return did not set the new due: %v (was %v)", newDue, oldDue)
		}
		db.First(&stored, "id = ?", ridA)
		if stored.Decision == nil || *stored.Decision != models.DecisionReturned || stored.Reason != "ภาพไม่ชัด กรุณาส่งใหม่" || stored.Text == "" {
			t.Fatalf("returned report row: %+v", stored)
		}
		errorOf(t, h.do("POST", retPath, sec, map[string]any{"reason": "อีกครั้ง", "new_due": map[string]string{"within": "PT5M"}}), 409, "conflict", "")

		// The unit reports again (a DOCX and the same PNG: stored once).
		docx := asgZip(t, "[Content_Types].xml", "word/document.xml")
		rep2 := asgSend(h, base+"20/items/2/reports", prov, "rep-20-2-b", asgText("ส่งภาพใหม่และแผน"), asgFile("แผน.docx", docx), asgFile("ภาพ.png", pic))
		if rep2.Status != 200 || asgItem(t, rep2.Body, 2)["status"] != "reported" {
			t.Fatalf("second report: %d %s", rep2.Status, rep2.Raw)
		}
		if got := asgStoredFiles(t, dataDir); len(got) != 3 || !slices.Contains(got, asgSHA(docx)[:2]+"/"+asgSHA(docx)) {
			t.Fatalf("files after the second report: %v", got)
		}
		errorOf(t, h.do("POST", base+"20/items/2/reports/"+ridA+"/accept", sec, nil), 409, "conflict", "")
		acc := h.do("POST", base+"20/items/2/reports/"+lastReportID(t, rep2.Body, 2)+"/accept", sec, map[string]string{"reason": "ครบถ้วน"})
		if acc.Status != 200 || asgItem(t, acc.Body, 2)["status"] != "accepted" {
			t.Fatalf("accept: %d %s", acc.Status, acc.Raw)
		}

		// A district reports as JSON; its province centre reviews it, another province may not.
		dr := h.do("POST", base+"2001/items/1/reports", dist, map[string]string{"text": "ประชุมแล้ว ๓ ครั้ง"})
		if dr.Status != 200 {
			t.Fatalf("district report: %d %s", dr.Status, dr.Raw)
		}
		refs := asgItem(t, dr.Body, 1)["reports"].([]any)
		rid := refs[len(refs)-1].(map[string]any)["report_id"].(string)
		if len(rid) != 36 {
			t.Fatalf("report id without Idempotency-Key should be a UUID: %q", rid)
		}
		errorOf(t, h.do("POST", base+"2001/items/1/reports/"+rid+"/accept", rayong, nil), 403, "forbidden", "")
		errorOf(t, h.do("POST", base+"2001/items/1/reports/"+rid+"/accept", dist, nil), 403, "forbidden", "")
		if r := h.do("POST", base+"2001/items/1/reports/"+rid+"/accept", prov, nil); r.Status != 200 || asgItem(t, r.Body, 1)["status"] != "accepted" {
			t.Fatalf("province accepts its district's report: %d %s", r.Status, r.Raw)
		}

		// An Idempotency-Key unfit for a URL still gives a stable report id.
		rr := asgRaw(h, "POST", base+"21/items/1/reports", rayong, "application/json", "ระยอง report #1", []byte(`{"text": "ดำเนินการแล้ว"}`))
		if rr.Status != 200 {
			t.Fatalf("report with an unusual key: %d %s", rr.Status, rr.Raw)
		}
		if rid := asgItem(t, rr.Body, 1)["reports"].([]any)[0].(map[string]any)["report_id"].(string); !strings.HasPrefix(rid, "r-") || strings.ContainsAny(rid, " #/") {
			t.Fatalf("report id from an unusual key: %q", rid)
		}

		// The detail view agrees with the workflow, and is scoped.
		v := asgMatchesWorkflow(t, h, tc, sec, id, "20")
		reps := v["reports"].([]any)
		if len(reps) != 2 {
			t.Fatalf("reports of ชลบุรี: %v", reps)
		}
		first := reps[0].(map[string]any)
		ev := first["evidence"].([]any)
		if first["id"] != ridA || first["decision"] != "returned" || len(ev) != 2 ||
			ev[0].(map[string]any)["sha256"] != asgSHA(pic) || ev[0].(map[string]any)["storage_path"] != nil {
			t.Fatalf("first report view: %v", first)
		}
		if reps[1].(map[string]any)["decision"] != "accepted" || reps[1].(map[string]any)["decided_by"] != "sec" {
			t.Fatalf("second report view: %v", reps[1])
		}
		if e := v["events"].([]any)[0].(map[string]any); e["action"] != "review.accept" || e["actor"] != "sec" {
			t.Fatalf("newest event: %v", e)
		}
		asgMatchesWorkflow(t, h, tc, prov, id, "2001")
		errorOf(t, h.do("GET", base+"20", rayong, nil), 404, "not_found", "")
		errorOf(t, h.do("GET", base+"20", dist, nil), 404, "not_found", "")
		errorOf(t, h.do("GET", base+"99", sec, nil), 404, "not_found", "")
	})
}

// lastReportID is the ID of the latest report on item n in an assignment
// state answer.
func lastReportID(t *testing.T, body map[string]any, n int) string {
	t.Helper()
	refs, _ := asgItem(t, body, n)["reports"].([]any)
	if len(refs) == 0 {
		t.Fatalf("item %d has no report", n)
	}
	return refs[len(refs)-1].(map[string]any)["report_id"].(string)
}

// sameItemText reports whether the read model's item text is the text the
// workflow holds, by value or (as it does now) by ref.
func sameItemText(readModel any, st workflows.ItemState) bool {
	text, _ := readModel.(string)
	if st.TextRef != "" {
		return st.Text == "" && models.RefOf(text) == st.TextRef
	}
	return text == st.Text
}
