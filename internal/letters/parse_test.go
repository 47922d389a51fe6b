package letters_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tidtam/tidtam/internal/letters"
)

// TestParseIsUnmovedByPasting checks that the ways a pasted letter
// differs from its file leave the result unchanged: Windows line ends, a
// byte-order mark, zero-width spaces, no-break spaces and the PDF form of
// ำ (nikhahit then sara aa).
func TestParseIsUnmovedByPasting(t *testing.T) {
	names := testNames()
	text := readLetter(t, "moi-letter-0311.3-w1757.txt")
	want := letters.Parse(text, names)
	pasted := "\uFEFF" + strings.NewReplacer("\n", "\r\n", "ปราบปราม", "ปราบ\u200Bปราม", "ที่ มท", "ที่\u00A0มท", "ำ", "\u0E4D\u0E32").Replace(text)
	got := letters.Parse(pasted, names)
	if !reflect.DeepEqual(got, want) {
		a, _ := json.Marshal(got)
		b, _ := json.Marshal(want)
		t.Fatalf("pasted text parses differently:\n%s\nwant\n%s", a, b)
	}
}

// TestParseOddInput: empty, blank, and text that is no letter all give a
// draft with empty lists (never null) and warnings naming what is
// missing; nothing panics.
func TestParseOddInput(t *testing.T) {
	names := testNames()
	for _, tc := range []struct {
		name, text string
		parts      []string
	}{
		{"empty", "", []string{"doc_number", "issue_date", "issuer", "subject", "items"}},
		{"blank", " \n\t\n ", []string{"doc_number", "issue_date", "subject", "items"}},
		{"prose", "สวัสดีครับ ขอสอบถามเรื่องการประชุม", []string{"doc_number", "issue_date", "subject"}},
		{"only a number", "ที่ มท ๐๓๑๑.๓/ว ๑", []string{"issue_date", "subject", "items"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := letters.Parse(tc.text, names)
			b, _ := json.Marshal(l)
			if strings.Contains(string(b), "null") {
				t.Errorf("null in %s", b)
			}
			got := map[string]bool{}
			for _, w := range l.Warnings {
				got[w.Part] = true
				if !strings.Contains(w.Message, "(") {
					t.Errorf("warning %q is not bilingual", w.Message)
				}
			}
			for _, p := range tc.parts {
				if !got[p] {
					t.Errorf("no warning on %s: %s", p, b)
				}
			}
			if l.Draft.Urgency != "normal" || l.Draft.Source == "" {
				t.Errorf("urgency %q, source %q: want the defaults", l.Draft.Urgency, l.Draft.Source)
			}
		})
	}
}

// TestParseWithoutNumberedItems: a letter asking one thing, in a
// paragraph without a number, gets it as item 1, with a warning.
func TestParseWithoutNumberedItems(t *testing.T) {
	text := "ด่วน\nที่ มท ๐๘๑๖.๓/ว ๕๕\nกระทรวงมหาดไทย\n๒ มกราคม ๒๕๖๘\nเรื่อง ขอให้รายงานผล\nเรียน ผู้ว่าราชการจังหวัด ทุกจังหวัด\n\n" +
		"ตามที่กระทรวงมหาดไทยได้มีหนังสือ นั้น\n\nจึงขอให้ ศอ.ปส.จ. รายงานผลการดำเนินงานในระบบ NISPA ภายใน ๕ วันทำการ\n\nจึงเรียนมาเพื่อโปรดดำเนินการ\n"
	l := letters.Parse(text, testNames())
	if len(l.Draft.Items) != 1 {
		t.Fatalf("items: %+v", l.Draft.Items)
	}
	it := l.Draft.Items[0]
	if !strings.HasPrefix(it.Text, "จึงขอให้") || !it.Targets.AllProvinces || it.ReportInto != "NISPA" || it.DueWithin != "5" {
		t.Errorf("item: %+v", it)
	}
	if l.Warnings[0].Part != "items" || l.Warnings[0].Line != 10 {
		t.Errorf("warnings: %+v", l.Warnings)
	}
}

// TestParseBoundsTheDraft: what the issue endpoint would refuse for its
// size is cut, with a warning.
func TestParseBoundsTheDraft(t *testing.T) {
	long := strings.Repeat("ก", 12000)
	text := "ที่ มท ๑/๒\nกระทรวงมหาดไทย\n๒ มกราคม ๒๕๖๘\nเรื่อง " + strings.Repeat("ข", 600) + "\nเรียน ผู้ว่าราชการจังหวัด ทุกจังหวัด\n\nจึงขอให้ ศอ.ปส.จ. ดำเนินการ ดังนี้\n\n๑. " + long + "\n"
	l := letters.Parse(text, testNames())
	if n := utf8.RuneCountInString(l.Draft.Subject); n != 500 {
		t.Errorf("subject: %d characters", n)
	}
	if n := utf8.RuneCountInString(l.Draft.Items[0].Text); n != 10000 {
		t.Errorf("item text: %d characters", n)
	}
	parts := map[string]bool{}
	for _, w := range l.Warnings {
		parts[w.Part] = true
	}
	if !parts["subject"] || !parts["items[0].text"] {
		t.Errorf("warnings: %+v", l.Warnings)
	}
}

