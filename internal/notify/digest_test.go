package notify_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/notify"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/models"
)

// seedWork gives ชลบุรี ("20") an assignment with an overdue item escalated
// to level 3, an item due later and an accepted one; its district "2001"
// an item escalated to level 2; ระยอง ("21") a withdrawn assignment; and a
// closed escalation that must not show.
func seedWork(t *testing.T, db *gorm.DB) {
	t.Helper()
	must := func(v any) {
		t.Helper()
		if err := db.Create(v).Error; err != nil {
			t.Fatalf("create %T: %v", v, err)
		}
	}
	at := func(d int, hh int) *time.Time { v := time.Date(2025, 1, d, hh, 30, 0, 0, thaidate.Bangkok); return &v }
	must(&models.Directive{ID: "D1", IssuerCode: "ONCB", DocNumber: "ที่ ยธ 0600/ว 123", IssueDate: "2025-01-02", Urgency: "most_urgent",
		Subject: "เร่งรัดการตรวจค้นแหล่งผลิตยาเสพติด", Status: models.DirectiveIssued})
	for _, a := range []models.Assignment{
		{ID: "assignment/D1/20", DirectiveID: "D1", UnitCode: "20", ParentCode: "ONCB", Region: 8, Status: models.AssignmentAcknowledged, AckDueAt: *at(3, 16)},
		{ID: "assignment/D1/2001", DirectiveID: "D1", UnitCode: "2001", ParentCode: "20", Region: 8, Status: models.AssignmentAssigned, AckDueAt: *at(3, 16)},
		{ID: "assignment/D1/21", DirectiveID: "D1", UnitCode: "21", ParentCode: "ONCB", Region: 8, Status: models.AssignmentWithdrawn, AckDueAt: *at(3, 16)},
	} {
		must(&a)
	}
	for _, it := range []models.AssignmentItem{
		{AssignmentID: "assignment/D1/20", ItemNumber: 1, Cycle: 1, Status: models.ItemOpen, DueAt: at(10, 16), EscalationLevel: 3},
		{AssignmentID: "assignment/D1/20", ItemNumber: 2, Cycle: 1, Status: models.ItemExtended, DueAt: at(20, 16)},
		{AssignmentID: "assignment/D1/20", ItemNumber: 3, Cycle: 1, Status: models.ItemAccepted, DueAt: at(5, 16)},
		{AssignmentID: "assignment/D1/2001", ItemNumber: 1, Cycle: 1, Status: models.ItemOpen, DueAt: at(13, 16), EscalationLevel: 2},
		{AssignmentID: "assignment/D1/21", ItemNumber: 1, Cycle: 1, Status: models.ItemClosed, DueAt: at(10, 16)},
	} {
		must(&it)
	}
	for _, e := range []models.Escalation{
		{ID: "assignment/D1/20/1/1/1", AssignmentID: "assignment/D1/20", ItemNumber: 1, Cycle: 1, Level: 1, Recipients: "{}", Region: 8, UnitCode: "20", OpenedAt: *at(10, 16)},
		{ID: "assignment/D1/20/1/1/2", AssignmentID: "assignment/D1/20", ItemNumber: 1, Cycle: 1, Level: 2, Recipients: "{}", Region: 8, UnitCode: "20", OpenedAt: *at(13, 9)},
		{ID: "assignment/D1/20/1/1/3", AssignmentID: "assignment/D1/20", ItemNumber: 1, Cycle: 1, Level: 3, Recipients: "{}", Region: 8, UnitCode: "20", OpenedAt: *at(14, 9)},
		{ID: "assignment/D1/2001/1/1/2", AssignmentID: "assignment/D1/2001", ItemNumber: 1, Cycle: 1, Level: 2, Recipients: "{}", Region: 8, UnitCode: "2001", OpenedAt: *at(14, 9)},
		{ID: "assignment/D1/21/1/1/1", AssignmentID: "assignment/D1/21", ItemNumber: 1, Cycle: 1, Level: 1, Recipients: "{}", Region: 8, UnitCode: "21", OpenedAt: *at(10, 16), ClosedAt: at(11, 9), CloseReason: "withdrawn"},
	} {
		must(&e)
	}
}

