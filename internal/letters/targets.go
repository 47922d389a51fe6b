package letters

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/tidtam/tidtam/internal/directives/request"
	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/internal/thainame"
)

// Level words. A centre's abbreviation or name with provinces' names
// right after it ("ศอ.ปส.จ.ตรัง", "ผู้ว่าราชการจังหวัดกาญจนบุรี ราชบุรี และ
// เพชรบุรี") is those provinces'; without one, every province's (or
// every district's) centre. The abbreviations are read with บ for ป too
// (ศอ.บส.จ.), a slip the seed letter makes, with a warning.
var (
	provinceCentreRE = regexp.MustCompile(`ศอ\.?\s*([ปบ])ส\.?\s*จ\.?|ศูนย์อำนวยการป้องกันและปราบปรามยาเสพติดจังหวัด|ผู้ว่าราชการจังหวัด`)
	districtCentreRE = regexp.MustCompile(`ศป\.?\s*([ปบ])ส\.?\s*อ\.?|ศูนย์ปฏิบัติการป้องกันและปราบปรามยาเสพติดอำเภอ|นายอำเภอ`)
	allProvincesRE   = regexp.MustCompile(`ทุกจังหวัด|ทั่วประเทศ|๗๗ จังหวัด|77 จังหวัด`)
	allDistrictsRE   = regexp.MustCompile(`ทุกอำเภอ`)
	regionRE         = regexp.MustCompile(`เขตตรวจราชการ\s*(?:ที่)?\s*([0-9๐-๙]{1,2})`)
	// orderedRE finds provinces told to act by name: "ให้จังหวัดX",
	// "ให้จังหวัดX, Y และจังหวัดZ".
	orderedRE = regexp.MustCompile(`ให้\s*(?:จังหวัด|จ\.)`)
)

// nearProvince is the least Similarity for a word in a run of province
// names that is no province's name to be taken for a misspelt one
// ("ให้จังหวัดดำเนินการ" orders every province; "ให้จังหวัดอุบลราชธานิ"
// one).
const nearProvince = 0.7

// itemTargets collects one item's targets.
type itemTargets struct {
	provinces, sets, units []string
	regions                []int
	// named are provinces named in runs (after a centre word or "ให้
	// จังหวัด"), to be added by addNamed.
	named         []listed
	allProvinces  bool // a province centre named without a province
	allDistricts  bool // a district centre named without a district
	everyProvince bool // "ทุกจังหวัด": every province, whatever else
	everyDistrict bool // "ทุกอำเภอ"
	// mentions are the province codes the text names ("จังหวัดตรัง"),
	// to tell apart districts of the same name.
	mentions map[string]bool
	// slips are the abbreviations read with บ for ป, each once, with
	// the line of its first use.
	slips []slip
}

// addProvince adds a province name once; false if it was there.
func (tg *itemTargets) addProvince(name string) bool {
	if slices.Contains(tg.provinces, name) {
		return false
	}
	tg.provinces = append(tg.provinces, name)
	return true
}

// addUnit adds a unit code once; false if it was there.
func (tg *itemTargets) addUnit(code string) bool {
	if slices.Contains(tg.units, code) {
		return false
	}
	tg.units = append(tg.units, code)
	return true
}

// specific reports whether places are named (not only every province's
// or district's centre).
func (tg *itemTargets) specific() bool {
	return len(tg.provinces) > 0 || len(tg.named) > 0 || len(tg.sets) > 0 || len(tg.units) > 0 || len(tg.regions) > 0
}

func (tg *itemTargets) empty() bool {
	return !tg.specific() && !tg.allProvinces && !tg.allDistricts && !tg.everyProvince && !tg.everyDistrict
}