// FuzzParse: any text parses without a panic into a draft within the
// issue endpoint's limits, every unknown name with suggestions.
func FuzzParse(f *testing.F) {
	names := testNames()
	for _, name := range []string{"moi-letter-0311.3-w1757.txt", "trang-memo-district-list.txt", "moph-letter-unseen.txt"} {
		f.Add(readLetter(f, name))
	}
	f.Add("ที่ มท ๑/๒ วันที่ ๓๑ ก.พ. ๖๘\nเรื่อง\n๑. ได้แก่ จังหวัด และ\n(๑) ให้จังหวัด")
	f.Fuzz(func(t *testing.T, text string) {
		l := letters.Parse(text, names)
		if utf8.RuneCountInString(l.Draft.Subject) > 500 || utf8.RuneCountInString(l.Draft.Body) > 20000 || len(l.Draft.Items) > 100 && len(l.Warnings) == 0 {
			t.Fatalf("draft over its limits")
		}
		for i, it := range l.Draft.Items {
			if int(it.Number) != i+1 || utf8.RuneCountInString(it.Text) > 10000 {
				t.Fatalf("item %d: number %d, %d characters", i, it.Number, utf8.RuneCountInString(it.Text))
			}
		}
		for _, u := range l.UnknownNames {
			if len(u.Suggestions) == 0 {
				t.Fatalf("%s %q without suggestions", u.Field, u.Value)
			}
		}
	})
}

// TestParseOrderedProvinces: "ให้จังหวัด" followed by names is read as
// those provinces (a misspelt one flagged); followed by an ordinary word
// it names no province and nothing is flagged.
func TestParseOrderedProvinces(t *testing.T) {
	names := testNames()
	head := "ที่ มท ๑/๒\nกระทรวงมหาดไทย\n๒ มกราคม ๒๕๖๘\nเรื่อง ทดสอบ\nเรียน ผู้ว่าราชการจังหวัด ทุกจังหวัด\n\nจึงขอให้ ศอ.ปส.จ. ดำเนินการ ดังนี้\n\n"
	for _, word := range []string{"ดำเนินการ", "จัดทำแผน", "รายงานผล", "ที่ได้รับ", "ประสานงาน", "พิจารณา", "แจ้งหน่วยงาน", "กำชับ", "สั่งการ", "ตามแผน", "เป็นเจ้าภาพ", "ส่งข้อมูล"} {
		l := letters.Parse(head+"๑. ให้จังหวัด"+word+"ภายในเดือนนี้\n", names)
		if len(l.UnknownNames) != 0 || len(l.Draft.Items[0].Targets.Provinces) != 0 {
			t.Errorf("ให้จังหวัด%s: provinces %v, unknown %+v", word, l.Draft.Items[0].Targets.Provinces, l.UnknownNames)
		}
	}
	l := letters.Parse(head+"๑. ให้จังหวัดตรังดำเนินการ\n๒. ให้จังหวัดสตูล, จ.กระบี่ และจังหวัดพังาง จัดประชุม\n", names)
	if got := l.Draft.Items[0].Targets.Provinces; !reflect.DeepEqual(got, []string{"ตรัง"}) {
		t.Errorf("item 1: %v", got)
	}
	if got := l.Draft.Items[1].Targets.Provinces; !reflect.DeepEqual(got, []string{"สตูล", "กระบี่", "พังาง"}) {
		t.Errorf("item 2: %v", got)
	}
	if len(l.UnknownNames) != 1 || l.UnknownNames[0].Field != "items[1].targets.provinces[2]" || l.UnknownNames[0].Suggestions[0] != "พังงา" || l.UnknownNames[0].Line != 10 {
		t.Errorf("unknown: %+v", l.UnknownNames)
	}
}

// TestParseListsOfOtherThings: "ได้แก่" after a province-level word that
// lists offices, or before inspection regions, names no province and
// flags nothing.
func TestParseListsOfOtherThings(t *testing.T) {
	head := "ที่ มท ๑/๒\nกระทรวงมหาดไทย\n๒ มกราคม ๒๕๖๘\nเรื่อง ทดสอบ\nเรียน ผู้ว่าราชการจังหวัด ทุกจังหวัด\n\nจึงขอให้ ศอ.ปส.จ. ดำเนินการ ดังนี้\n\n"
	l := letters.Parse(head+"๑. ประสานหน่วยงานระดับจังหวัด ได้แก่ สำนักงานสาธารณสุขจังหวัด และตำรวจภูธรจังหวัด\n"+
		"๒. ให้จังหวัดในพื้นที่ ได้แก่ เขตตรวจราชการที่ ๘ รายงานผล\n", testNames())
	if len(l.UnknownNames) != 0 {
		t.Errorf("unknown: %+v", l.UnknownNames)
	}
	if it := l.Draft.Items[0].Targets; !it.AllProvinces || len(it.Provinces) != 0 {
		t.Errorf("item 1: %+v", it)
	}
	if it := l.Draft.Items[1].Targets; !reflect.DeepEqual(it.Regions, []int{8}) || len(it.Units) != 0 {
		t.Errorf("item 2: %+v", it)
	}
}
