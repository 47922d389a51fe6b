package tips_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/listing"
	"github.com/tidtam/tidtam/internal/reqctx"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/internal/tips"
	"github.com/tidtam/tidtam/internal/tips/tipstest"
	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
)

// secret is a tip text no other row of the database could contain.
const secret = "ขายยาบ้าหลังตลาดสด ทุกคืนวันศุกร์ XYZZY-PLAINTEXT-MARKER"

func newService(t *testing.T, db *gorm.DB) tips.Service {
	t.Helper()
	if err := store.SeedReferenceUnits(t.Context(), db); err != nil {
		t.Fatal(err)
	}
	key, _, err := tips.LoadKey("", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Date(2026, 12, 3, 23, 30, 0, 0, time.UTC) } // 4 Dec in Bangkok
	return tips.NewService(tips.Deps{DB: db, Key: key, Now: now,
		Guesses: tips.NewThrottle(time.Hour, 3, now)})
}

func wantCode(t *testing.T, err error, c apperr.Code, field string) {
	t.Helper()
	e := apperr.As(err)
	if e == nil || e.Code != c || (field != "" && e.Field != field) {
		t.Fatalf("error %v, want %s field %q", err, c, field)
	}
}

// ctxFrom is a request context from client address addr.
func ctxFrom(t *testing.T, addr string) context.Context {
	return reqctx.WithClientAddress(t.Context(), addr)
}

// TestSubmitAndFollowUp: a tip is routed, stored sealed with the day
// only, a retry of the same submission answers the same receipt and
// stores nothing, the informant reads it back and adds a message, and a
// wrong receipt is a bare 404, throttled per address.
func TestSubmitAndFollowUp(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		svc := newService(t, db)
		ctx := ctxFrom(t, "192.0.2.1")
		in := tips.SubmitInput{ProvinceCode: "11", DistrictCode: "1101", Text: secret, When: "ทุกคืนวันศุกร์ 22:00",
			SubmissionID: "c2f0e7a4-retry-test"}
		r1, err := svc.Submit(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if len(r1.Receipt) != tips.ReceiptDigits || strings.Trim(r1.Receipt, "0123456789") != "" {
			t.Fatalf("receipt %q: want %d digits", r1.Receipt, tips.ReceiptDigits)
		}
		r2, err := svc.Submit(ctx, in)
		if err != nil || r2 != r1 {
			t.Fatalf("retry: %v %v, want the same receipt %v", r2, err, r1)
		}
		if n := storetest.Count(t, db, &models.Tip{}, ""); n != 1 {
			t.Fatalf("%d tips after a retry, want 1", n)
		}

		var tip models.Tip
		if err := db.Take(&tip).Error; err != nil {
			t.Fatal(err)
		}
		if tip.SubmittedOn != "2026-12-04" || tip.Route != models.TipRouteDistrict || tip.RouteUnitCode != "1101" || tip.Status != models.TipReceived {
			t.Errorf("stored %+v", tip)
		}
		for name, v := range map[string]string{"receipt_hash": tip.ReceiptHash, "receipt_lookup": tip.ReceiptLookup, "receipt_sealed": tip.ReceiptSealed} {
			if v == "" || strings.Contains(v, r1.Receipt) {
				t.Errorf("%s %q carries the receipt", name, v)
			}
		}
		if !strings.HasPrefix(tip.ReceiptHash, "$argon2id$") {
			t.Errorf("receipt hash %q is not argon2id", tip.ReceiptHash)
		}
		if strings.Contains(tip.TextSealed, "XYZZY") || strings.Contains(tip.SubmissionLookup, "retry-test") {
			t.Errorf("plaintext stored: %+v", tip)
		}

		// Follow-up with spaces and Thai digits.
		typed := strings.Map(func(r rune) rune { return '๐' + (r - '0') }, r1.Receipt[:10]) + " " + r1.Receipt[10:]
		v, err := svc.FollowUp(ctx, typed)
		if err != nil {
			t.Fatal(err)
		}
		if v.Text != secret || v.When != in.When || v.Status != models.TipReceived || v.DistrictCode != "1101" || len(v.Messages) != 0 {
			t.Errorf("follow-up %+v", v)
		}
		v, err = svc.AddMessage(ctx, r1.Receipt, "รถกระบะสีขาว XYZZY-PLAINTEXT-MARKER", nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Messages) != 1 || v.Messages[0].Author != models.TipByInformant || v.Messages[0].SentOn != "2026-12-04" {
			t.Errorf("messages %+v", v.Messages)
		}
		// The handling unit (the district) is told, with nothing of the
		// text; a refused message tells no one.
		var notes []models.Notification
		if err := db.Where("id LIKE ?", "tip/%/informant/%").Find(&notes).Error; err != nil {
			t.Fatal(err)
		}
		if len(notes) != 1 || notes[0].ID != workflows.TipWorkflowID(tip.ID)+"/informant/m1" || notes[0].Kind != workflows.NotifyTip ||
			!strings.Contains(string(notes[0].Recipients), `"1101"`) || !strings.Contains(string(notes[0].Data), workflows.TipEventInformantReplied) ||
			strings.Contains(string(notes[0].Data), "XYZZY") {
			t.Errorf("notifications %+v", notes)
		}
		_, err = svc.AddMessage(ctx, r1.Receipt, "  ", nil)
		wantCode(t, err, apperr.Invalid, "text")
		if n := storetest.Count(t, db, &models.Notification{}, "id LIKE ?", "tip/%/informant/%"); n != 1 {
			t.Errorf("%d informant notifications after a refused message, want 1", n)
		}

		// Wrong receipts: NotFound saying nothing, then throttled (3 per
		// hour here) for this address only.
		wrong := "1" + r1.Receipt[1:]
		if wrong == r1.Receipt {
			wrong = "2" + r1.Receipt[1:]
		}
		for _, g := range []string{wrong, "12345", "not a code"} {
			_, err = svc.FollowUp(ctx, g)
			wantCode(t, err, apperr.NotFound, "")
			if apperr.As(err).Message != "ไม่พบ (not found)" {
				t.Errorf("404 says %q", apperr.As(err).Message)
			}
		}
		_, err = svc.FollowUp(ctx, r1.Receipt)
		wantCode(t, err, apperr.TooManyRequests, "")
		if _, err := svc.FollowUp(ctxFrom(t, "192.0.2.2"), r1.Receipt); err != nil {
			t.Errorf("another address: %v", err)
		}

		// Nothing of the texts in the database's own bytes.
		assertNoPlaintext(t, db, "XYZZY-PLAINTEXT-MARKER", "ขายยาบ้า", "รถกระบะ", "ทุกคืนวันศุกร์", r1.Receipt, "c2f0e7a4")
	})
}

