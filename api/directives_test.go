package api_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/fixtures"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
)

// pilotProvinces are the ten provinces item ๑ of the letter goes to.
var pilotProvinces = fixtures.PilotProvinces

// moiLetter is fixtures.MOILetter with its own document number, item ๑ to
// provinces.
func moiLetter(provinces []string) map[string]any {
	return fixtures.MOILetter("ที่ มท ๐๓๑๑.๓/ว ๑๗๕๗", provinces)
}

func withItem(letter map[string]any, i int, key string, value any) map[string]any {
	items := letter["items"].([]map[string]any)
	items[i][key] = value
	return letter
}

func TestIssueDirectiveValidation(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		h.withEngine()
		sec := h.login("sec", "secretariat-pass")
		prov := h.login("chonburi", "province-pass-1")

		garbled := append([]string{}, pilotProvinces...)
		garbled[1] = "เชียงใหมา"
		res := h.do("POST", "/api/v1/directives", sec, moiLetter(garbled))
		errorOf(t, res, 422, "invalid", "items[0].targets.provinces[1]")
		if !strings.Contains(string(res.Raw), `"suggestion":"เชียงใหม่"`) || !strings.Contains(string(res.Raw), "เชียงใหมา") {
			t.Fatalf("422 does not name the garbled province and its fix: %s", res.Raw)
		}

		errorOf(t, h.do("POST", "/api/v1/directives", prov, moiLetter(pilotProvinces)), 403, "forbidden", "")
		bad := moiLetter(pilotProvinces)
		bad["items"].([]map[string]any)[1]["number"] = "๓"
		errorOf(t, h.do("POST", "/api/v1/directives", sec, bad), 422, "invalid", "items[1].number")
		errorOf(t, h.do("POST", "/api/v1/directives", sec, withItem(moiLetter(pilotProvinces), 1, "due_date", "1 ธ.ค. 67")), 422, "invalid", "items[1].due_date")
		noItems := moiLetter(pilotProvinces)
		noItems["items"] = []map[string]any{}
		errorOf(t, h.do("POST", "/api/v1/directives", sec, noItems), 422, "invalid", "items")
		urg := moiLetter(pilotProvinces)
		urg["urgency"] = "ด่วนพิเศษ"
		errorOf(t, h.do("POST", "/api/v1/directives", sec, urg), 422, "invalid", "urgency")
		date := moiLetter(pilotProvinces)
		date["issue_date"] = "31 ก.พ. 2567"
		errorOf(t, h.do("POST", "/api/v1/directives", sec, date), 422, "invalid", "issue_date")
		errorOf(t, h.do("POST", "/api/v1/directives", sec, withItem(moiLetter(pilotProvinces), 0, "report_into", "LINE")), 422, "invalid", "items[0].report_into")

		if n := count(t, db, &models.Directive{}, ""); n != 0 {
			t.Fatalf("rejected requests stored %d directives", n)
		}
		if n := count(t, db, &models.Assignment{}, ""); n != 0 {
			t.Fatalf("rejected requests stored %d assignments", n)
		}
	})
}

// moiCall sends one request without touching t, for use from goroutines.
func moiCall(app *fiber.App, method, path, token, contentType string, body []byte) (int, []byte, error) {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := app.Test(req, 60_000)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	return res.StatusCode, raw, err
}

// moiReportBody is a multipart report of item ๑ with one photo.
func moiReportBody(t *testing.T, text string, photo []byte) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if err := mw.WriteField("text", text); err != nil {
		t.Fatal(err)
	}
	w, err := mw.CreateFormFile("evidence", "แผนปฏิบัติการ.png")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = w.Write(photo)
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return mw.FormDataContentType(), buf.Bytes()
}

