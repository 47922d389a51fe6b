package tips_test

import (
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/listing"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/internal/tips"
	"github.com/tidtam/tidtam/models"
)

// TestHandlingScope: what the workflow writes widens who reads a tip — an
// inspector of the province's region once the tip escalated to level 3
// (not before, not another region), the secretariat once the province
// referred it up — and the national counts say how many are overdue,
// escalated and referred up. Without a workflow engine a tip is saved
// with workflow_started false, and acting on it is Unavailable with
// nothing written.
func TestHandlingScope(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		svc := newService(t, db)
		ctx := ctxFrom(t, "192.0.2.9")
		if _, err := svc.Submit(ctx, tips.SubmitInput{ProvinceCode: "20", Text: "ร้านขายยาบ้า", SubmissionID: "s1"}); err != nil {
			t.Fatal(err)
		}
		var tip models.Tip
		if err := db.Take(&tip).Error; err != nil || tip.WorkflowStarted {
			t.Fatalf("saved %+v %v", tip, err)
		}
		prov := &auth.Principal{Username: "p", Role: models.RoleProvince, UnitCode: "20"}
		_, err := svc.Acknowledge(ctx, prov, tip.ID)
		wantCode(t, err, apperr.Unavailable, "")
		_, err = svc.ChangeStage(ctx, prov, tip.ID, tips.StageInput{Stage: models.TipUnderInvestigation, Note: "x"})
		wantCode(t, err, apperr.Unavailable, "")
		// Bad input is refused before anything is sent or stored.
		_, err = svc.ChangeStage(ctx, prov, tip.ID, tips.StageInput{Stage: models.TipReferred})
		wantCode(t, err, apperr.Invalid, "agency")
		_, err = svc.Forward(ctx, prov, tip.ID, "5001")
		wantCode(t, err, apperr.Invalid, "district_code")
		_, err = svc.Acknowledge(ctx, &auth.Principal{Username: "d", Role: models.RoleDistrict, UnitCode: "2001"}, tip.ID)
		wantCode(t, err, apperr.NotFound, "")

		region := 0
		var u models.Unit
		if err := db.Where("code = ?", "20").Take(&u).Error; err == nil && u.InspectionRegion != nil {
			region = *u.InspectionRegion
		}
		insp := &auth.Principal{Username: "i", Role: models.RoleInspector, Regions: []int{region}}
		other := &auth.Principal{Username: "o", Role: models.RoleInspector, Regions: []int{region + 1}}
		sec := &auth.Principal{Username: "s", Role: models.RoleSecretariat}
		seen := func(p *auth.Principal) int64 {
			t.Helper()
			page, err := svc.List(ctx, p, listing.Window{Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			return page.Total
		}
		if seen(insp) != 0 || seen(sec) != 0 {
			t.Fatalf("the inspector or the secretariat reads a tip before escalation or referral")
		}
		_, err = svc.Get(ctx, sec, tip.ID)
		wantCode(t, err, apperr.NotFound, "")
		past := time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)
		if err := db.Model(&tip).Updates(map[string]any{"escalation_level": 3, "due_at": past, "version": 5}).Error; err != nil {
			t.Fatal(err)
		}
		if seen(insp) != 1 || seen(other) != 0 || seen(sec) != 0 {
			t.Errorf("after level 3: inspector %d, other region %d, secretariat %d", seen(insp), seen(other), seen(sec))
		}
		if err := db.Model(&tip).Update("referred_up", true).Error; err != nil {
			t.Fatal(err)
		}
		v, err := svc.Get(ctx, sec, tip.ID)
		if err != nil || v.Text != "ร้านขายยาบ้า" || !v.Overdue || !v.ReferredUp {
			t.Fatalf("the secretariat reads a referred tip: %+v %v", v, err)
		}
		if n := storetest.Count(t, db, &models.AuditEvent{}, "action = ? AND actor = ?", "tip.read", "s"); n != 1 {
			t.Errorf("the secretariat's read audited %d times", n)
		}
		_, err = svc.Get(ctx, &auth.Principal{Username: "w", Role: models.RoleObserver}, tip.ID)
		wantCode(t, err, apperr.Forbidden, "")
		counts, err := svc.Counts(ctx, sec)
		if err != nil || len(counts) != 1 || counts[0].Overdue != 1 || counts[0].Escalated != 1 || counts[0].ReferredUp != 1 {
			t.Errorf("counts %+v %v", counts, err)
		}
		if n := storetest.Count(t, db, &models.TipMessage{}, ""); n != 0 {
			t.Errorf("%d messages: the note of a stage change that found no engine was stored", n)
		}
	})
}