func TestEnqueueDigests(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		o := seedOrg(t, db)
		seedWork(t, db)
		wednesday := thaidate.Date{Year: 2025, Month: time.January, Day: 15}
		res, err := notify.EnqueueDigests(t.Context(), db, wednesday, fixedNow)
		if err != nil {
			t.Fatal(err)
		}
		if res.Skipped != "" || res.Inspectors != 1 || res.Provinces != 1 {
			t.Fatalf("result = %+v, want one inspector digest and one province digest", res)
		}
		again, err := notify.EnqueueDigests(t.Context(), db, wednesday, fixedNow)
		if err != nil || again != res {
			t.Fatalf("second run = %+v, %v", again, err)
		}
		if n := count(t, db.Model(&models.Notification{}).Where("kind = ?", notify.KindDigest)); n != 2 {
			t.Fatalf("%d digest notifications, want 2 (enqueued once)", n)
		}

		var insp models.Notification
		if err := db.Where("id = ?", notify.DigestNotificationID(wednesday, "inspector", itoa64(o.id("insp8")))).Take(&insp).Error; err != nil {
			t.Fatal(err)
		}
		var data struct {
			Scope, Regions, Count string
			Items                 []map[string]string
		}
		if err := json.Unmarshal([]byte(insp.Data), &data); err != nil {
			t.Fatal(err)
		}
		if data.Scope != "inspector" || data.Regions != "8" || data.Count != "2" || len(data.Items) != 2 {
			t.Fatalf("inspector digest data = %s", insp.Data)
		}
		first, second := data.Items[0], data.Items[1]
		if first["assignment_id"] != "assignment/D1/20" || first["level"] != "3" || first["overdue"] != "true" || first["unit_name"] != "ศอ.ปส.จ.ชลบุรี" ||
			second["assignment_id"] != "assignment/D1/2001" || second["level"] != "2" || second["overdue"] != "true" {
			t.Errorf("inspector digest items = %v", data.Items)
		}
		if insp.Status != models.NotificationPending || insp.Recipients != `{"account_ids":[`+itoa64(o.id("insp8"))+`]}` {
			t.Errorf("inspector digest row = %+v", insp)
		}

		var prov models.Notification
		if err := db.Where("id = ?", notify.DigestNotificationID(wednesday, "province", "20")).Take(&prov).Error; err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(prov.Data), &data); err != nil {
			t.Fatal(err)
		}
		if data.Scope != "province" || data.Count != "2" || len(data.Items) != 2 ||
			data.Items[0]["item"] != "1" || data.Items[0]["overdue"] != "true" || data.Items[1]["item"] != "2" || data.Items[1]["overdue"] != "false" {
			t.Errorf("province digest data = %s", prov.Data)
		}

		// Delivered like any notification: the inspector's inbox gets it.
		plan, err := deliverer(db, nil).Prepare(t.Context(), insp.ID)
		if err != nil || plan.InboxItems != 1 || len(plan.Emails) != 1 || plan.Emails[0].Address != "insp8@moi.go.th" {
			t.Fatalf("prepare digest: %+v, %v", plan, err)
		}
		var item models.InboxItem
		db.Where("id = ?", notify.InboxItemID(insp.ID, o.id("insp8"))).Take(&item)
		if !strings.Contains(item.Title, "[สรุปประจำวัน 15 มกราคม 2568] 2 รายการ") || !strings.Contains(item.Body, "1. ศอ.ปส.จ.ชลบุรี") ||
			!strings.Contains(item.Body, "2. ศป.ปส.อ.เมืองชลบุรี") || !strings.Contains(item.Body, "[ติดตามเร่งรัดระดับ 3]") {
			t.Errorf("digest inbox item:\n%s\n%s", item.Title, item.Body)
		}
	})
}

func TestEnqueueDigestsSkipsWeekendsAndHolidays(t *testing.T) {
	db := storetest.SQLite(t)
	seedOrg(t, db)
	seedWork(t, db)
	saturday := thaidate.Date{Year: 2025, Month: time.January, Day: 18}
	if res, err := notify.EnqueueDigests(t.Context(), db, saturday, fixedNow); err != nil || res.Skipped != "weekend" {
		t.Errorf("Saturday: %+v, %v", res, err)
	}
	holiday := thaidate.Date{Year: 2025, Month: time.February, Day: 12} // มาฆบูชา
	if err := db.Create(&models.Holiday{Date: holiday.String(), NameTH: "วันมาฆบูชา", NameEN: "Makha Bucha Day"}).Error; err != nil {
		t.Fatal(err)
	}
	if res, err := notify.EnqueueDigests(t.Context(), db, holiday, fixedNow); err != nil || res.Skipped != "holiday" {
		t.Errorf("holiday: %+v, %v", res, err)
	}
	if n := count(t, db.Model(&models.Notification{})); n != 0 {
		t.Errorf("%d notifications enqueued on days off", n)
	}
}