// targets reads item k's targets from its wording: listed provinces and
// districts (lists.go), named target sets, inspection regions, provinces
// named after a centre or told to act ("ศอ.ปส.จ.ตรัง", "ให้จังหวัดราชบุรี,
// เพชรบุรี"), and the centres of every province or district (ศอ.ปส.จ.,
// ศป.ปส.อ., ทุกจังหวัด, ทุกอำเภอ). With places named, a centre word narrows
// to them: district centres then mean the districts of the provinces
// named. An item naming nobody is addressed as the paragraph leading to
// the items is, or else as the letter (เรียน), with a warning. A letter
// addressed to named provinces, or a province's own letter, narrows
// every province and district to its own (scope, ownProvince).
func (p *parser) targets(k int, t text) {
	part := fmt.Sprintf("items[%d].targets", k)
	tg := p.read(t)
	for _, l := range lists(t) {
		p.resolveList(k, l, &tg)
	}
	if tg.empty() {
		whatTH, whatEN := "ย่อหน้านำ", "the paragraph before the items"
		lead := p.read(p.lead)
		if lead.empty() {
			whatTH, whatEN = "คำขึ้นต้น เรียน", "the addressee"
			lead = p.read(p.addressee)
		}
		if lead.empty() {
			p.warn(part, t.lineAt(0), "ข้อ %s ไม่ได้ระบุหน่วยงานเป้าหมาย กรุณาเลือก (item %d names no target units: choose them)", thaiNumber(k+1), k+1)
		} else {
			p.warn(part, t.lineAt(0), "ข้อ %s ไม่ได้ระบุหน่วยงานเป้าหมาย ใช้ตาม%s (item %d names no target units: taken from %s)", thaiNumber(k+1), whatTH, k+1, whatEN)
			tg, tg.slips = lead, nil
		}
	}
	p.addNamed(part, tg.named, &tg)
	for _, s := range tg.slips {
		p.warn(part, s.line, "อ่าน %q เป็น %q (read %q as %q)", s.word, fixSlip(s.word), s.word, fixSlip(s.word))
	}
	specific := tg.specific()
	if !specific && !tg.everyProvince && p.scopeOf(k, t, &tg) {
		specific = true
	}
	out := &p.out.Draft.Items[k].Targets
	out.Provinces = tg.provinces
	out.Sets = tg.sets
	out.Regions = tg.regions
	out.Units = tg.units
	out.AllProvinces = tg.everyProvince || (tg.allProvinces && !specific)
	out.AllDistricts = tg.everyDistrict || (tg.allDistricts && !specific)
	out.DistrictsOfProvinces = tg.allDistricts && specific && !out.AllDistricts
	p.ownProvince(k, t, out)
	if len(out.Provinces) > maxNames {
		p.warn(part+".provinces", t.lineAt(0), "รายชื่อจังหวัดเกิน %d ชื่อ (more than %d provinces)", maxNames, maxNames)
	}
}

// scopeOf narrows an item that names every province's or district's
// centre, and no place, to the provinces the letter is addressed to when
// the addressee names them ("เรียน ผู้ว่าราชการจังหวัดกาญจนบุรี ราชบุรี …");
// it reports whether it did.
func (p *parser) scopeOf(k int, t text, tg *itemTargets) bool {
	if !tg.allProvinces && !tg.allDistricts && !tg.everyDistrict {
		return false
	}
	if p.to == nil {
		to := p.read(p.addressee)
		p.to = &to
	}
	to := *p.to
	if to.everyProvince || len(to.named) == 0 {
		return false
	}
	part := fmt.Sprintf("items[%d].targets", k)
	p.addNamed(part, to.named, tg)
	if tg.everyDistrict {
		tg.everyDistrict, tg.allDistricts = false, true
	}
	p.warn(part, t.lineAt(0), "หนังสือถึง %s จังหวัด: ศูนย์ทุกจังหวัดและทุกอำเภอ อ่านเป็นของจังหวัดเหล่านั้น (the letter is addressed to %d provinces: every centre read as theirs)", thaiNumber(len(to.named)), len(to.named))
	return true
}

