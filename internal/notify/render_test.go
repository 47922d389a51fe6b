package notify

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tidtam/tidtam/internal/thaidate"
)

// sampleData returns realistic notification data for kind, as the
// workflows store it (a JSON object of strings; the digest has a list).
func sampleData(t *testing.T, kind string) map[string]any {
	t.Helper()
	due := time.Date(2025, 1, 15, 9, 30, 0, 0, time.UTC) // 16:30 in Bangkok
	base := map[string]any{
		DataDirectiveID:  "ONCB-4f2a9c0d1e2b3a45",
		DataAssignmentID: "assignment/ONCB-4f2a9c0d1e2b3a45/20",
		DataUnitCode:     "20",
		DataUnitName:     "ศอ.ปส.จ.ชลบุรี",
		DataSubject:      "เร่งรัดการตรวจค้นแหล่งผลิตยาเสพติด",
		DataDocNumber:    "ที่ ยธ 0600/ว 123",
		DataUrgency:      "most_urgent",
		DataItem:         "2",
		DataCycle:        "1",
		DataItemText:     "รายงานผลการตรวจค้นทุกสัปดาห์",
		DataDueAt:        due.Format(time.RFC3339),
	}
	switch kind {
	case KindAssigned, KindAckOverdue:
		base[DataAckDueAt] = due.Format(time.RFC3339)
	case KindReminder:
		base[DataReminder] = "1"
	case KindOverdue:
		base[DataLevel] = "1"
	case KindEscalation:
		base[DataLevel] = "3"
		base[DataEscalationID] = "assignment/ONCB-4f2a9c0d1e2b3a45/20/2/1/3"
	case KindReturned:
		base[DataReason] = "ขาดภาพถ่ายประกอบ"
	case KindDueChanged:
		base[DataOldDueAt] = due.Add(-72 * time.Hour).Format(time.RFC3339)
		base[DataReason] = "ขยายตามคำขอของจังหวัด"
	case KindCycleOpened:
		base[DataCycle] = "3"
	case KindWithdrawn:
		base[DataReason] = "ออกข้อสั่งการฉบับใหม่แทน"
	case KindReported:
		base[DataActor] = "chonburi"
		base[DataReportText] = "ตรวจค้น 12 จุด จับกุม 3 ราย"
	case KindInspectorAction:
		base[DataAction] = "extend"
		base[DataActor] = "ผู้ตรวจราชการเขต 2"
		base[DataReason] = "น้ำท่วมพื้นที่"
		base[DataOldDueAt] = due.Add(-48 * time.Hour).Format(time.RFC3339)
	case KindMeetingNotice, KindRSVPReminder, KindMinutesReminder:
		base = map[string]any{
			DataMeetingID:    "M-2568-01",
			DataMeetingTitle: "ประชุม ศปก.ครส. ครั้งที่ 1/2568",
			DataMeetingAt:    time.Date(2025, 1, 20, 3, 0, 0, 0, time.UTC).Format(time.RFC3339),
			DataLocation:     "ห้องประชุม 1 สำนักงาน ป.ป.ส.",
			DataRSVPDueAt:    "2025-01-17",
			DataMinutesDueAt: time.Date(2025, 1, 27, 9, 30, 0, 0, time.UTC).Format(time.RFC3339),
			DataReminder:     "2",
			DataUnitCode:     "20",
			DataUnitName:     "ศอ.ปส.จ.ชลบุรี",
		}
	case KindDigest:
		raw := `{"date":"2025-01-15","scope":"inspector","regions":"2","count":"2","more":"","items":[
			{"subject":"เร่งรัดการตรวจค้นแหล่งผลิตยาเสพติด","doc_number":"ที่ ยธ 0600/ว 123","unit_code":"20","unit_name":"ศอ.ปส.จ.ชลบุรี","item":"2","due_at":"2025-01-15T09:30:00Z","level":"3","overdue":"true"},
			{"subject":"จัดทำแผนป้องกันยาเสพติดในสถานศึกษา","doc_number":"","unit_code":"21","unit_name":"ศอ.ปส.จ.ระยอง","item":"1","due_at":"2025-01-20T09:30:00Z","level":"2","overdue":"false"}]}`
		m, err := DecodeData(raw)
		if err != nil {
			t.Fatal(err)
		}
		return m
	case KindSMTPConfig:
		return map[string]any{DataError: "535 5.7.8 Authentication failed"}
	case KindTip:
		base = map[string]any{"event": "escalation", "level": "2", "tip_id": "7", "province_code": "20",
			DataUnitCode: "20", DataUnitName: "ศอ.ปส.จ.ชลบุรี", "stage": "received", DataLink: "/tips/7", DataDueAt: due.Format(time.RFC3339)}
	}
	// Round-trip through JSON as the outbox stores it.
	b, err := json.Marshal(base)
	if err != nil {
		t.Fatal(err)
	}
	m, err := DecodeData(string(b))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestRenderEveryKind renders every kind in Thai and English and checks the
// content that matters for each: subject, the Buddhist-Era due date, the
// link, and that nothing is left unrendered.
func TestRenderEveryKind(t *testing.T) {
	const publicURL = "https://tidtam.example.go.th/"
	dueTH := thaidate.FormatDateTimeBE(time.Date(2025, 1, 15, 9, 30, 0, 0, time.UTC))
	if dueTH != "15 ม.ค. 2568 เวลา 16:30 น." {
		t.Fatalf("fixture: FormatDateTimeBE = %q", dueTH)
	}
	// want[lang][kind] lists strings the text body must contain; the
	// subject must contain subj[lang][kind].
	subj := map[string]map[string]string{
		LangThai: {
			KindAssigned: "[ข้อสั่งการใหม่] เร่งรัดการตรวจค้น", KindAckOverdue: "[ยังไม่รับทราบ]",
			KindReminder: "[ใกล้ครบกำหนด] ข้อ 2", KindOverdue: "[เกินกำหนด] ข้อ 2",
			KindEscalation: "ถึงผู้ตรวจราชการ] ศอ.ปส.จ.ชลบุรี ยังไม่รายงานผลข้อ 2", KindReturned: "[ส่งกลับแก้ไข]",
			KindDueChanged: "[เปลี่ยนกำหนดรายงาน]", KindCycleOpened: "รอบที่ 3", KindWithdrawn: "[ยกเลิกข้อสั่งการ]",
			KindReported: "[รายงานผลแล้ว] ศอ.ปส.จ.ชลบุรี ข้อ 2", KindInspectorAction: "ขยายระยะเวลา",
			KindMeetingNotice: "[แจ้งการประชุม] ประชุม ศปก.ครส. ครั้งที่ 1/2568 20 ม.ค. 2568 เวลา 10:00 น.",
			KindRSVPReminder:  "[ขอให้ตอบรับการประชุม]", KindMinutesReminder: "[รายงานการประชุม]",
			KindDigest: "[สรุปประจำวัน 15 มกราคม 2568] 2 รายการ", KindSMTPConfig: "การตั้งค่า SMTP ไม่ถูกต้อง",
			KindTip: "[เบาะแส] ติดตามเร่งรัดเบาะแส ระดับที่ 2 เลขที่ 7",
		},
		LangEnglish: {
			KindAssigned: "[New directive]", KindAckOverdue: "[Not acknowledged]", KindReminder: "[Due soon] Item 2",
			KindOverdue: "[Overdue] Item 2", KindEscalation: "[Escalation to inspector]", KindReturned: "[Report returned]",
			KindDueChanged: "[Due date changed]", KindCycleOpened: "cycle 3", KindWithdrawn: "[Directive withdrawn]",
			KindReported: "[Reported] ศอ.ปส.จ.ชลบุรี, item 2", KindInspectorAction: "[Decision: extension]",
			KindMeetingNotice: "[Meeting notice]", KindRSVPReminder: "[Please reply]", KindMinutesReminder: "[Minutes]",
			KindDigest: "[Daily digest 15 January B.E. 2568 (2025)] 2 items", KindSMTPConfig: "SMTP configuration error",
			KindTip: "[Tip-off] Tip-off escalated (level 2): no. 7",
		},
	}
	body := map[string]map[string][]string{
		LangThai: {
			KindAssigned:        {"เรียน ศอ.ปส.จ.ชลบุรี", "หนังสือที่: ที่ ยธ 0600/ว 123", "ชั้นความเร็ว: ด่วนที่สุด", "รับทราบข้อสั่งการในระบบภายใน " + dueTH},
			KindAckOverdue:      {"ยังไม่ได้กดรับทราบ", dueTH},
			KindReminder:        {"แจ้งเตือนครั้งที่ 1", "ข้อ 2: รายงานผลการตรวจค้นทุกสัปดาห์", "ครบกำหนดรายงาน: " + dueTH},
			KindOverdue:         {"เกินกำหนดรายงานผลแล้ว (ครบกำหนดเมื่อ " + dueTH + ")"},
			KindEscalation:      {"เรียน ผู้ตรวจราชการ", "ระดับที่ 3", dueTH},
			KindReturned:        {"เหตุผล: ขาดภาพถ่ายประกอบ", "กรุณารายงานผลใหม่ภายใน " + dueTH},
			KindDueChanged:      {"กำหนดเดิม: 12 ม.ค. 2568 เวลา 16:30 น.", "กำหนดใหม่: " + dueTH, "เหตุผล: ขยายตามคำขอของจังหวัด"},
			KindCycleOpened:     {"ข้อ 2 (รอบที่ 3)", "ครบกำหนดรายงานรอบนี้: " + dueTH},
			KindWithdrawn:       {"ถูกยกเลิกแล้ว", "เหตุผล: ออกข้อสั่งการฉบับใหม่แทน"},
			KindReported:        {"เรียน ฝ่ายเลขานุการ", "ผู้รายงาน: chonburi", "สรุปรายงาน: ตรวจค้น 12 จุด จับกุม 3 ราย"},
			KindInspectorAction: {"ผู้ตรวจราชการเขต 2 ได้พิจารณา", "ขยายระยะเวลา", "น้ำท่วมพื้นที่", "กำหนดเดิม: 13 ม.ค. 2568 เวลา 16:30 น.", "กำหนดรายงานใหม่: " + dueTH},
			KindMeetingNotice:   {"ขอเชิญเข้าร่วมประชุม", "20 ม.ค. 2568 เวลา 10:00 น.", "สถานที่: ห้องประชุม 1", "ภายใน 17 มกราคม 2568"},
			KindRSVPReminder:    {"ยังไม่ได้รับการตอบรับ", "กรุณาตอบรับภายใน 17 มกราคม 2568"},
			KindMinutesReminder: {"รายงานการประชุม", "แจ้งเตือนครั้งที่ 2", "กำหนดส่งภายใน 27 ม.ค. 2568 เวลา 16:30 น."},
			KindDigest:          {"เรียน ผู้ตรวจราชการ", "เขตตรวจราชการที่ 2", "1. ศอ.ปส.จ.ชลบุรี – เร่งรัดการตรวจค้น", "[เกินกำหนด]", "[ติดตามเร่งรัดระดับ 3]", "2. ศอ.ปส.จ.ระยอง", "20 ม.ค. 2568 เวลา 16:30 น."},
			KindSMTPConfig:      {"เรียน ผู้ดูแลระบบ", "535 5.7.8 Authentication failed"},
			KindTip:             {"เรียน ศอ.ปส.จ.ชลบุรี", "ครบกำหนด: " + dueTH},
		},
		LangEnglish: {
			KindAssigned:        {"Dear ศอ.ปส.จ.ชลบุรี,", "Letter no.: ที่ ยธ 0600/ว 123", "Urgency: most urgent", "15 January B.E. 2568 (2025), 16:30"},
			KindAckOverdue:      {"not yet acknowledged", "B.E. 2568"},
			KindReminder:        {"reminder 1", "Item 2: รายงานผล", "Report due: 15 January B.E. 2568 (2025), 16:30"},
			KindOverdue:         {"is overdue (it was due 15 January B.E. 2568 (2025), 16:30)"},
			KindEscalation:      {"Inspector-General", "(level 3)"},
			KindReturned:        {"Reason: ขาดภาพถ่ายประกอบ", "Please report again by 15 January B.E. 2568"},
			KindDueChanged:      {"Previous due date: 12 January B.E. 2568 (2025), 16:30", "New due date: 15 January B.E. 2568 (2025), 16:30"},
			KindCycleOpened:     {"Item 2 (cycle 3)", "This cycle is due"},
			KindWithdrawn:       {"withdrawn", "Reason: ออกข้อสั่งการฉบับใหม่แทน"},
			KindReported:        {"Dear secretariat,", "reported by chonburi"},
			KindInspectorAction: {"extension", "Previous due date: 13 January B.E. 2568", "New due date: 15 January B.E. 2568"},
			KindMeetingNotice:   {"Date and time: 20 January B.E. 2568 (2025), 10:00", "Please reply in tidtam by 17 January B.E. 2568 (2025)"},
			KindRSVPReminder:    {"not yet replied", "Please reply by 17 January B.E. 2568 (2025)"},
			KindMinutesReminder: {"minutes of ประชุม ศปก.ครส.", "(reminder 2)", "Due by 27 January B.E. 2568 (2025), 16:30"},
			KindDigest:          {"inspection region 2", "1. ศอ.ปส.จ.ชลบุรี – เร่งรัดการตรวจค้น", "[overdue]", "[escalation level 2]"},
			KindSMTPConfig:      {"Dear administrator,", "535 5.7.8 Authentication failed"},
			KindTip:             {"Dear ศอ.ปส.จ.ชลบุรี,", "Due: 15 January B.E. 2568 (2025), 16:30"},
		},
	}
	for _, lang := range []string{LangThai, LangEnglish} {
		for _, kind := range Kinds {
			t.Run(lang+"/"+kind, func(t *testing.T) {
				msg, err := Render(kind, lang, sampleData(t, kind), publicURL)
				if err != nil {
					t.Fatal(err)
				}
				for part, s := range map[string]string{"subject": msg.Subject, "text": msg.Text, "html": msg.HTML} {
					if strings.Contains(s, "<no value>") || strings.Contains(s, "%!") {
						t.Errorf("%s leaves a placeholder:\n%s", part, s)
					}
					if strings.TrimSpace(s) == "" {
						t.Errorf("%s is empty", part)
					}
				}
				if strings.ContainsAny(msg.Subject, "\r\n") {
					t.Errorf("subject has a line break: %q", msg.Subject)
				}
				if want := subj[lang][kind]; want == "" || !strings.Contains(msg.Subject, want) {
					t.Errorf("subject = %q, want it to contain %q", msg.Subject, want)
				}
				for _, want := range body[lang][kind] {
					if !strings.Contains(msg.Text, want) {
						t.Errorf("text lacks %q:\n%s", want, msg.Text)
					}
					// The HTML carries the same facts (a table may hold the
					// label apart from the value), HTML-escaped.
					fact := want
					if _, value, ok := strings.Cut(want, ": "); ok {
						fact = value
					}
					// The digest lists its items as a table; see
					// TestRenderDigestHTML.
					if kind != KindDigest && !strings.Contains(stripTags(msg.HTML), htmlEscape(fact)) {
						t.Errorf("html lacks %q", fact)
					}
				}
				if !strings.HasPrefix(msg.HTML, "<!DOCTYPE html>") || !strings.Contains(msg.HTML, `lang="`+lang+`"`) {
					t.Errorf("html is not a %s document:\n%.200s", lang, msg.HTML)
				}
				if kind != KindSMTPConfig && kind != KindDigest && !strings.Contains(msg.Text, "https://tidtam.example.go.th/") {
					t.Errorf("text has no link to the system:\n%s", msg.Text)
				}
			})
		}
	}
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}

// stripTags removes HTML tags so that facts split by markup (a date in
// <strong>) can be found.
func stripTags(s string) string {
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// TestRenderDigestHTML checks the digest's HTML table row by row.
func TestRenderDigestHTML(t *testing.T) {
	msg, err := Render(KindDigest, LangThai, sampleData(t, KindDigest), "http://x")
	if err != nil {
		t.Fatal(err)
	}
	rows := strings.Split(msg.HTML, "<tr ")
	if len(rows) != 4 { // text before the table, header, two items
		t.Fatalf("digest html has %d rows, want 1 header and 2 items:\n%s", len(rows)-1, msg.HTML)
	}
	first, second := stripTags(rows[2]), stripTags(rows[3])
	for _, want := range []string{"ศอ.ปส.จ.ชลบุรี", "เร่งรัดการตรวจค้นแหล่งผลิตยาเสพติด", "15 ม.ค. 2568 เวลา 16:30 น.", "เกินกำหนด", "ติดตามเร่งรัดระดับ 3"} {
		if !strings.Contains(first, want) {
			t.Errorf("first row lacks %q: %s", want, first)
		}
	}
	if !strings.Contains(second, "ศอ.ปส.จ.ระยอง") || strings.Contains(second, "เกินกำหนด") {
		t.Errorf("second row = %s", second)
	}
}

// TestRenderEscalationLevels checks that one kind serves both escalation
// levels, telling them apart by the level in the data.
func TestRenderEscalationLevels(t *testing.T) {
	data := sampleData(t, KindEscalation)
	data[DataLevel] = "2"
	head, err := Render(KindEscalation, LangThai, data, "http://x")
	if err != nil {
		t.Fatal(err)
	}
	data[DataLevel] = "3"
	insp, err := Render(KindEscalation, LangThai, data, "http://x")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(head.Subject, "ถึงผู้บริหาร") || !strings.Contains(head.Text, "ผู้ว่าราชการจังหวัด") || strings.Contains(head.Text, "ระดับที่ 3") {
		t.Errorf("level 2 rendered as:\n%s\n%s", head.Subject, head.Text)
	}
	if !strings.Contains(insp.Subject, "ถึงผู้ตรวจราชการ") || !strings.Contains(insp.Text, "ระดับที่ 3") {
		t.Errorf("level 3 rendered as:\n%s\n%s", insp.Subject, insp.Text)
	}
}

// TestRenderEscapesHTML makes sure text from users cannot inject markup
// into the HTML part, while the plain-text part keeps it verbatim.
func TestRenderEscapesHTML(t *testing.T) {
	data := sampleData(t, KindReturned)
	data[DataReason] = `<script>alert("x")</script> & more`
	msg, err := Render(KindReturned, LangThai, data, "http://x")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(msg.HTML, "<script>") || !strings.Contains(msg.HTML, "&lt;script&gt;") {
		t.Errorf("html not escaped:\n%s", msg.HTML)
	}
	if !strings.Contains(msg.Text, `<script>alert("x")</script> & more`) {
		t.Errorf("text altered:\n%s", msg.Text)
	}
}

// TestRenderMissingData renders with no data at all: no placeholders leak.
func TestRenderMissingData(t *testing.T) {
	for _, kind := range Kinds {
		msg, err := Render(kind, "", map[string]any{}, "http://x")
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if strings.Contains(msg.Subject+msg.Text+msg.HTML, "<no value>") {
			t.Errorf("%s: <no value> with empty data", kind)
		}
	}
}

func TestRenderUnknownKind(t *testing.T) {
	if _, err := Render("no_such_kind", LangThai, nil, "http://x"); !errors.Is(err, ErrUnknownTemplate) {
		t.Errorf("err = %v, want ErrUnknownTemplate", err)
	}
}

func TestLinkFor(t *testing.T) {
	for _, tc := range []struct {
		data map[string]string
		want string
	}{
		{map[string]string{DataAssignmentID: "assignment/D-1/20", DataDirectiveID: "D-1"}, "https://t.example/assignments/assignment%2FD-1%2F20"},
		{map[string]string{DataDirectiveID: "D-1"}, "https://t.example/directives/D-1"},
		{map[string]string{DataMeetingID: "M 1"}, "https://t.example/meetings/M%201"},
		{map[string]string{DataLink: "/reports/7", DataDirectiveID: "D-1"}, "https://t.example/reports/7"},
		{map[string]string{DataLink: "https://other.example/x"}, "https://other.example/x"},
		{map[string]string{}, "https://t.example/inbox"},
	} {
		if got := LinkFor(tc.data, "https://t.example/"); got != tc.want {
			t.Errorf("LinkFor(%v) = %q, want %q", tc.data, got, tc.want)
		}
	}
}

// TestRenderTipInformantReplied: an informant's answer has its own words
// in both languages, and carries the tip's number, never its text.
func TestRenderTipInformantReplied(t *testing.T) {
	data := map[string]any{"event": "informant_replied", "tip_id": "42", "province_code": "20", "stage": "received", "link": "/tips/42"}
	for lang, want := range map[string]string{LangThai: "ผู้แจ้งเบาะแสส่งข้อมูลเพิ่มเติม", LangEnglish: "The informant sent more information"} {
		m, err := Render(KindTip, lang, data, "http://x")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(m.Subject, want) || !strings.Contains(m.Subject, "42") || !strings.Contains(m.Text, want) {
			t.Errorf("%s rendered as:\n%s\n%s", lang, m.Subject, m.Text)
		}
	}
}
