package letters_test

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tidtam/tidtam/internal/directives/request"
	"github.com/tidtam/tidtam/internal/letters"
	"github.com/tidtam/tidtam/internal/refdata"
)

// testNames are the shipped provinces and districts and one target set,
// the pilot provinces, as the directive service would load them.
func testNames() letters.Names {
	var n letters.Names
	for _, p := range refdata.Provinces {
		n.Provinces = append(n.Provinces, letters.Name{Code: p.Code, NameTH: p.NameTH, NameEN: p.NameEN})
	}
	for _, d := range refdata.Districts() {
		n.Districts = append(n.Districts, letters.Name{Code: d.Code, NameTH: d.NameTH, NameEN: d.NameEN, Parent: d.ProvinceCode})
	}
	n.Sets = []letters.Name{{Code: "pilot-10", NameTH: "จังหวัดนำร่อง 10 จังหวัด"}}
	return n
}

func readLetter(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// wantLetter is what a person reading the letter would enter in the
// form: the truth each draft field is compared with.
type wantLetter struct {
	file, what                                                 string
	urgency, docNumber, docNorm, issuer, source, date, subject string
	addressee                                                  string
	enclosures                                                 int
	items                                                      []wantItem
	// misspelt are the names the letter misspells, by draft field, with
	// the real name meant.
	misspelt map[string]string
	// wrong are the fields Parse is known to get wrong (status "wrong" or
	// "warned"); the test fails when a field's status changes, so the
	// table in docs/LETTER_INTAKE.md stays true.
	wrong map[string]string
}

type wantItem struct {
	start, end string // the item text's first and last words
	targets    request.Targets
	reportInto string
	evidence   bool
	due        string // due_date, or "within N"
}

var wantLetters = []wantLetter{
	{
		file: "moi-letter-0311.3-w1757.txt", what: "the seed: Ministry of Interior, ด่วนที่สุด, items ๑.–๕., ten listed provinces with a typo",
		urgency: "most_urgent", docNumber: "ที่ มท ๐๓๑๑.๓/ว ๑๗๕๗", docNorm: "ที่ มท 0311.3/ว 1757", issuer: "MOI", source: "ministry",
		date: "2024-12-17", subject: "การขับเคลื่อนการดำเนินงานตามแผนปฏิบัติการป้องกัน ปราบปราม และแก้ไขปัญหายาเสพติด ปีงบประมาณ พ.ศ. ๒๕๖๘",
		addressee: "ผู้ว่าราชการจังหวัด/ผู้อำนวยการศูนย์อำนวยการป้องกันและปราบปรามยาเสพติดจังหวัด ทุกจังหวัด", enclosures: 2,
		items: []wantItem{
			{start: "บูรณาการร่วมกับหน่วยงาน", end: "เมื่อวันที่ ๑ พฤษภาคม ๒๕๖๗",
				targets: request.Targets{Provinces: []string{"ตรัง", "เชียงใหม่", "นครพนม", "นราธิวาส", "นครศรีธรรมราช", "ปทุมธานี", "ประจวบคีรีขันธ์", "ยะลา", "สงขลา", "อุทัยธานี"}}},
			{start: "การรายงานผลการดำเนินงาน", end: "ฐานข้อมูลยาเสพติดของจังหวัดต่อไป",
				targets: request.Targets{AllProvinces: true, AllDistricts: true}, reportInto: "NISPA"},
			{start: "การร้องเรียนการกระทำความผิด", end: "ที่มีอำนาจหน้าที่ดำเนินการต่อไป",
				targets: request.Targets{AllProvinces: true, AllDistricts: true}, reportInto: "MOI Drugs GIS", evidence: true},
			{start: "ด้านงบประมาณ", end: "และประโยชน์สูงสุด", targets: request.Targets{AllProvinces: true, AllDistricts: true}},
			{start: "การประชุมร่วมกับศูนย์ปฏิบัติการ", end: "เข้าร่วมประชุมดังกล่าว", targets: request.Targets{AllProvinces: true}},
		},
		misspelt: map[string]string{"items[0].targets.provinces[0]": "ตรัง"},
	},
	{
		file: "oncb-letter-arabic-items.txt", what: "ONCB, ด่วนมาก, number and issuing body side by side, อ้างถึง, items 1.–3. with sub-items 3.1–3.2, a named target set, dues",
		urgency: "very_urgent", docNumber: "ที่ ยธ ๐๖๐๕/ว ๔๑๒", docNorm: "ที่ ยธ 0605/ว 412", issuer: "ONCB", source: "oncb",
		date: "2025-01-08", subject: "การติดตามผลการบำบัดรักษาผู้เสพยาเสพติดในจังหวัดนำร่อง", addressee: "ผู้ว่าราชการจังหวัด ทุกจังหวัด", enclosures: 1,
		items: []wantItem{
			{start: "ให้จังหวัดนำร่อง 10 จังหวัด", end: "ภายในวันที่ 31 มกราคม 2568", targets: request.Targets{Sets: []string{"pilot-10"}}, reportInto: "บสต.", due: "2025-01-31"},
			{start: "ให้ ศอ.ปส.จ. ทุกจังหวัด", end: "พร้อมภาพถ่ายกิจกรรม", targets: request.Targets{AllProvinces: true}, reportInto: "NISPA", evidence: true, due: "within 15"},
			{start: "ให้ ศป.ปส.อ. ทุกอำเภอ", end: "รายงานจำนวนผู้ผ่านการคัดกรองทุกเดือน", targets: request.Targets{AllDistricts: true}},
		},
	},
	{
		file: "moj-letter-listed-provinces.txt", what: "Ministry of Justice (no issuer code), ด่วน, items (๑)–(๔), three listed provinces with their districts, an inspection region, three listed districts, an item naming nobody",
		urgency: "urgent", docNumber: "ที่ ยธ ๐๒๐๑/ว ๓๓", docNorm: "ที่ ยธ 0201/ว 33", issuer: "MOJ", source: "ministry",
		date: "2025-02-20", subject: "ขอความร่วมมือขับเคลื่อนมาตรการแก้ไขฟื้นฟูผู้ติดยาเสพติดในระดับพื้นที่", addressee: "ผู้ว่าราชการจังหวัด", enclosures: 2,
		items: []wantItem{
			{start: "ในพื้นที่ ๓ จังหวัดชายแดนภาคใต้", end: "ระดับอำเภอให้ครบทุกแห่ง",
				targets: request.Targets{Provinces: []string{"ปัตตานี", "ยะลา", "นราธิวาส"}, DistrictsOfProvinces: true}},
			{start: "ให้จังหวัดในเขตตรวจราชการที่ ๘", end: "รายงานผลในระบบ บสต.", targets: request.Targets{Regions: []int{8}}, reportInto: "บสต."},
			{start: "ให้อำเภอเป้าหมาย ๓ อำเภอ", end: "พร้อมส่งรูปภาพกิจกรรม", targets: request.Targets{Units: []string{"9202", "9205", "9204"}}, evidence: true},
			{start: "สรุปผลการดำเนินงานตามข้อ", end: "เพื่อทราบทุกไตรมาส", targets: request.Targets{AllProvinces: true}},
		},
		wrong: map[string]string{"issuer": "warned"},
	},
	{
		file: "pm-letter-misspelt-provinces.txt", what: "Prime Minister's office, ด่วนที่สุด, \"วันที่ … พ.ศ.\", six misspelt provinces in a list and in \"ให้จังหวัด…\"",
		urgency: "most_urgent", docNumber: "ที่ นร ๐๑๐๕/ว ๒๘๗", docNorm: "ที่ นร 0105/ว 287", issuer: "PM", source: "prime_minister",
		date: "2024-12-20", subject: "ข้อสั่งการนายกรัฐมนตรีในการประชุม ศปก.ครส. ครั้งที่ ๒/๒๕๖๗", addressee: "ผู้ว่าราชการจังหวัด ทุกจังหวัด", enclosures: 1,
		items: []wantItem{
			{start: "ให้จังหวัดชายแดนภาคเหนือ", end: "ในระบบ MOI Drugs GIS",
				targets:    request.Targets{Provinces: []string{"เชียงราย", "เชียงใหม่", "แม่ฮ่องสอน", "ตาก", "น่าน", "นครพนม", "บึงกาฬ", "หนองคาย"}, DistrictsOfProvinces: true},
				reportInto: "MOI Drugs GIS"},
			{start: "ให้ทุกจังหวัดจัดทำแผนปฏิบัติการ", end: "ภายในวันที่ ๑๕ มกราคม ๒๕๖๘", targets: request.Targets{AllProvinces: true}, reportInto: "NISPA", due: "2025-01-15"},
			{start: "ให้จังหวัดอุบลราชธานิ", end: "พร้อมภาพถ่ายการปฏิบัติ", targets: request.Targets{Provinces: []string{"อุบลราชธานี", "ศรีสะเกษ"}}, evidence: true},
		},
		misspelt: map[string]string{
			"items[0].targets.provinces[1]": "เชียงใหม่", "items[0].targets.provinces[2]": "แม่ฮ่องสอน", "items[0].targets.provinces[5]": "นครพนม",
			"items[0].targets.provinces[7]": "หนองคาย", "items[2].targets.provinces[0]": "อุบลราชธานี", "items[2].targets.provinces[1]": "ศรีสะเกษ",
		},
	},
	{
		file: "trang-memo-district-list.txt", what: "a province's memo (บันทึกข้อความ): ส่วนราชการ, number and date on one line, Arabic digits, no urgency, items 1)–3), a district list with a typo",
		urgency: "normal", docNumber: "ที่ ตง ๐๐๑๗.๓/๒๔๕", docNorm: "ที่ ตง 0017.3/245", issuer: "92", source: "province",
		date: "2025-02-14", subject: "การเตรียมความพร้อมรับการตรวจติดตามของคณะกรรมการ ศปก.ครส.", addressee: "นายอำเภอทุกอำเภอ",
		items: []wantItem{
			{start: "ให้ ศป.ปส.อ. ทุกอำเภอ", end: "ภายในวันที่ 28 กุมภาพันธ์ 2568", targets: request.Targets{Units: trangDistricts()}, reportInto: "บสต.", due: "2025-02-28"},
			{start: "ให้อำเภอที่เป็นพื้นที่ตรวจติดตาม", end: "พร้อมภาพถ่ายกิจกรรม", targets: request.Targets{Units: []string{"9201", "9202", "9206"}}, evidence: true},
			{start: "ให้ผู้แทน ศป.ปส.อ.", end: "ห้องประชุมศาลากลางจังหวัดตรัง", targets: request.Targets{Units: trangDistricts()}, due: "2025-03-05"},
		},
		misspelt: map[string]string{"items[1].targets.units[1]": "9202"},
		// Item 3 is a meeting "ในวันที่ 5 มีนาคม 2568": only "ภายใน…" is
		// read as a due.
		wrong: map[string]string{"items[2].due": "wrong"},
	},
	{
		file: "moph-letter-unseen.txt", what: "Ministry of Public Health, written after the parser as a blind test: centred date with double spaces, no blank lines, provinces listed in เรียน, items ๑.–๓. indented, a comma list, calendar-day and weekday dues",
		urgency: "most_urgent", docNumber: "ที่ สธ ๐๗๗๒.๓/ว ๑๐๕", docNorm: "ที่ สธ 0772.3/ว 105", issuer: "MOPH", source: "ministry",
		date: "2025-03-03", subject: "ขอความร่วมมือเร่งรัดการคัดกรองและส่งต่อผู้ใช้ยาเสพติดเข้ารับการบำบัดรักษา ในสถานพยาบาลยาเสพติด",
		addressee: "ผู้ว่าราชการจังหวัดกาญจนบุรี ราชบุรี เพชรบุรี และประจวบคีรีขันธ์", enclosures: 2,
		items: []wantItem{
			{start: "เร่งรัดการคัดกรองผู้ใช้ยาเสพติด", end: "นับแต่วันที่ได้รับหนังสือนี้",
				targets: request.Targets{Provinces: []string{"กาญจนบุรี", "ราชบุรี", "เพชรบุรี", "ประจวบคีรีขันธ์"}}, reportInto: "บสต.", due: "within 5"},
			{start: "ให้ศูนย์ปฏิบัติการป้องกันและปราบปรามยาเสพติดอำเภอ", end: "ประกอบการส่งต่อทุกราย",
				targets: request.Targets{Provinces: []string{"กาญจนบุรี", "ราชบุรี", "เพชรบุรี", "ประจวบคีรีขันธ์"}, DistrictsOfProvinces: true}, evidence: true},
			{start: "ให้จังหวัดราชบุรี, เพชรบุรี", end: "ภายในวันศุกร์ที่ ๒๘ มีนาคม ๒๕๖๘", targets: request.Targets{Provinces: []string{"ราชบุรี", "เพชรบุรี"}}, due: "2025-03-28"},
		},
		// "ภายใน ๗ วัน" counts calendar days; the form's spans are
		// working days, so it is left to the secretariat with a warning.
		wrong: map[string]string{"issuer": "warned", "items[0].due": "warned"},
	},
}

func trangDistricts() []string {
	var out []string
	for _, d := range refdata.Districts() {
		if d.ProvinceCode == "92" {
			out = append(out, d.Code)
		}
	}
	return out
}

// fieldResult is one field of one letter: right, warned (not what the
// letter means, but a warning names the part) or wrong.
type fieldResult struct {
	field, status, got, want string
}

// TestParseLetters parses every letter in testdata and compares each
// draft field with what the letter means, after replacing each flagged
// name with its first suggestion. Every field must come out as recorded
// (right unless listed in wrong); misspelt names must be flagged with the
// real name first. With TIDTAM_LETTER_REPORT set to a file, it writes the
// results as the Markdown tables of docs/LETTER_INTAKE.md.
func TestParseLetters(t *testing.T) {
	names := testNames()
	var parsed []parsedLetter
	for _, w := range wantLetters {
		t.Run(w.file, func(t *testing.T) {
			l := letters.Parse(readLetter(t, w.file), names)
			results := compareLetter(t, w, l)
			for _, r := range results {
				want := "right"
				if s, ok := w.wrong[r.field]; ok {
					want = s
				}
				if r.status != want {
					t.Errorf("%s: %s, recorded %s (got %s, want %s)", r.field, r.status, want, r.got, r.want)
				}
			}
			for f := range w.wrong {
				if !slices.ContainsFunc(results, func(r fieldResult) bool { return r.field == f }) {
					t.Errorf("wrong lists %s, which is not compared", f)
				}
			}
			parsed = append(parsed, parsedLetter{w, l, results})
		})
	}
	if out := os.Getenv("TIDTAM_LETTER_REPORT"); out != "" {
		if err := os.WriteFile(out, []byte(report(parsed)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// parsedLetter is one letter's outcome, for the report.
type parsedLetter struct {
	want    wantLetter
	letter  letters.Letter
	results []fieldResult
}

// compareLetter checks the unknown names of l against w.misspelt and
// returns the status of every field.
func compareLetter(t *testing.T, w wantLetter, l letters.Letter) []fieldResult {
	t.Helper()
	d := l.Draft
	flagged := map[string]letters.UnknownName{}
	for _, u := range l.UnknownNames {
		flagged[u.Field] = u
		if len(u.Suggestions) == 0 {
			t.Errorf("%s %q has no suggestions", u.Field, u.Value)
		}
		if _, ok := w.misspelt[u.Field]; !ok {
			t.Errorf("%s %q flagged, but it is not misspelt", u.Field, u.Value)
		}
	}
	for field, real := range w.misspelt {
		u, ok := flagged[field]
		switch {
		case !ok:
			t.Errorf("%s (should be %s) is not flagged", field, real)
		case u.Suggestions[0] != real:
			t.Errorf("%s %q: suggestions %v, want %s first", field, u.Value, u.Suggestions, real)
		}
	}
	applySuggestions(&d, l.UnknownNames)
	warned := map[string]bool{}
	for _, wr := range l.Warnings {
		warned[wr.Part] = true
	}
	var out []fieldResult
	add := func(field string, got, want any) {
		r := fieldResult{field: field, got: show(got), want: show(want), status: "right"}
		if !reflect.DeepEqual(got, want) {
			r.status = "wrong"
			for part := range warned {
				if part == field || strings.HasPrefix(field, part+".") || strings.HasPrefix(part, field) {
					r.status = "warned"
				}
			}
		}
		out = append(out, r)
	}
	add("urgency", d.Urgency, w.urgency)
	add("doc_number", d.DocNumber, w.docNumber)
	add("doc_number_norm", l.DocNumberNorm, w.docNorm)
	add("issuer", d.Issuer, w.issuer)
	add("source", d.Source, w.source)
	add("issue_date", d.IssueDate, w.date)
	add("subject", d.Subject, w.subject)
	add("addressee", l.Addressee, w.addressee)
	add("enclosures", len(l.Enclosures), w.enclosures)
	add("items", len(d.Items), len(w.items))
	for i, wi := range w.items {
		if i >= len(d.Items) {
			break
		}
		it := d.Items[i]
		f := fmt.Sprintf("items[%d]", i)
		text := strings.HasPrefix(it.Text, wi.start) && strings.HasSuffix(it.Text, wi.end)
		add(f+".text", text, true)
		add(f+".targets", normTargets(it.Targets), normTargets(wi.targets))
		add(f+".report_into", it.ReportInto, wi.reportInto)
		add(f+".evidence_required", it.EvidenceRequired, wi.evidence)
		due := it.DueDate
		if it.DueWithin != "" {
			due = "within " + it.DueWithin
		}
		add(f+".due", due, wi.due)
	}
	return out
}

// applySuggestions puts each unknown name's first suggestion in its place,
// as the secretariat would.
func applySuggestions(d *request.Directive, unknown []letters.UnknownName) {
	for _, u := range unknown {
		var item, n int
		var list string
		if _, err := fmt.Sscanf(strings.NewReplacer("[", " ", "]", " ", ".", " ").Replace(u.Field), "items %d targets %s %d", &item, &list, &n); err != nil {
			continue
		}
		tg := &d.Items[item].Targets
		switch list {
		case "provinces":
			tg.Provinces[n] = u.Suggestions[0]
		case "units":
			tg.Units[n] = u.Suggestions[0]
		}
	}
}

// normTargets makes empty lists nil, so that absent and empty compare
// equal.
func normTargets(t request.Targets) request.Targets {
	for _, l := range []*[]string{&t.Provinces, &t.Sets, &t.Units} {
		if len(*l) == 0 {
			*l = nil
		}
	}
	if len(t.Regions) == 0 {
		t.Regions = nil
	}
	return t
}

func show(v any) string {
	switch v := v.(type) {
	case string:
		return strconv.Quote(v)
	case request.Targets:
		var parts []string
		if v.AllProvinces {
			parts = append(parts, "all provinces")
		}
		if v.AllDistricts {
			parts = append(parts, "all districts")
		}
		if len(v.Provinces) > 0 {
			parts = append(parts, "provinces "+strings.Join(v.Provinces, " "))
		}
		if v.DistrictsOfProvinces {
			parts = append(parts, "their districts")
		}
		if len(v.Sets) > 0 {
			parts = append(parts, "sets "+strings.Join(v.Sets, " "))
		}
		if len(v.Regions) > 0 {
			parts = append(parts, fmt.Sprint("regions ", v.Regions))
		}
		if len(v.Units) > 0 {
			parts = append(parts, "units "+strings.Join(v.Units, " "))
		}
		return strings.Join(parts, "; ")
	}
	return fmt.Sprint(v)
}

// reportColumns are the report's summary columns: the draft's fields,
// the item fields counted over the items.
var reportColumns = []string{"urgency", "doc_number", "doc_number_norm", "issuer", "source", "issue_date", "subject", "addressee",
	"enclosures", "items", ".text", ".targets", ".report_into", ".evidence_required", ".due"}

// report writes the results: a summary table (a letter per row, a field
// per column), then each letter's fields not right, its misspelt names
// with their suggestions and its warnings.
func report(parsed []parsedLetter) string {
	var b strings.Builder
	b.WriteString("| letter | right |")
	for _, col := range reportColumns {
		if strings.HasPrefix(col, ".") {
			col = "items[]" + col
		}
		fmt.Fprintf(&b, " %s |", col)
	}
	b.WriteString("\n|---|---|" + strings.Repeat("---|", len(reportColumns)) + "\n")
	for _, p := range parsed {
		right := 0
		for _, r := range p.results {
			if r.status == "right" {
				right++
			}
		}
		fmt.Fprintf(&b, "| `%s` | %d/%d |", p.want.file, right, len(p.results))
		for _, col := range reportColumns {
			if !strings.HasPrefix(col, ".") {
				for _, r := range p.results {
					if r.field == col {
						fmt.Fprintf(&b, " %s |", mark(r.status))
					}
				}
				continue
			}
			n, ok := 0, 0
			var off []string
			for _, r := range p.results {
				if strings.HasPrefix(r.field, "items[") && strings.HasSuffix(r.field, col) {
					n++
					if r.status == "right" {
						ok++
					} else {
						off = append(off, mark(r.status)+" "+strings.TrimSuffix(r.field, col))
					}
				}
			}
			cell := fmt.Sprintf("%d/%d", ok, n)
			if len(off) > 0 {
				cell += " (" + strings.Join(off, ", ") + ")"
			}
			fmt.Fprintf(&b, " %s |", cell)
		}
		b.WriteString("\n")
	}
	b.WriteString("\nright: as the letter means it (after the first suggestion for a misspelt name); warned: not, and a warning names the field; wrong: not, and no warning.\n")
	for _, p := range parsed {
		fmt.Fprintf(&b, "\n### `%s`\n\n%s.\n\n", p.want.file, p.want.what)
		var off []fieldResult
		for _, r := range p.results {
			if r.status != "right" {
				off = append(off, r)
			}
		}
		if len(off) > 0 {
			b.WriteString("| field | result | draft | the letter means |\n|---|---|---|---|\n")
			for _, r := range off {
				fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", r.field, r.status, r.got, r.want)
			}
			b.WriteString("\n")
		}
		if len(p.letter.UnknownNames) > 0 {
			b.WriteString("| misspelt name | line | field | suggestions, best first |\n|---|---|---|---|\n")
			for _, u := range p.letter.UnknownNames {
				s := u.Suggestions
				if len(u.Labels) == len(s) {
					s = nil
					for i, c := range u.Suggestions {
						s = append(s, c+" "+u.Labels[i])
					}
				}
				fmt.Fprintf(&b, "| %s | %d | `%s` | %s |\n", u.Value, u.Line, u.Field, strings.Join(s, ", "))
			}
			b.WriteString("\n")
		}
		if len(p.letter.Warnings) == 0 {
			b.WriteString("No warnings.\n")
			continue
		}
		b.WriteString("Warnings:\n\n")
		for _, w := range p.letter.Warnings {
			fmt.Fprintf(&b, "* `%s`, line %d: %s\n", w.Part, w.Line, w.Message)
		}
	}
	return b.String()
}

func mark(status string) string {
	switch status {
	case "right":
		return "✓"
	case "warned":
		return "⚠"
	}
	return "✗"
}
