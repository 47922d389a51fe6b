package letters

import (
	"regexp"
	"strings"

	"github.com/tidtam/tidtam/internal/directives/request"
	"github.com/tidtam/tidtam/internal/thainame"
)

// knownBodies are names of issuing bodies the issue endpoint knows
// (request.IssuerCode), found inside a longer name on a letter's head
// ("สำนักงานปลัดกระทรวงมหาดไทย" is the Ministry of Interior's).
var knownBodies = []string{
	"สำนักงานคณะกรรมการป้องกันและปราบปรามยาเสพติด", "สำนักงาน ป.ป.ส.", "ศปก.ครส.",
	"สำนักนายกรัฐมนตรี", "กระทรวงมหาดไทย",
}

// sourceOf is the source of a letter by its issuer code; a province's
// code gives "province".
var sourceOf = map[string]string{"MOI": "ministry", "PM": "prime_minister", "ONCB": "oncb"}

// provincePrefixes name a province's own bodies before its name.
var provincePrefixes = []string{"ศาลากลางจังหวัด", "ศอ.ปส.จ.", "ศูนย์อำนวยการป้องกันและปราบปรามยาเสพติดจังหวัด", "จังหวัด"}

// docPrefixRE takes the letters before the first digit of a document
// number ("ที่ มท ๐๓๑๑.๓/ว ๑๗๕๗" → "มท").
var docPrefixRE = regexp.MustCompile(`^ที่\s*([^0-9๐-๙]+)`)

// issuer sets the issuing body and, from it, the draft's issuer and
// source: a body the endpoint knows by name, a province (its own name on
// the first line, e.g. "ศาลากลางจังหวัดตรัง"), or else the document
// number's prefix ("มท" for a department of the Ministry of Interior).
// An issuer not found is left empty with a warning.
func (p *parser) issuer(body []segment) {
	d := &p.out.Draft
	for _, s := range body {
		p.out.IssuingBody = append(p.out.IssuingBody, s.text)
	}
	name, n := "", 0
	if len(body) > 0 {
		name, n = body[0].text, body[0].n
	}
	code := ""
	if c, ok := request.IssuerCode(name); ok {
		code = c
	}
	for _, b := range knownBodies {
		if code == "" && strings.Contains(strings.Join(strings.Fields(name), ""), strings.ReplaceAll(b, " ", "")) {
			code, _ = request.IssuerCode(b)
		}
	}
	if code == "" {
		if prov, ok := p.ix.provinceOfBody(name); ok {
			d.Issuer, d.Source = prov.Code, "province"
			return
		}
	}
	if code == "" {
		if m := docPrefixRE.FindStringSubmatch(d.DocNumber); m != nil {
			prefix := strings.TrimRight(strings.TrimSpace(m[1]), " .")
			if c, ok := request.IssuerCode(prefix); ok {
				code = c
				p.warn("issuer", n, "ไม่รู้จักหน่วยงาน %q ใช้ผู้ออกหนังสือ %s ตามรหัสเลขที่หนังสือ %q (issuing body not known: issuer %s taken from the document number's prefix)", name, code, prefix, code)
			}
		}
	}
	if code == "" {
		d.Source = "ministry"
		if name == "" {
			p.warn("issuer", n, "ไม่พบหน่วยงานผู้ออกหนังสือ กรุณาระบุรหัส เช่น MOI หรือรหัสหน่วยงาน (no issuing body found: give a code such as MOI or a unit code)")
		} else {
			p.warn("issuer", n, "ไม่รู้จักหน่วยงาน %q กรุณาระบุรหัสผู้ออกหนังสือ เช่น MOI, ONCB, PM หรือรหัสภาษาอังกฤษสั้น ๆ และตรวจแหล่งที่มา (ministry) (unknown issuing body: give an issuer code, such as MOI, ONCB, PM or a short ASCII code, and check the source)", name)
		}
		return
	}
	d.Issuer, d.Source = code, sourceOf[code]
}

// provinceOfBody finds the province whose own body name is (a province
// prefix then its name), as in "ศาลากลางจังหวัดตรัง".
func (ix *index) provinceOfBody(name string) (Name, bool) {
	compact := strings.Join(strings.Fields(name), "")
	for _, pre := range provincePrefixes {
		i := strings.Index(compact, strings.ReplaceAll(pre, " ", ""))
		if i < 0 {
			continue
		}
		rest := compact[i+len(strings.ReplaceAll(pre, " ", "")):]
		for _, pr := range ix.names.Provinces {
			if pr.NameTH != "" && strings.HasPrefix(rest, pr.NameTH) {
				return pr, true
			}
		}
	}
	if pr, ok := ix.province[thainame.Normalize(name)]; ok {
		return pr, true
	}
	return Name{}, false
}
