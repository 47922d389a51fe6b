package auth_test

import (
	"context"
	"slices"
	"testing"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
)

func scopedCodes(t *testing.T, db *gorm.DB, p *auth.Principal) []string {
	t.Helper()
	var codes []string
	if err := p.ScopeUnits(db.Model(&models.Unit{})).Order("code").Pluck("code", &codes).Error; err != nil {
		t.Fatalf("ScopeUnits(%+v): %v", p, err)
	}
	return codes
}

func sorted(s ...string) []string { slices.Sort(s); return s }

func TestScopeUnits(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		setup(t, db)

		var all []string
		if err := db.Model(&models.Unit{}).Order("code").Pluck("code", &all).Error; err != nil {
			t.Fatal(err)
		}
		// ONCB + 77 provinces + the 8 units setup adds.
		if len(all) != 1+77+8 {
			t.Fatalf("fixture has %d units, want 86", len(all))
		}
		bangkok := sorted("10", "1001", "1002", "1001-01", "1001-01-1")
		// Inspection region 1 (provinces.csv): Ayutthaya, Ang Thong, Lop
		// Buri, Sing Buri, Chai Nat, Saraburi; setup adds district 1401.
		region1 := sorted("14", "1401", "15", "16", "17", "18", "19")

		for _, tc := range []struct {
			name string
			p    *auth.Principal
			want []string
		}{
			{"admin", &auth.Principal{Role: models.RoleAdmin}, all},
			{"secretariat", &auth.Principal{Role: models.RoleSecretariat}, all},
			{"observer", &auth.Principal{Role: models.RoleObserver, UnitCode: "10"}, all},
			{"province Bangkok", &auth.Principal{Role: models.RoleProvince, UnitCode: "10"}, bangkok},
			{"province Chiang Mai", &auth.Principal{Role: models.RoleProvince, UnitCode: "50"}, sorted("50", "5001", "5002")},
			{"province without districts", &auth.Principal{Role: models.RoleProvince, UnitCode: "96"}, []string{"96"}},
			{"district with sub-levels", &auth.Principal{Role: models.RoleDistrict, UnitCode: "1001"}, sorted("1001", "1001-01", "1001-01-1")},
			{"district leaf", &auth.Principal{Role: models.RoleDistrict, UnitCode: "5002"}, []string{"5002"}},
			{"inspector region 0", &auth.Principal{Role: models.RoleInspector, Regions: []int{0}}, bangkok},
			{"inspector regions 0 and 1", &auth.Principal{Role: models.RoleInspector, Regions: []int{0, 1}}, sorted(append(slices.Clone(bangkok), region1...)...)},
			{"inspector without regions", &auth.Principal{Role: models.RoleInspector}, nil},
			{"province without unit", &auth.Principal{Role: models.RoleProvince}, nil},
			{"province with unknown unit", &auth.Principal{Role: models.RoleProvince, UnitCode: "XX"}, nil},
			{"unknown role", &auth.Principal{Role: "root", UnitCode: "10"}, nil},
			{"nil principal", nil, nil},
		} {
			got := scopedCodes(t, db, tc.p)
			if !slices.Equal(got, tc.want) {
				t.Errorf("%s: sees %v, want %v", tc.name, got, tc.want)
			}
		}

		// Scope composes with the caller's own conditions.
		var districts []string
		prov := &auth.Principal{Role: models.RoleProvince, UnitCode: "10"}
		if err := prov.ScopeUnits(db.Model(&models.Unit{})).Where("type = ?", models.UnitDistrict).
			Order("code").Pluck("code", &districts).Error; err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(districts, []string{"1001", "1002"}) {
			t.Errorf("Bangkok districts = %v", districts)
		}

		for _, tc := range []struct {
			p    *auth.Principal
			code string
			want bool
		}{
			{prov, "1001-01-1", true},
			{prov, "10", true},
			{prov, "5001", false},
			{prov, "ONCB", false},
			{prov, "nope", false},
			{&auth.Principal{Role: models.RoleAdmin}, "MOI", true},
			{&auth.Principal{Role: models.RoleAdmin}, "nope", false},
			{&auth.Principal{Role: models.RoleDistrict, UnitCode: "1001"}, "1002", false},
			{&auth.Principal{Role: models.RoleInspector, Regions: []int{1}}, "1401", true},
			{&auth.Principal{Role: models.RoleInspector, Regions: []int{1}}, "1001", false},
		} {
			got, err := tc.p.CanSeeUnit(ctx, db, tc.code)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("%s %s CanSeeUnit(%s) = %v, want %v", tc.p.Role, tc.p.UnitCode, tc.code, got, tc.want)
			}
		}
	})
}
