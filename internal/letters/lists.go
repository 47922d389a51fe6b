package letters

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/internal/thainame"
)

// kindBeforeRE finds what a "ได้แก่" lists, in the words just before it:
// "(จำนวน) ๑๐ จังหวัด", "จังหวัดเป้าหมาย", "๓ อำเภอ".
var kindBeforeRE = regexp.MustCompile(`(?:([0-9๐-๙]{1,3})\s*)?(จังหวัด|อำเภอ)[^\s]{0,24}\s*$`)

// tokenRE splits a list into names: spaces, commas and the Thai
// enumeration comma separate them.
var tokenRE = regexp.MustCompile(`[^\s,、;]+`)

// listStops are words that cannot be a place's name: a list without a
// count or a "และ" ends before the first of them.
var listStops = []string{"ให้", "โดย", "เพื่อ", "ซึ่ง", "ทั้งนี้", "ดำเนิน", "จัด", "ร่วม", "ที่", "เป็น", "ตาม", "รวม", "มี", "ใน", "ของ", "และให้"}

// placeList is one list of places found in an item.
type placeList struct {
	district bool // the list names districts, not provinces
	count    int  // the count the letter gives, 0 when none
	// weak: only a word before "ได้แก่" says places follow ("หน่วยงาน
	// ระดับจังหวัด ได้แก่ …"), so the first name must be a place's.
	weak  bool
	line  int
	names []listed
}

// listed is one name of a list: as written (without จังหวัด / อำเภอ),
// the line it is on and, for a province's own name, that name (Thai).
type listed struct {
	name, known string
	line        int
}

// lists finds the lists of provinces and districts in an item's text: a
// "ได้แก่" after "N จังหวัด" or "N อำเภอ", or followed by จังหวัด… / อำเภอ….
// A list runs until the name after "และ", the count the letter gives, or
// a word that cannot be a name.
func lists(t text) []placeList {
	var out []placeList
	s := t.text
	for off := 0; ; {
		i := strings.Index(s[off:], "ได้แก่")
		if i < 0 {
			return out
		}
		at := off + i
		off = at + len("ได้แก่")
		after := strings.TrimLeft(s[off:], " :")
		l := placeList{line: t.lineAt(at)}
		before := kindBeforeRE.FindStringSubmatch(s[max(0, at-120):at])
		if before != nil && before[1] != "" {
			l.count, _ = thaidate.ParseInt(before[1])
		}
		switch {
		case strings.HasPrefix(after, "เขตตรวจราชการ"):
			continue // regions, read elsewhere
		case hasAnyPrefix(after, []string{"จังหวัด", "จ."}):
		case hasAnyPrefix(after, []string{"อำเภอ", "อ.", "เขต"}):
			l.district = true
		case before == nil:
			continue
		default:
			l.district = before[2] == "อำเภอ"
			l.weak = l.count == 0
		}
		prefixes := []string{"จังหวัด", "จ."}
		if l.district {
			prefixes = []string{"อำเภอ", "อ.", "เขต"}
		}
		base := len(s) - len(after)
		andNext := false
		for _, loc := range tokenRE.FindAllStringIndex(after, 2*maxNames+10) {
			tok := after[loc[0]:loc[1]]
			last := andNext
			if tok == "และ" {
				andNext = true
				continue
			}
			if rest, ok := strings.CutPrefix(tok, "และ"); ok {
				tok, last = rest, true
			}
			for _, p := range prefixes {
				tok = strings.TrimPrefix(tok, p)
			}
			tok = strings.Trim(tok, "()\"'“”.")
			if tok == "" {
				continue
			}
			if !last && len(l.names) > 0 && l.count == 0 && hasAnyPrefix(tok, listStops) {
				break
			}
			l.names = append(l.names, listed{name: tok, line: t.lineAt(base + loc[0])})
			if last || (l.count > 0 && len(l.names) == l.count) || len(l.names) >= maxNames {
				break
			}
		}
		if len(l.names) > 0 {
			out = append(out, l)
		}
	}
}

// resolveList adds the names of one list to item k's targets: provinces
// by their Thai name, districts by unit code; a name that matches nothing
// (or, for a district, more than one district of the item's provinces)
// stays as written and is reported with the closest real ones.
func (p *parser) resolveList(k int, l placeList, tg *itemTargets) {
	if l.weak && !p.placeLike(l.names[0].name, l.district) {
		return
	}
	part := fmt.Sprintf("items[%d].targets", k)
	if l.count > 0 && l.count != len(l.names) {
		p.warn(part, l.line, "หนังสือระบุ %s แห่ง แต่พบรายชื่อ %s แห่ง (the letter says %d, the list has %d names)", thaiNumber(l.count), thaiNumber(len(l.names)), l.count, len(l.names))
	}
	for _, n := range l.names {
		if l.district {
			p.resolveDistrict(part, n, tg)
			continue
		}
		if pr, ok := p.ix.province[thainame.Normalize(n.name)]; ok {
			tg.addProvince(pr.NameTH)
			continue
		}
		if tg.addProvince(n.name) {
			p.out.UnknownNames = append(p.out.UnknownNames, UnknownName{
				Field: fmt.Sprintf("%s.provinces[%d]", part, len(tg.provinces)-1), Line: n.line, Value: n.name,
				Suggestions: p.ix.provinceTH.Suggest(n.name, thainame.DefaultSuggestions),
			})
		}
	}
}

// resolveDistrict adds one listed district: by name, within the item's
// provinces when the name is shared by several.
func (p *parser) resolveDistrict(part string, n listed, tg *itemTargets) {
	found := p.ix.district[districtKey(n.name)]
	if len(found) > 1 {
		var mine []Name
		for _, d := range found {
			if tg.mentions[d.Parent] {
				mine = append(mine, d)
			}
		}
		if len(mine) > 0 {
			found = mine
		}
	}
	if len(found) == 1 {
		tg.addUnit(found[0].Code)
		return
	}
	if !tg.addUnit(n.name) {
		return
	}
	u := UnknownName{Field: fmt.Sprintf("%s.units[%d]", part, len(tg.units)-1), Line: n.line, Value: n.name}
	if len(found) == 0 {
		for _, name := range p.ix.districtNames().Suggest(n.name, thainame.DefaultSuggestions) {
			found = append(found, p.ix.district[districtKey(name)]...)
		}
		found = found[:min(len(found), thainame.DefaultSuggestions)]
	}
	for _, d := range found {
		u.Suggestions = append(u.Suggestions, d.Code)
		u.Labels = append(u.Labels, p.ix.label(d))
	}
	if u.Suggestions == nil {
		u.Suggestions = []string{}
	}
	p.out.UnknownNames = append(p.out.UnknownNames, u)
}

// placeLike reports whether name is a province's (or a district's) name
// or near enough to one to be a misspelling (nearProvince).
func (p *parser) placeLike(name string, district bool) bool {
	if district {
		if len(p.ix.district[districtKey(name)]) > 0 {
			return true
		}
		_, score, ok := p.ix.districtNames().Best(name)
		return ok && score >= nearProvince
	}
	if _, ok := p.ix.province[thainame.Normalize(name)]; ok {
		return true
	}
	_, score, ok := p.ix.provinceTH.Best(name)
	return ok && score >= nearProvince
}