// assertNoPlaintext is tipstest.AssertNoPlaintext.
func assertNoPlaintext(t *testing.T, db *gorm.DB, needles ...string) {
	t.Helper()
	tipstest.AssertNoPlaintext(t, db, needles...)
}

// TestRouting: officials involved go to the province head and the
// region's inspector, never to the district; validation of places and
// sizes.
func TestRouting(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		svc := newService(t, db)
		ctx := ctxFrom(t, "192.0.2.9")
		_, err := svc.Submit(ctx, tips.SubmitInput{ProvinceCode: "11", DistrictCode: "1101", Text: "ตำรวจรับส่วย", OfficialsInvolved: true, SubmissionID: "a"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = svc.Submit(ctx, tips.SubmitInput{ProvinceCode: "11", Text: "มีการค้า", SubmissionID: "b"})
		if err != nil {
			t.Fatal(err)
		}
		var got []models.Tip
		if err := db.Order("id").Find(&got).Error; err != nil {
			t.Fatal(err)
		}
		if got[0].Route != models.TipRouteOfficials || got[0].RouteUnitCode != "11" || got[0].InspectionRegion == nil {
			t.Errorf("officials: %+v", got[0])
		}
		if got[1].Route != models.TipRouteProvince || got[1].RouteUnitCode != "11" || got[1].InspectionRegion != nil {
			t.Errorf("province: %+v", got[1])
		}

		for _, c := range []struct {
			in    tips.SubmitInput
			field string
		}{
			{tips.SubmitInput{ProvinceCode: "11", DistrictCode: "1001", Text: "x", SubmissionID: "c"}, "district_code"},
			{tips.SubmitInput{ProvinceCode: "1101", Text: "x", SubmissionID: "c"}, "province_code"},
			{tips.SubmitInput{ProvinceCode: "11", Text: " ", SubmissionID: "c"}, "text"},
			{tips.SubmitInput{ProvinceCode: "11", Text: strings.Repeat("ก", tips.MaxTextRunes+1), SubmissionID: "c"}, "text"},
			{tips.SubmitInput{ProvinceCode: "11", Text: "x", When: strings.Repeat("ก", tips.MaxWhenRunes+1), SubmissionID: "c"}, "when"},
			{tips.SubmitInput{ProvinceCode: "11", Text: "x"}, "submission_id"},
		} {
			_, err := svc.Submit(ctx, c.in)
			wantCode(t, err, apperr.Invalid, c.field)
		}
		if n := storetest.Count(t, db, &models.Tip{}, ""); n != 2 {
			t.Errorf("%d tips, want 2", n)
		}
	})
}

// TestKeyFile: a key is generated into the data folder once, mode 0600,
// and read back; a configured key wins; a bad one is refused.
func TestKeyFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	k1, created, err := tips.LoadKey("", dir)
	if err != nil || !created {
		t.Fatalf("first start: %v %v", created, err)
	}
	fi, err := os.Stat(filepath.Join(dir, tips.KeyFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file %v %v, want mode 0600", fi, err)
	}
	k2, created, err := tips.LoadKey("", dir)
	if err != nil || created || k2 != k1 {
		t.Fatalf("second start: a different key (%v, %v)", created, err)
	}
	k3, _, err := tips.LoadKey("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", dir)
	if err != nil || k3[31] != 31 {
		t.Fatalf("configured key: %v", err)
	}
	if _, _, err := tips.LoadKey("c2hvcnQ=", dir); err == nil {
		t.Fatal("a 5-byte key was accepted")
	}
}