// TestIssueMOILetterFansOut enters the letter of 17 Dec 2567 and checks the
// fan-out on a real Temporal server: item ๑ to ten provinces, items ๒–๕ to
// all 77 province centres and all 878 district centres. The letter runs as
// a drill: the escalation ladder in seconds (level 1 at the due, PT0S) and
// item ๑ due 12 seconds after each pilot province receives it. Nine pilot
// provinces acknowledge and report in time while the fan-out is still
// running; อุบลราชธานี stays silent, climbs to level 3 and is seen there by
// the inspector of its own region only (it is fanned out early, so its
// ladder runs alongside the rest of the fan-out). The read model must agree with
// the workflows' own state.
func TestIssueMOILetterFansOut(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		started := time.Now()
		h := newHarness(t, db)
		tc := h.withEngine()
		ctx := t.Context()
		sec := h.login("sec", "secretariat-pass")

		// The pilot provinces and their accounts; อุบลราชธานี never reports.
		var pilots []models.Unit
		if err := db.Where("type = ? AND name_th IN ?", models.UnitProvince, pilotProvinces).Order("code").Find(&pilots).Error; err != nil || len(pilots) != 10 {
			t.Fatalf("pilot provinces: %d %v", len(pilots), err)
		}
		svc := &auth.Service{DB: db, SessionTTL: time.Hour}
		var silent models.Unit
		tokens := map[string]string{}
		for _, u := range pilots {
			if u.NameTH == "อุบลราชธานี" {
				silent = u
				continue
			}
			if _, err := svc.CreateAccount(ctx, auth.NewAccount{Username: "pilot" + u.Code, Password: "pilot-password-" + u.Code,
				Role: models.RoleProvince, UnitCode: u.Code}); err != nil {
				t.Fatal(err)
			}
			tokens[u.Code] = h.login("pilot"+u.Code, "pilot-password-"+u.Code)
		}
		if silent.Code == "" || silent.InspectionRegion == nil || *silent.InspectionRegion == 8 {
			t.Fatalf("อุบลราชธานี must have an inspection region other than 8: %+v", silent)
		}
		region := *silent.InspectionRegion
		if _, err := svc.CreateAccount(ctx, auth.NewAccount{Username: "inspsouth", Password: "inspector-pass-2",
			Role: models.RoleInspector, Regions: []int{region}}); err != nil {
			t.Fatal(err)
		}
		inspSouth := h.login("inspsouth", "inspector-pass-2")
		insp8 := h.login("insp8", "inspector-pass-1")
		reportType, reportBody := moiReportBody(t, "จัดทำแผนปฏิบัติการแล้ว แนบภาพการประชุม", asgPNG(t, 7))
		ready := time.Now()

		letter := moiLetter(pilotProvinces)
		// Item ๑ is due 30 s after the issue: long enough for the last pilot
		// province to be assigned and report while the fan-out competes for
		// the CPU with other test packages (at 12 s it escalated under load).
		letter["policy"] = map[string]any{"ack_within": "PT1H", "reminders": []string{}, "escalations": []string{"PT0S", "PT4S", "PT8S"}}
		withItem(letter, 0, "due_within", "PT30S")
		res := h.do("POST", "/api/v1/directives", sec, letter)
		if res.Status != 202 {
			t.Fatalf("issue: %d %s", res.Status, res.Raw)
		}
		issued := time.Now()
		id := res.Body["id"].(string)
		if int(res.Body["units_total"].(float64)) != 77+878 {
			t.Fatalf("units_total = %v, want 955", res.Body["units_total"])
		}
		base := "/api/v1/directives/" + id + "/assignments/"

		// Each reporting province acknowledges and reports item ๑ as soon
		// as its assignment arrives, while the other units are still being
		// fanned out.
		app := h.app
		var wg sync.WaitGroup
		var mu sync.Mutex
		var problems []string
		var slowest time.Duration
		for code, tok := range tokens {
			wg.Add(1)
			go func() {
				defer wg.Done()
				fail := func(format string, args ...any) {
					mu.Lock()
					defer mu.Unlock()
					problems = append(problems, code+": "+fmt.Sprintf(format, args...))
				}
				aid := workflows.AssignmentWorkflowID(id, code)
				for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(50 * time.Millisecond) {
					var n int64
					if err := db.Model(&models.Assignment{}).Where("id = ?", aid).Count(&n).Error; err != nil {
						fail("%v", err)
						return
					}
					if n > 0 {
						break
					}
					if time.Now().After(deadline) {
						fail("assignment never arrived")
						return
					}
				}
				arrived := time.Now()
				st, raw, err := moiCall(app, "POST", base+code+"/acknowledge", tok, "application/json", []byte(`{"note":"รับทราบและแจ้งศูนย์ปฏิบัติการแล้ว"}`))
				if err != nil || st != 200 || !strings.Contains(string(raw), `"status":"acknowledged"`) {
					fail("acknowledge: %d %v %.300s", st, err, raw)
					return
				}
				st, raw, err = moiCall(app, "POST", base+code+"/items/1/reports", tok, reportType, reportBody)
				if err != nil || st != 200 {
					fail("report: %d %v %.300s", st, err, raw)
					return
				}
				mu.Lock()
				slowest = max(slowest, time.Since(arrived))
				mu.Unlock()
			}()
		}

		wantItems := int64(10 + 4*955)
		eventually(t, 3*time.Minute, "every assignment persisted", func() bool {
			return count(t, db, &models.Assignment{}, "directive_id = ?", id) == 955 &&
				count(t, db, &models.AssignmentItem{}, "assignment_id LIKE ?", "assignment/"+id+"/%") >= wantItems
		})
		fannedOut := time.Now()
		wg.Wait()
		if len(problems) > 0 {
			t.Fatalf("pilot provinces: %v", problems)
		}
		if n := count(t, db, &models.AssignmentItem{}, "assignment_id LIKE ?", "assignment/"+id+"/%"); n != wantItems {
			t.Fatalf("item assignments = %d, want %d", n, wantItems)
		}

		// The silent province has climbed, or climbs, the ladder to level 3.
		silentID := workflows.AssignmentWorkflowID(id, silent.Code)
		eventually(t, time.Minute, "level 3 on อุบลราชธานี", func() bool {
			return count(t, db, &models.Escalation{}, "assignment_id = ? AND level = 3 AND closed_at IS NULL", silentID) == 1
		})
		laddered := time.Now()
		t.Logf("accounts %s; fan-out of 955 units persisted %s after the issue; acknowledge+report within %s of arrival; level 3 %s after the issue",
			ready.Sub(started).Round(time.Millisecond), fannedOut.Sub(issued).Round(time.Millisecond), slowest.Round(time.Millisecond),
			laddered.Sub(issued).Round(time.Millisecond))

		// Only อุบลราชธานี escalated: the others reported in time.
		if got := escRows(t, h.do("GET", "/api/v1/escalations?directive="+id, sec, nil)); !slices.Equal(got, []string{silent.Code + "/1", silent.Code + "/2", silent.Code + "/3"}) {
			t.Fatalf("escalations of the letter: %v", got)
		}
		if got := escRows(t, h.do("GET", "/api/v1/escalations?level=3", inspSouth, nil)); !slices.Equal(got, []string{silent.Code + "/3"}) {
			t.Fatalf("inspector of region %d sees %v", region, got)
		}
		if got := escRows(t, h.do("GET", "/api/v1/escalations?level=3", insp8, nil)); len(got) != 0 {
			t.Fatalf("insp8 sees %v", got)
		}
		for code := range tokens {
			aid := workflows.AssignmentWorkflowID(id, code)
			if n := count(t, db, &models.AssignmentItem{}, "assignment_id = ? AND item_number = 1 AND status = ? AND escalation_level = 0", aid, models.ItemReported); n != 1 {
				t.Fatalf("item ๑ of %s is not reported in time", code)
			}
		}
		// The read model agrees with the workflows' own state.
		v := asgMatchesWorkflow(t, h, tc, sec, id, silent.Code)
		if v["status"] != "assigned" || v["escalation_level"].(float64) != 3 || v["overdue"] != true || asgItem(t, v, 1)["status"] != "open" {
			t.Fatalf("อุบลราชธานี: %v", v)
		}
		asgMatchesWorkflow(t, h, tc, inspSouth, id, silent.Code)
		for code, tok := range tokens {
			v := asgMatchesWorkflow(t, h, tc, tok, id, code)
			if v["status"] != "acknowledged" || v["escalation_level"].(float64) != 0 || len(v["reports"].([]any)) != 1 {
				t.Fatalf("%s: %v", code, v)
			}
		}

		// The same letter again is a conflict, whatever digits it is typed in.
		again := moiLetter(pilotProvinces)
		again["doc_number"] = "ที่ มท 0311.3/ว 1757"
		errorOf(t, h.do("POST", "/api/v1/directives", sec, again), 409, "conflict", "")

		got := h.do("GET", "/api/v1/directives/"+id, sec, nil)
		if got.Status != 200 || got.Body["issue_date"] != "2024-12-17" || got.Body["issue_date_th"] != "17 ธันวาคม 2567" || got.Body["urgency_th"] != "ด่วนที่สุด" {
			t.Fatalf("get: %d %s", got.Status, got.Raw)
		}
		prog := got.Body["progress"].(map[string]any)
		if prog["units"].(float64) != 955 || prog["item_assignments"].(float64) != float64(wantItems) || len(got.Body["items"].([]any)) != 5 ||
			prog["acknowledged"].(float64) != 9 || prog["items_reported"].(float64) != 9 || prog["escalated"].(float64) != 1 || prog["open_escalations"].(float64) != 3 {
			t.Fatalf("progress: %v", prog)
		}
		// Search by document number typed with Arabic digits.
		list := h.do("GET", "/api/v1/directives?q="+strings.ReplaceAll("0311.3/ว 1757", " ", "%20"), sec, nil)
		if list.Status != 200 || list.Body["total"].(float64) != 1 {
			t.Fatalf("search: %s", list.Raw)
		}

		// The national matrix filtered to region 8 (ฉะเชิงเทรา, ชลบุรี, ระยอง).
		var want int64
		db.Model(&models.Unit{}).Where("code IN ? OR parent_code IN ?", []string{"20", "21", "24"}, []string{"20", "21", "24"}).Count(&want)
		m := h.do("GET", "/api/v1/directives/"+id+"/matrix?region=8", sec, nil)
		if m.Status != 200 || int64(len(m.Body["rows"].([]any))) != want {
			t.Fatalf("matrix region 8: %d rows, want %d: %.300s", len(m.Body["rows"].([]any)), want, m.Raw)
		}
		row := m.Body["rows"].([]any)[0].(map[string]any)
		cells := row["cells"].([]any)
		if row["unit_code"] != "20" || len(cells) != 5 || cells[0].(map[string]any)["status"] != nil || cells[1].(map[string]any)["status"] != "open" {
			t.Fatalf("matrix row for ชลบุรี: %v", row)
		}
		// The matrix revalidates: its ETag answers 304 to the same account
		// and filter, and never to another filter or another account.
		mpath := "/api/v1/directives/" + id + "/matrix?region=8"
		metag := h.lastHeader(t, mpath, sec)
		if metag == "" {
			t.Fatal("matrix: no ETag")
		}
		if got := h.lastStatus(t, mpath, sec, metag); got != 304 {
			t.Errorf("matrix If-None-Match with its ETag: %d, want 304", got)
		}
		if got := h.lastStatus(t, "/api/v1/directives/"+id+"/matrix", sec, metag); got != 200 {
			t.Errorf("matrix without the filter, with the filtered ETag: %d, want 200", got)
		}
		if got := h.lastStatus(t, mpath, h.login("chonburi", "province-pass-1"), metag); got != 200 {
			t.Errorf("matrix for a province with the secretariat's ETag: %d, want 200", got)
		}

		// A province sees the directive, limited to its own units.
		prov := h.login("chonburi", "province-pass-1")
		pg := h.do("GET", "/api/v1/directives/"+id, prov, nil)
		var own int64
		db.Model(&models.Unit{}).Where("code = ? OR parent_code = ?", "20", "20").Count(&own)
		if pg.Status != 200 || int64(pg.Body["progress"].(map[string]any)["units"].(float64)) != own {
			t.Fatalf("province view: %d %s", pg.Status, pg.Raw)
		}
		t.Logf("whole scenario %s", time.Since(started).Round(time.Millisecond))
	})
}
