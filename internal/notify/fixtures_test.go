package notify_test

import (
	"encoding/json"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/models"
)

// org is a small organisation on a migrated database: the seeded
// provinces (ชลบุรี "20" and ระยอง "21" are in inspection region 8), one
// district of ชลบุรี, and accounts and webhooks with the IDs recorded here.
type org struct {
	db       *gorm.DB
	accounts map[string]models.Account // by username
	webhooks map[string]models.Webhook // "all", "20", "21-inactive"
}

func (o *org) id(username string) int64 { return o.accounts[username].ID }

func seedOrg(t *testing.T, db *gorm.DB) *org {
	t.Helper()
	ctx := t.Context()
	if err := store.SeedBase(ctx, db); err != nil {
		t.Fatal(err)
	}
	if err := db.Model(&models.Unit{}).Where("code = ?", "20").Update("email", "Saraban@Chonburi.go.th").Error; err != nil {
		t.Fatal(err)
	}
	parent := "20"
	district := models.Unit{Code: "2001", Type: models.UnitDistrict, NameTH: "ศป.ปส.อ.เมืองชลบุรี", NameEN: "Mueang Chon Buri", ParentCode: &parent}
	if err := db.Create(&district).Error; err != nil {
		t.Fatal(err)
	}
	o := &org{db: db, accounts: map[string]models.Account{}, webhooks: map[string]models.Webhook{}}
	unit := func(s string) *string { return &s }
	for _, a := range []models.Account{
		{Username: "admin", Role: models.RoleAdmin, Email: "admin@oncb.go.th", DisplayName: "ผู้ดูแลระบบ"},
		{Username: "admin2", Role: models.RoleAdmin, Email: "", DisplayName: "ผู้ดูแลระบบสำรอง"},
		{Username: "gov20", Role: models.RoleProvince, UnitCode: unit("20"), Position: "governor", Email: "gov@chonburi.go.th", DisplayName: "ผู้ว่าราชการจังหวัดชลบุรี"},
		{Username: "vice20", Role: models.RoleProvince, UnitCode: unit("20"), Position: "vice_governor", Email: "vice@chonburi.go.th", DisplayName: "รองผู้ว่าราชการจังหวัดชลบุรี"},
		{Username: "staff20", Role: models.RoleProvince, UnitCode: unit("20"), Email: "saraban@chonburi.go.th", DisplayName: "เจ้าหน้าที่ ศอ.ปส.จ.ชลบุรี"},
		{Username: "off20", Role: models.RoleProvince, UnitCode: unit("20"), Email: "off@chonburi.go.th", Disabled: true},
		{Username: "staff21", Role: models.RoleProvince, UnitCode: unit("21"), Email: "staff@rayong.go.th", DisplayName: "เจ้าหน้าที่ ศอ.ปส.จ.ระยอง"},
		{Username: "dist2001", Role: models.RoleDistrict, UnitCode: unit("2001"), Email: "mueang@chonburi.go.th"},
		{Username: "insp8", Role: models.RoleInspector, Email: "insp8@moi.go.th", DisplayName: "ผู้ตรวจราชการเขต 8",
			Regions: []models.AccountRegion{{Region: 8}}},
		{Username: "insp5", Role: models.RoleInspector, Email: "not-an-address", Regions: []models.AccountRegion{{Region: 5}}},
		{Username: "sec", Role: models.RoleSecretariat, UnitCode: unit(models.NationalUnitCode), Email: "sec@oncb.go.th"},
	} {
		a.PasswordHash = "x"
		if err := db.Create(&a).Error; err != nil {
			t.Fatalf("account %s: %v", a.Username, err)
		}
		o.accounts[a.Username] = a
	}
	for key, w := range map[string]models.Webhook{
		"all":         {URL: "http://127.0.0.1:1/all", Secret: "s-all", Active: true},
		"20":          {UnitCode: unit("20"), URL: "http://127.0.0.1:1/20", Secret: "s-20", Active: true},
		"21-inactive": {UnitCode: unit("21"), URL: "http://127.0.0.1:1/21", Secret: "s-21", Active: false},
	} {
		w.CreatedAt = time.Now()
		if err := db.Create(&w).Error; err != nil {
			t.Fatal(err)
		}
		o.webhooks[key] = w
	}
	return o
}

// enqueue writes a pending notification as the workflows do.
func enqueue(t *testing.T, db *gorm.DB, id, kind string, to any, data map[string]string) models.Notification {
	t.Helper()
	rcpt, _ := json.Marshal(to)
	d, _ := json.Marshal(data)
	n := models.Notification{ID: id, Kind: kind, Recipients: string(rcpt), Template: kind, Language: "th",
		Data: string(d), Status: models.NotificationPending, CreatedAt: time.Date(2025, 1, 15, 2, 0, 0, 0, time.UTC)}
	if err := db.Create(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// overdueData is what the assignment workflow writes for an overdue item.
func overdueData() map[string]string {
	return map[string]string{
		"directive_id": "ONCB-4f2a9c0d1e2b3a45", "assignment_id": "assignment/ONCB-4f2a9c0d1e2b3a45/20", "unit_code": "20",
		"subject": "เร่งรัดการตรวจค้นแหล่งผลิตยาเสพติด", "doc_number": "ที่ ยธ 0600/ว 123", "urgency": "most_urgent",
		"item": "2", "cycle": "1", "item_text": "รายงานผลการตรวจค้น", "due_at": "2025-01-15T09:30:00Z",
		"due_th": "15 ม.ค. 2568 เวลา 16:30 น.", "level": "1", "escalation_id": "assignment/ONCB-4f2a9c0d1e2b3a45/20/2/1/1",
	}
}

func count(t *testing.T, q *gorm.DB) int64 {
	t.Helper()
	var n int64
	if err := q.Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}