// TestThrottleForgets: an address blocked is free again after the refill
// time, and the map does not keep idle addresses.
func TestThrottleForgets(t *testing.T) {
	now := time.Unix(0, 0)
	th := tips.NewThrottle(time.Minute, 2, func() time.Time { return now })
	for range 2 {
		if _, ok := th.Spend("a"); !ok {
			t.Fatal("refused within the burst")
		}
	}
	if wait, ok := th.Spend("a"); ok || wait <= 0 || wait > time.Minute {
		t.Fatalf("third: %v %v", wait, ok)
	}
	now = now.Add(time.Minute)
	if _, blocked := th.Blocked("a"); blocked {
		t.Fatal("still blocked after a refill")
	}
}

// TestListScope: officers see the tips routed to them, on both databases,
// and each one shown is audited; the secretariat reads no content.
func TestListScope(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		svc := newService(t, db)
		ctx := ctxFrom(t, "192.0.2.7")
		var region int
		if err := db.Model(&models.Unit{}).Select("inspection_region").Where("code = ?", "20").Scan(&region).Error; err != nil {
			t.Fatal(err)
		}
		for i, in := range []tips.SubmitInput{
			{ProvinceCode: "20", DistrictCode: "2001", Text: "ก"},
			{ProvinceCode: "20", DistrictCode: "2001", Text: "ข", OfficialsInvolved: true},
		} {
			in.SubmissionID = strconv.Itoa(i)
			if _, err := svc.Submit(ctx, in); err != nil {
				t.Fatal(err)
			}
		}
		w := listing.Window{Limit: 50}
		for _, c := range []struct {
			p    *auth.Principal
			want int64
		}{
			{&auth.Principal{Username: "p", Role: models.RoleProvince, UnitCode: "20"}, 2},
			{&auth.Principal{Username: "d", Role: models.RoleDistrict, UnitCode: "2001"}, 1},
			{&auth.Principal{Username: "i", Role: models.RoleInspector, Regions: []int{region}}, 1},
			{&auth.Principal{Username: "j", Role: models.RoleInspector, Regions: []int{region + 1}}, 0},
		} {
			page, err := svc.List(ctx, c.p, w)
			if err != nil || page.Total != c.want || int64(len(page.Items)) != c.want {
				t.Errorf("%s: %d tips (%v), want %d", c.p.Username, page.Total, err, c.want)
			}
		}
		// The secretariat reads only tips a province referred up: none yet.
		secPage, err := svc.List(ctx, &auth.Principal{Username: "s", Role: models.RoleSecretariat, UnitCode: models.NationalUnitCode}, w)
		if err != nil || secPage.Total != 0 {
			t.Errorf("secretariat list: %+v %v", secPage, err)
		}
		_, err = svc.List(ctx, &auth.Principal{Username: "o", Role: models.RoleObserver}, w)
		wantCode(t, err, apperr.Forbidden, "")
		_, err = svc.List(ctx, nil, w)
		wantCode(t, err, apperr.Unauthorized, "")
		if n := storetest.Count(t, db, &models.AuditEvent{}, "action = ?", "tip.read"); n != 4 {
			t.Errorf("%d tip.read events, want 4", n)
		}
		counts, err := svc.Counts(ctx, &auth.Principal{Username: "s", Role: models.RoleSecretariat})
		if err != nil || len(counts) != 1 || counts[0].ProvinceCode != "20" || counts[0].Total != 2 ||
			counts[0].ByStatus[models.TipReceived] != 2 || counts[0].Officials != 1 {
			t.Errorf("counts %+v %v", counts, err)
		}
		_, err = svc.Counts(ctx, &auth.Principal{Username: "p", Role: models.RoleProvince, UnitCode: "20"})
		wantCode(t, err, apperr.Forbidden, "")

		// The district writes to the informant of the tip routed to it.
		dist := &auth.Principal{Username: "d", Role: models.RoleDistrict, UnitCode: "2001"}
		page, err := svc.List(ctx, dist, w)
		if err != nil || len(page.Items) != 1 {
			t.Fatalf("district list: %v", err)
		}
		v, err := svc.Reply(ctx, dist, page.Items[0].ID, "ร้านชื่ออะไร")
		if err != nil || len(v.Messages) != 1 || v.Messages[0].Author != models.TipByOfficer {
			t.Fatalf("reply: %+v %v", v, err)
		}
		_, err = svc.Reply(ctx, &auth.Principal{Username: "d2", Role: models.RoleDistrict, UnitCode: "2002"}, page.Items[0].ID, "x")
		wantCode(t, err, apperr.NotFound, "")
		_, err = svc.Reply(ctx, &auth.Principal{Username: "r", Role: models.RoleDistrict, UnitCode: "2001", ReadOnly: true}, page.Items[0].ID, "x")
		wantCode(t, err, apperr.Forbidden, "")
		assertNoPlaintext(t, db, "ร้านชื่ออะไร")
	})
}