// addNamed adds provinces named in runs; a near name (misspelt) stays as
// written and is reported with the closest real names.
func (p *parser) addNamed(part string, named []listed, tg *itemTargets) {
	for _, n := range named {
		if n.known != "" {
			tg.addProvince(n.known)
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

// read finds the targets a text names, other than lists.
func (p *parser) read(t text) itemTargets {
	s := t.text
	tg := itemTargets{mentions: map[string]bool{}}
	if strings.TrimSpace(s) == "" {
		return tg
	}
	c := compact(s)
	for _, set := range p.ix.names.Sets {
		for _, name := range []string{set.NameTH, set.Code} {
			if n := compact(name); len([]rune(n)) >= 3 && strings.Contains(c, n) && !slices.Contains(tg.sets, set.Code) {
				tg.sets = append(tg.sets, set.Code)
			}
		}
	}
	for _, m := range regionRE.FindAllStringSubmatch(s, -1) {
		if r, err := thaidate.ParseInt(m[1]); err == nil && r >= 0 && r <= 18 && !slices.Contains(tg.regions, r) {
			tg.regions = append(tg.regions, r)
		}
	}
	for _, loc := range provinceCentreRE.FindAllStringSubmatchIndex(s, -1) {
		tg.slip(t, loc)
		if run := p.run(t, loc[1]); len(run) > 0 {
			tg.named = append(tg.named, run...)
			continue
		}
		tg.allProvinces = true
	}
	for _, loc := range orderedRE.FindAllStringIndex(s, -1) {
		tg.named = append(tg.named, p.run(t, loc[1])...)
	}
	for _, loc := range districtCentreRE.FindAllStringSubmatchIndex(s, -1) {
		tg.slip(t, loc)
		tg.allDistricts = true
	}
	tg.everyProvince = allProvincesRE.MatchString(s)
	tg.everyDistrict = allDistrictsRE.MatchString(s)
	for i := 0; ; {
		j := strings.Index(s[i:], "จังหวัด")
		if j < 0 {
			break
		}
		i += j + len("จังหวัด")
		if pr, ok := p.provinceAt(s[i:]); ok {
			tg.mentions[pr.Code] = true
		}
	}
	for _, n := range tg.named {
		if pr, ok := p.ix.province[thainame.Normalize(n.known)]; ok {
			tg.mentions[pr.Code] = true
		}
	}
	return tg
}

// run reads the province names t names from byte offset at on, as they
// follow a centre word or "ให้จังหวัด": "ตรัง", "ราชบุรี, เพชรบุรี",
// "กาญจนบุรี ราชบุรี เพชรบุรี และประจวบคีรีขันธ์". Each is a province's
// name (with or without จังหวัด / จ.), or one near enough to be a misspelt
// one (nearProvince); the run ends at any other word, after the name
// following "และ", or at a name with more text stuck to it.
func (p *parser) run(t text, at int) []listed {
	rest := t.text[at:]
	var out []listed
	andNext := false
	for _, loc := range tokenRE.FindAllStringIndex(rest, 2*maxNames) {
		tok := rest[loc[0]:loc[1]]
		last := andNext
		if tok == "และ" {
			andNext = true
			continue
		}
		if r, ok := strings.CutPrefix(tok, "และ"); ok {
			tok, last = r, true
		}
		for _, pre := range []string{"จังหวัด", "จ."} {
			tok = strings.TrimPrefix(tok, pre)
		}
		tok = strings.Trim(tok, "()\"'“”.")
		if tok == "" {
			continue
		}
		line := t.lineAt(at + loc[0])
		if pr, ok := p.ix.province[thainame.Normalize(tok)]; ok {
			out = append(out, listed{name: tok, known: pr.NameTH, line: line})
		} else if pr, ok := p.provinceAt(tok); ok {
			// "ตรังดำเนินการ": the sentence goes on.
			return append(out, listed{name: pr.NameTH, known: pr.NameTH, line: line})
		} else if _, score, ok := p.ix.provinceTH.Best(tok); ok && score >= nearProvince {
			out = append(out, listed{name: tok, line: line})
		} else {
			return out
		}
		if last || len(out) >= maxNames {
			return out
		}
	}
	return out
}

// slip is an abbreviation written with บ for ป and the line it is on.
type slip struct {
	word string
	line int
}

// slip records an abbreviation of t written with บ for ป (loc from
// FindAllStringSubmatchIndex, group 1 the letter).
func (tg *itemTargets) slip(t text, loc []int) {
	if loc[2] < 0 || t.text[loc[2]:loc[3]] != "บ" {
		return
	}
	w := strings.Join(strings.Fields(t.text[loc[0]:loc[1]]), "")
	for _, s := range tg.slips {
		if s.word == w {
			return
		}
	}
	tg.slips = append(tg.slips, slip{w, t.lineAt(loc[0])})
}

func fixSlip(s string) string { return strings.Replace(s, "บส", "ปส", 1) }

// provinceAt returns the province whose Thai name s starts with (after
// spaces), the longest if several.
func (p *parser) provinceAt(s string) (Name, bool) {
	s = strings.TrimLeft(s, " ")
	var best Name
	for _, pr := range p.ix.names.Provinces {
		if pr.NameTH != "" && strings.HasPrefix(s, pr.NameTH) && len(pr.NameTH) > len(best.NameTH) {
			best = pr
		}
	}
	return best, best.NameTH != ""
}

// ownProvince reads a province's own letter: its centres of every
// province and every district are itself and its own districts.
func (p *parser) ownProvince(k int, t text, out *request.Targets) {
	own, ok := p.ix.byCode[p.out.Draft.Issuer]
	if p.out.Draft.Source != "province" || !ok || (!out.AllProvinces && !out.AllDistricts) {
		return
	}
	part := fmt.Sprintf("items[%d].targets", k)
	if out.AllProvinces {
		out.AllProvinces = false
		if !slices.Contains(out.Provinces, own.NameTH) {
			out.Provinces = append(out.Provinces, own.NameTH)
		}
		p.warn(part, t.lineAt(0), "หนังสือของจังหวัด%s: ศอ.ปส.จ. อ่านเป็นศูนย์ของจังหวัด%sเอง (a province's letter: the province centre read as %s's own)", own.NameTH, own.NameTH, own.NameEN)
	}
	if out.AllDistricts {
		out.AllDistricts = false
		for _, d := range p.ix.children[own.Code] {
			if !slices.Contains(out.Units, d.Code) {
				out.Units = append(out.Units, d.Code)
			}
		}
		p.warn(part, t.lineAt(0), "หนังสือของจังหวัด%s: ศป.ปส.อ. ทุกอำเภอ อ่านเป็นอำเภอในจังหวัด%s %s อำเภอ (a province's letter: every district centre read as the %d districts of %s)", own.NameTH, own.NameTH, thaiNumber(len(p.ix.children[own.Code])), len(p.ix.children[own.Code]), own.NameEN)
	}
}
