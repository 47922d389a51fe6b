package letters

import (
	"strings"

	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/internal/thainame"
)

// index is Names looked up by normalised name.
type index struct {
	names Names
	// province maps a province's normalised Thai name, English name and
	// code to it; provinceTH has the Thai names for suggestions.
	province   map[string]Name
	provinceTH *thainame.Names
	// district maps a district's normalised Thai name (without อำเภอ or
	// เขต) to every district of that name; districtList has the names,
	// prepared for suggestions on first use (districtTH).
	district     map[string][]Name
	districtList []string
	districtTH   *thainame.Names
	byCode       map[string]Name
	// children lists each province's districts by the province's code.
	children map[string][]Name
}

func newIndex(names Names) *index {
	ix := &index{names: names, province: map[string]Name{}, district: map[string][]Name{}, byCode: map[string]Name{}, children: map[string][]Name{}}
	var provinceTH []string
	for _, p := range names.Provinces {
		for _, k := range []string{p.NameTH, p.NameEN, p.Code} {
			if k != "" {
				ix.province[thainame.Normalize(k)] = p
			}
		}
		provinceTH = append(provinceTH, p.NameTH)
		ix.byCode[p.Code] = p
	}
	for _, d := range names.Districts {
		k := districtKey(d.NameTH)
		if len(ix.district[k]) == 0 {
			ix.districtList = append(ix.districtList, d.NameTH)
		}
		ix.district[k] = append(ix.district[k], d)
		ix.byCode[d.Code] = d
		ix.children[d.Parent] = append(ix.children[d.Parent], d)
	}
	ix.provinceTH = thainame.NewNames(provinceTH)
	return ix
}

// districtNames returns the district names prepared for suggestions,
// preparing them on first use (most letters list no district).
func (ix *index) districtNames() *thainame.Names {
	if ix.districtTH == nil {
		ix.districtTH = thainame.NewNames(ix.districtList)
	}
	return ix.districtTH
}

// districtKey normalises a district's name without the prefixes อำเภอ,
// อ. and เขต.
func districtKey(s string) string {
	s = thainame.Normalize(s)
	for _, p := range []string{"อำเภอ", "อ.", "เขต"} {
		s = strings.TrimSpace(strings.TrimPrefix(s, p))
	}
	return s
}

// label names a district for a person: "กันตัง (ตรัง)".
func (ix *index) label(d Name) string {
	if p, ok := ix.byCode[d.Parent]; ok {
		return d.NameTH + " (" + p.NameTH + ")"
	}
	return d.NameTH
}

// compact folds s for finding one name inside a text: Arabic digits, no
// spaces, lower case.
func compact(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(thaidate.NormalizeDigits(s)), ""))
}
