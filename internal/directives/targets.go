package directives

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
)

// TargetsRequest says which units an item is addressed to. Every selector
// adds units; at least one must select something.
type TargetsRequest struct {
	// AllProvinces selects the 77 province centres (ศอ.ปส.จ.).
	AllProvinces bool `json:"all_provinces,omitempty"`
	// AllDistricts selects the 878 district centres (ศป.ปส.อ.) outside
	// Bangkok; Bangkok's 50 เขต are selected only by code or through
	// DistrictsOfProvinces with Bangkok among the provinces.
	AllDistricts bool `json:"all_districts,omitempty"`
	// DistrictsOfProvinces adds every district of the provinces this item
	// selects (by name, set, region or AllProvinces).
	DistrictsOfProvinces bool `json:"districts_of_provinces,omitempty"`
	// Provinces by DOPA code, ISO code, Thai or English name ("เชียงใหม่",
	// "จังหวัดเชียงใหม่", "50", "TH-50", "Chiang Mai").
	Provinces []string `json:"provinces,omitempty" validate:"max=100,dive,max=100"`
	// Sets by code or Thai name, e.g. the 10 pilot provinces.
	Sets []string `json:"sets,omitempty" validate:"max=20,dive,max=100"`
	// Regions selects the provinces of MOI inspection regions (0–18).
	Regions []int `json:"regions,omitempty" validate:"max=19"`
	// Units by exact unit code.
	Units []string `json:"units,omitempty" validate:"max=2000,dive,max=32"`
}

// UnknownTarget is one entry of the 422 answer to unresolvable targets.
type UnknownTarget struct {
	Field      string `json:"field"`
	Value      string `json:"value"`
	Suggestion string `json:"suggestion,omitempty"`
}

// unitIndex is the unit table in memory for resolving one request (about a
// thousand rows: cheaper than a query per name).
type unitIndex struct {
	byCode      map[string]models.Unit
	provinces   []models.Unit // sorted by code
	districts   map[string][]models.Unit
	names       map[string]string // normalised name → province code
	nameList    []string          // Thai province names, for suggestions
	sets        map[string][]string
	setNames    []string
	allDistrict []models.Unit
}

func loadUnitIndex(ctx context.Context, db *gorm.DB) (*unitIndex, error) {
	var units []models.Unit
	if err := db.WithContext(ctx).Order("code").Find(&units).Error; err != nil {
		return nil, err
	}
	ix := &unitIndex{byCode: map[string]models.Unit{}, districts: map[string][]models.Unit{}, names: map[string]string{}, sets: map[string][]string{}}
	for _, u := range units {
		ix.byCode[u.Code] = u
		switch u.Type {
		case models.UnitProvince:
			ix.provinces = append(ix.provinces, u)
			for _, n := range []string{u.Code, u.ISOCode, u.NameTH, u.NameEN} {
				if n != "" {
					ix.names[normName(n)] = u.Code
				}
			}
			ix.nameList = append(ix.nameList, u.NameTH)
		case models.UnitDistrict:
			if u.ParentCode != nil {
				ix.districts[*u.ParentCode] = append(ix.districts[*u.ParentCode], u)
				if *u.ParentCode != "10" {
					ix.allDistrict = append(ix.allDistrict, u)
				}
			}
		}
	}
	var sets []models.TargetSet
	if err := db.WithContext(ctx).Order("code").Find(&sets).Error; err != nil {
		return nil, err
	}
	var members []models.TargetSetMember
	if err := db.WithContext(ctx).Order("set_code, unit_code").Find(&members).Error; err != nil {
		return nil, err
	}
	byCode := map[string][]string{}
	for _, m := range members {
		byCode[m.SetCode] = append(byCode[m.SetCode], m.UnitCode)
	}
	for _, s := range sets {
		ix.sets[normName(s.Code)] = byCode[s.Code]
		ix.sets[normName(s.NameTH)] = byCode[s.Code]
		ix.setNames = append(ix.setNames, s.Code)
	}
	return ix, nil
}

// normName folds the ways a province is written: Thai digits, case,
// spaces, and the prefixes จังหวัด / จ. / ศอ.ปส.จ.
func normName(s string) string {
	s = strings.ToLower(strings.TrimSpace(thaidate.NormalizeDigits(s)))
	for _, p := range []string{"ศอ.ปส.จ.", "จังหวัด", "จ."} {
		s = strings.TrimSpace(strings.TrimPrefix(s, p))
	}
	return strings.Join(strings.Fields(s), " ")
}

