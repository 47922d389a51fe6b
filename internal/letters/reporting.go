package letters

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/tidtam/tidtam/internal/directives/request"
	"github.com/tidtam/tidtam/internal/thaidate"
)

// systems are the ways a letter names each reporting system, with the
// name the issue endpoint takes (request.ReportSystem).
var systems = []struct {
	re   *regexp.Regexp
	name string
}{
	{regexp.MustCompile(`(?i)\bNISPA\b|ระบบสารสนเทศยาเสพติดจังหวัด`), "NISPA"},
	{regexp.MustCompile(`บสต\.?|ระบบข้อมูลการบำบัดรักษา\s*และ\s*[ฟพ]ื้นฟูผู้ติดยาเสพติด`), "บสต."},
	{regexp.MustCompile(`(?i)MOI\s*Drugs?\s*GIS|ระบบสารสนเทศกลางเพื่อการแก้ไขปัญหายาเสพติด`), "MOI Drugs GIS"},
}

// evidenceRE finds a request for photographs or documentary evidence of
// the work ("รายงานภาพ", "ภาพถ่าย", "พร้อมหลักฐาน"). "ภาพ" alone is not
// enough (สภาพ), nor "พยานหลักฐาน" (evidence of a crime).
var evidenceRE = regexp.MustCompile(`(?i)ภาพถ่าย|รูปภาพ|รูปถ่าย|รายงานภาพ|ภาพการ|ภาพประกอบ|ภาพกิจกรรม|หลักฐานการ|เอกสารหลักฐาน|หลักฐานประกอบ|พร้อมหลักฐาน|แนบหลักฐาน|แนบเอกสาร|พร้อมเอกสาร|\bphoto`)

// dueDateRE and dueWithinRE find an item's due: "ภายในวันที่ ๓๑ มกราคม
// ๒๕๖๘", "ภายในวันศุกร์ที่ ๒๘ มีนาคม ๒๕๖๘", "ภายใน ๑๕ วันทำการ".
// dueDaysRE finds a span in calendar days ("ภายใน ๗ วัน"), which the
// form cannot hold (its spans are working days): a warning asks for it.
var (
	dueDateRE   = regexp.MustCompile(`ภายใน(?:วัน(?:จันทร์|อังคาร|พุธ|พฤหัสบดี|พฤหัส|ศุกร์|เสาร์|อาทิตย์))?(?:วันที่|ที่)?\s*([0-9๐-๙]{1,2}\s*[ก-ฮะ-์.]+\s*(?:พ\.ศ\.)?\s*[0-9๐-๙]{2,4})`)
	dueWithinRE = regexp.MustCompile(`ภายใน\s*([0-9๐-๙]{1,3})\s*วันทำการ`)
	dueDaysRE   = regexp.MustCompile(`ภายใน\s*([0-9๐-๙]{1,3})\s*วัน`)
)

// reporting reads item k's reporting system (the first named; several
// named give a warning), whether it asks for photographs or evidence, and
// its due.
func (p *parser) reporting(k int, t text) {
	item := &p.out.Draft.Items[k]
	part := fmt.Sprintf("items[%d]", k)
	type found struct {
		at   int
		name string
	}
	var named []found
	for _, s := range systems {
		if loc := s.re.FindStringIndex(t.text); loc != nil {
			named = append(named, found{loc[0], s.name})
		}
	}
	sort.Slice(named, func(i, j int) bool { return named[i].at < named[j].at })
	if len(named) > 0 {
		item.ReportInto, _ = request.ReportSystem(named[0].name)
	}
	if len(named) > 1 {
		var all []string
		for _, n := range named {
			all = append(all, n.name)
		}
		list := strings.Join(all, ", ")
		p.warn(part+".report_into", t.lineAt(named[1].at), "ข้อ %s ระบุระบบรายงาน %s ระบบ (%s) ใช้ระบบแรก %s (item %d names %d reporting systems; the first, %s, is used)",
			thaiNumber(k+1), thaiNumber(len(named)), list, named[0].name, k+1, len(named), named[0].name)
	}
	item.EvidenceRequired = evidenceRE.MatchString(t.text)
	if m := dueDateRE.FindStringSubmatchIndex(t.text); m != nil {
		raw := t.text[m[2]:m[3]]
		due, err := thaidate.Parse(raw)
		switch {
		case err != nil:
			p.warn(part+".due_date", t.lineAt(m[0]), "อ่านวันครบกำหนด %q ไม่ได้ (cannot read the due date %q)", raw, raw)
		case p.out.Draft.IssueDate != "" && due.String() < p.out.Draft.IssueDate:
			p.warn(part+".due_date", t.lineAt(m[0]), "วันครบกำหนด %s อยู่ก่อนวันที่ของหนังสือ (the due date is before the letter's date)", thaidate.FormatBE(due))
			item.DueDate = due.String()
		default:
			item.DueDate = due.String()
		}
	} else if m := dueWithinRE.FindStringSubmatch(t.text); m != nil {
		item.DueWithin = thaidate.NormalizeDigits(m[1])
	} else if m := dueDaysRE.FindStringSubmatchIndex(t.text); m != nil {
		days := t.text[m[2]:m[3]]
		p.warn(part+".due_within", t.lineAt(m[0]), "ข้อ %s กำหนด %s วัน (วันปฏิทิน) กรุณาระบุเป็นวันทำการหรือวันที่ (item %d gives %s calendar days: give working days or a date)", thaiNumber(k+1), days, k+1, thaidate.NormalizeDigits(days))
	}
}
