package directives

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/directives/request"
	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/internal/thainame"
	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
)

// TargetsRequest says which units an item is addressed to
// (request.Targets).
type TargetsRequest = request.Targets

// UnknownTarget is one entry of the 422 answer to unresolvable targets.
// Suggestions are the closest real names, best first (thainame.Suggest):
// never empty for a province or a set while any exists; Suggestion is the
// first of them.
type UnknownTarget struct {
	Field       string   `json:"field"`
	Value       string   `json:"value"`
	Suggestion  string   `json:"suggestion,omitempty"`
	Suggestions []string `json:"suggestions,omitempty"`
}

// unitIndex is the unit table in memory for resolving one request (about a
// thousand rows: cheaper than a query per name).
type unitIndex struct {
	byCode      map[string]models.Unit
	provinces   []models.Unit // sorted by code
	districts   map[string][]models.Unit
	names       map[string]string // normalised name → province code
	nameList    []string          // Thai province names, for suggestions
	nameListEN  []string          // English province names, for suggestions to Latin input
	sets        map[string][]string
	setNames    []string // set codes and Thai names, for suggestions
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
			if u.NameEN != "" {
				ix.nameListEN = append(ix.nameListEN, u.NameEN)
			}
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
		if s.NameTH != "" {
			ix.setNames = append(ix.setNames, s.NameTH)
		}
	}
	return ix, nil
}

// normName is thainame.Normalize: Thai digits, case, spaces, and the
// prefixes จังหวัด / จ. / ศอ.ปส.จ. folded.
func normName(s string) string { return thainame.Normalize(s) }

// resolveItemTargets returns the unit codes one item is addressed to, or
// the unknown entries (each with the closest real names) prefixed by the
// item's field path.
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
			unknown = append(unknown, ix.unknownProvince(fmt.Sprintf("%s.provinces[%d]", field, i), name))
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
				u.Suggestion, u.Suggestions = pc, []string{pc}
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
		if len(u.Suggestions) > 0 {
			p += fmt.Sprintf(" — หมายถึง %s หรือไม่? (did you mean %s?)", quoteOr(u.Suggestions, "หรือ"), quoteOr(u.Suggestions, "or"))
		}
		parts = append(parts, p)
	}
	e := apperr.New(apperr.Invalid, "ไม่พบหน่วยงานเป้าหมายต่อไปนี้ (unknown targets): %s", strings.Join(parts, "; "))
	e.Field = unknown[0].Field
	return e.WithDetails(map[string]any{"unknown_targets": unknown})
}

// quoteOr writes names quoted and joined by or: "a", "b" or "c".
func quoteOr(names []string, or string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " " + or + " " + q[len(q)-1]
}

// ResolveMembers turns names of provinces (Thai or English, typos
// suggested) or unit codes into unit codes, sorted and without repeats,
// for a named target set. Every name that matches nothing is reported at
// once as one apperr.Invalid naming field[i] with its closest real names.
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
			unknown = append(unknown, ix.unknownProvince(fmt.Sprintf("%s[%d]", field, i), m))
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

// unknownName reports value at field as naming nothing, with the
// candidates closest to it as suggestions, best first (thainame.Suggest:
// never none while there are candidates).
func unknownName(field, value string, candidates []string) UnknownTarget {
	u := UnknownTarget{Field: field, Value: value, Suggestions: thainame.Suggest(value, candidates, thainame.DefaultSuggestions)}
	if len(u.Suggestions) > 0 {
		u.Suggestion = u.Suggestions[0]
	}
	return u
}

// unknownProvince is unknownName over the province names: the Thai names,
// or the English ones for a name written in Latin letters.
func (ix *unitIndex) unknownProvince(field, value string) UnknownTarget {
	if isLatin(value) {
		return unknownName(field, value, ix.nameListEN)
	}
	return unknownName(field, value, ix.nameList)
}

// isLatin reports whether s has a Latin letter and no Thai one.
func isLatin(s string) bool {
	latin := false
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Thai, r):
			return false
		case unicode.Is(unicode.Latin, r):
			latin = true
		}
	}
	return latin
}