// resolveItemTargets returns the unit codes one item is addressed to, or
// the unknown entries (each with the closest province name when there is
// one) prefixed by the item's field path.
func (ix *unitIndex) resolveItemTargets(field string, t TargetsRequest) ([]string, []UnknownTarget) {
	var unknown []UnknownTarget
	provinces := map[string]bool{}
	units := map[string]bool{}
	if t.AllProvinces {
		for _, p := range ix.provinces {
			provinces[p.Code] = true
		}
	}
	if t.AllDistricts {
		for _, d := range ix.allDistrict {
			units[d.Code] = true
		}
	}
	for i, name := range t.Provinces {
		code, ok := ix.names[normName(name)]
		if !ok {
			unknown = append(unknown, unknownName(fmt.Sprintf("%s.provinces[%d]", field, i), name, ix.nameList))
			continue
		}
		provinces[code] = true
	}
	for i, s := range t.Sets {
		members, ok := ix.sets[normName(s)]
		if !ok {
			unknown = append(unknown, unknownName(fmt.Sprintf("%s.sets[%d]", field, i), s, ix.setNames))
			continue
		}
		for _, m := range members {
			if u, ok := ix.byCode[m]; ok && u.Type == models.UnitProvince {
				provinces[m] = true
			} else {
				units[m] = true
			}
		}
	}
	for i, r := range t.Regions {
		if r < 0 || r > 18 {
			unknown = append(unknown, UnknownTarget{Field: fmt.Sprintf("%s.regions[%d]", field, i), Value: fmt.Sprint(r)})
			continue
		}
		for _, p := range ix.provinces {
			if p.InspectionRegion != nil && *p.InspectionRegion == r {
				provinces[p.Code] = true
			}
		}
	}
	for i, code := range t.Units {
		c := strings.TrimSpace(thaidate.NormalizeDigits(code))
		if _, ok := ix.byCode[c]; !ok {
			u := UnknownTarget{Field: fmt.Sprintf("%s.units[%d]", field, i), Value: code}
			if pc, ok := ix.names[normName(code)]; ok {
				u.Suggestion = pc
			}
			unknown = append(unknown, u)
			continue
		}
		units[c] = true
	}
	for p := range provinces {
		units[p] = true
		if t.DistrictsOfProvinces {
			for _, d := range ix.districts[p] {
				units[d.Code] = true
			}
		}
	}
	out := make([]string, 0, len(units))
	for c := range units {
		out = append(out, c)
	}
	sort.Strings(out)
	return out, unknown
}

// unitTargets merges per-item unit lists into one target per unit, in code
// order, each listing the item numbers addressed to it.
func (ix *unitIndex) unitTargets(perItem map[int][]string) []workflows.UnitTarget {
	items := map[string][]int{}
	for n, codes := range perItem {
		for _, c := range codes {
			items[c] = append(items[c], n)
		}
	}
	codes := make([]string, 0, len(items))
	for c := range items {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	out := make([]workflows.UnitTarget, 0, len(codes))
	for _, c := range codes {
		u := ix.byCode[c]
		nums := items[c]
		slices.Sort(nums)
		t := workflows.UnitTarget{UnitCode: c, Type: u.Type, ItemNumbers: nums, Region: ix.regionOf(u)}
		if u.ParentCode != nil {
			t.ParentCode = *u.ParentCode
		}
		out = append(out, t)
	}
	return out
}

// regionOf walks up to the province to find a unit's inspection region.
func (ix *unitIndex) regionOf(u models.Unit) int {
	for range 16 {
		if u.InspectionRegion != nil {
			return *u.InspectionRegion
		}
		if u.ParentCode == nil {
			return 0
		}
		u = ix.byCode[*u.ParentCode]
	}
	return 0
}

// targetSpec records the request's selectors for display and audit.
func targetSpec(t TargetsRequest) workflows.TargetSpec {
	s := workflows.TargetSpec{Sets: t.Sets, Regions: t.Regions, Units: t.Units, Names: t.Provinces}
	if t.AllProvinces {
		s.Levels = append(s.Levels, models.UnitProvince)
	}
	if t.AllDistricts || t.DistrictsOfProvinces {
		s.Levels = append(s.Levels, models.UnitDistrict)
	}
	return s
}

func unknownTargetsError(unknown []UnknownTarget) error {
	var parts []string
	for _, u := range unknown {
		p := fmt.Sprintf("%s: ไม่รู้จัก %q", u.Field, u.Value)
		if u.Suggestion != "" {
			p += fmt.Sprintf(" — หมายถึง %q หรือไม่? (did you mean %q?)", u.Suggestion, u.Suggestion)
		}
		parts = append(parts, p)
	}
	e := apperr.New(apperr.Invalid, "ไม่พบหน่วยงานเป้าหมายต่อไปนี้ (unknown targets): %s", strings.Join(parts, "; "))
	e.Field = unknown[0].Field
	return e.WithDetails(map[string]any{"unknown_targets": unknown})
}

// ResolveMembers turns names of provinces (Thai or English, typos
// suggested) or unit codes into unit codes, sorted and without repeats,
// for a named target set. Every name that matches nothing is reported at
// once as one apperr.Invalid naming field[i] with its closest real name.
func ResolveMembers(ctx context.Context, db *gorm.DB, field string, names []string) ([]string, error) {
	ix, err := loadUnitIndex(ctx, db)
	if err != nil {
		return nil, err
	}
	var codes []string
	var unknown []UnknownTarget
	seen := map[string]bool{}
	for i, m := range names {
		code, ok := ix.names[normName(m)]
		if !ok {
			if _, isUnit := ix.byCode[strings.TrimSpace(m)]; isUnit {
				code, ok = strings.TrimSpace(m), true
			}
		}
		if !ok {
			unknown = append(unknown, unknownName(fmt.Sprintf("%s[%d]", field, i), m, ix.nameList))
			continue
		}
		if !seen[code] {
			seen[code] = true
			codes = append(codes, code)
		}
	}
	if len(unknown) > 0 {
		return nil, unknownTargetsError(unknown)
	}
	sort.Strings(codes)
	return codes, nil
}

// unknownName reports value at field as naming nothing, with the closest
// of candidates (normalised names) as its suggestion when there is one.
func unknownName(field, value string, candidates []string) UnknownTarget {
	u := UnknownTarget{Field: field, Value: value}
	if s, ok := closest(normName(value), candidates); ok {
		u.Suggestion = s
	}
	return u
}
