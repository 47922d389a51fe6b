package web

import (
	"fmt"
	"strconv"
	"time"

	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/models"
)

// Language and digit choices of a page, remembered in cookies.
const (
	langTH       = "th"
	langEN       = "en"
	digitsThai   = "thai"
	digitsArabic = "arabic"
	langCookie   = "tidtam_lang"
	digitsCookie = "tidtam_digits"
)

// bangkok is the time zone every page shows times in.
var bangkok = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Bangkok")
	if err != nil {
		return time.FixedZone("ICT", 7*3600)
	}
	return loc
}()

// Localizer renders labels, numbers and dates in the reader's language and
// digits. Templates call its methods: {{.L.T "nav_inbox"}}, {{.L.Date .At}}.
type Localizer struct {
	Lang   string // langTH or langEN
	Digits string // digitsThai or digitsArabic
}

// T returns the label key in the reader's language; an unknown key comes
// back as itself, so a missing label shows rather than breaks the page.
func (l Localizer) T(key string) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	if l.Lang == langEN {
		return m[1]
	}
	return m[0]
}

// Tf is T used as a format with args.
func (l Localizer) Tf(key string, args ...any) string {
	return l.digits(fmt.Sprintf(l.T(key), args...))
}

// EN reports whether the page is in English.
func (l Localizer) EN() bool { return l.Lang == langEN }

// digits turns Arabic digits into Thai ones when the reader chose Thai
// digits.
func (l Localizer) digits(s string) string {
	if l.Digits == digitsThai {
		return thaidate.ToThaiDigits(s)
	}
	return s
}

// Decision names a review decision ("" for none).
func (l Localizer) Decision(d *models.ReportDecision) string {
	if d == nil {
		return ""
	}
	return l.T("decision_" + string(*d))
}

// Num renders an integer in the reader's digits.
func (l Localizer) Num(n any) string {
	switch v := n.(type) {
	case int:
		return l.digits(strconv.Itoa(v))
	case int64:
		return l.digits(strconv.FormatInt(v, 10))
	default:
		return l.digits(fmt.Sprint(v))
	}
}

// Date renders the day of t (Asia/Bangkok) in the Buddhist era with the
// month's short name in the reader's language, e.g. ๑๗ ธ.ค. ๒๕๖๗ (17 Dec
// 2567 in English); "" for a nil or zero time.
func (l Localizer) Date(t any) string {
	tm, ok := timeOf(t)
	if !ok {
		return ""
	}
	tm = tm.In(bangkok)
	return l.digits(fmt.Sprintf("%d %s %d", tm.Day(), l.monthShort(tm.Month()), tm.Year()+543))
}

// monthShort is the short name of month m in the reader's language: ธ.ค.
// in Thai, Dec in English.
func (l Localizer) monthShort(m time.Month) string {
	if l.Lang == langEN {
		return m.String()[:3]
	}
	return thaidate.MonthNameTHShort(m)
}

// CivilDate renders an ISO civil date ("2026-12-03") like Date; other
// strings come back as they are.
func (l Localizer) CivilDate(iso string) string {
	d, err := thaidate.ParseISO(iso)
	if err != nil {
		return iso
	}
	return l.digits(fmt.Sprintf("%d %s %d", d.Day, l.monthShort(d.Month), d.Year+543))
}

// DateTime is Date with the time of day, e.g. ๑๗ ธ.ค. ๒๕๖๗ ๑๖:๓๐ น.
func (l Localizer) DateTime(t any) string {
	tm, ok := timeOf(t)
	if !ok {
		return ""
	}
	tm = tm.In(bangkok)
	suffix := " น."
	if l.Lang == langEN {
		suffix = ""
	}
	return l.Date(tm) + l.digits(fmt.Sprintf(" %02d:%02d", tm.Hour(), tm.Minute())) + suffix
}

// Clock renders the time of day of t (Asia/Bangkok), e.g. ๑๓:๓๐ น.
func (l Localizer) Clock(t any) string {
	tm, ok := timeOf(t)
	if !ok {
		return ""
	}
	tm = tm.In(bangkok)
	suffix := " น."
	if l.Lang == langEN {
		suffix = ""
	}
	return l.digits(fmt.Sprintf("%02d:%02d", tm.Hour(), tm.Minute())) + suffix
}

// MonthYear renders a month with its Buddhist-era year, e.g. ธันวาคม ๒๕๖๙
// (December 2569 in English).
func (l Localizer) MonthYear(year int, m time.Month) string {
	name := thaidate.MonthNameTH(m)
	if l.Lang == langEN {
		name = m.String()
	}
	return l.digits(fmt.Sprintf("%s %d", name, year+543))
}

// ISO is t as RFC 3339, for <time datetime>.
func (l Localizer) ISO(t any) string {
	tm, ok := timeOf(t)
	if !ok {
		return ""
	}
	return tm.In(bangkok).Format(time.RFC3339)
}

// Until renders the time left from now to t ("เหลือ ๒ วัน ๓ ชม." / "2 d 3 h
// left") or, once past, how long ago it was due.
func (l Localizer) Until(now time.Time, t any) string {
	tm, ok := timeOf(t)
	if !ok {
		return ""
	}
	d := tm.Sub(now)
	key := "left"
	if d < 0 {
		key, d = "ago", -d
	}
	days, hours, mins := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	var span string
	switch {
	case days > 0:
		span = l.Tf("span_dh", days, hours)
	case hours > 0:
		span = l.Tf("span_hm", hours, mins)
	default:
		span = l.Tf("span_m", mins)
	}
	return l.Tf(key, span)
}

func timeOf(t any) (time.Time, bool) {
	switch v := t.(type) {
	case time.Time:
		return v, !v.IsZero()
	case *time.Time:
		if v == nil || v.IsZero() {
			return time.Time{}, false
		}
		return *v, true
	}
	return time.Time{}, false
}

// messages are the labels of every page: key → {Thai, English}.
var messages = map[string][2]string{
	"app":                       {"ติดตาม", "tidtam"},
	"app_long":                  {"ระบบติดตามข้อสั่งการด้านยาเสพติด", "Drug-control directive follow-up"},
	"skip":                      {"ข้ามไปยังเนื้อหา", "Skip to content"},
	"nav_work":                  {"งานของฉัน", "My work"},
	"nav_inbox":                 {"กล่องข้อความ", "Inbox"},
	"nav_districts":             {"อำเภอในจังหวัด", "Districts"},
	"nav_meetings":              {"การประชุม", "Meetings"},
	"unread":                    {"ยังไม่อ่าน", "unread"},
	"sign_in":                   {"เข้าสู่ระบบ", "Sign in"},
	"sign_out":                  {"ออกจากระบบ", "Sign out"},
	"username":                  {"ชื่อผู้ใช้", "Username"},
	"password":                  {"รหัสผ่าน", "Password"},
	"signed_in_as":              {"ผู้ใช้", "Signed in as"},
	"lang_switch":               {"English", "ภาษาไทย"},
	"digits_switch_thai":        {"ใช้เลขไทย", "Thai digits"},
	"digits_switch_arab":        {"ใช้เลขอารบิก", "Arabic digits"},
	"role_admin":                {"ผู้ดูแลระบบ", "Administrator"},
	"role_secretariat":          {"ฝ่ายเลขานุการ ศปก.ครส.", "Secretariat"},
	"role_province":             {"ศอ.ปส.จ.", "Provincial centre"},
	"role_district":             {"ศป.ปส.อ.", "District centre"},
	"role_inspector":            {"ผู้ตรวจราชการ", "Inspector"},
	"role_observer":             {"ผู้บริหาร", "Executive"},
	"err_title":                 {"เกิดข้อผิดพลาด", "Something went wrong"},
	"err_unavailable":           {"ระบบไม่พร้อมใช้งานชั่วคราว กรุณาลองใหม่อีกครั้งในอีกสักครู่ ข้อมูลที่บันทึกแล้วไม่สูญหาย", "The service is briefly unavailable. Please try again in a moment; nothing you saved is lost."},
	"err_not_found":             {"ไม่พบหน้าที่ต้องการ หรือท่านไม่มีสิทธิ์เข้าถึง", "This page does not exist, or you may not see it."},
	"err_forbidden":             {"ท่านไม่มีสิทธิ์ทำรายการนี้", "You may not do this."},
	"err_csrf":                  {"แบบฟอร์มหมดอายุ กรุณาโหลดหน้าใหม่แล้วลองอีกครั้ง", "The form expired. Reload the page and try again."},
	"err_login":                 {"ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง", "Wrong username or password."},
	"err_throttled":             {"ลองเข้าสู่ระบบผิดหลายครั้ง กรุณารอ %d นาทีแล้วลองใหม่", "Too many failed sign-ins. Try again in %d minutes."},
	"try_again":                 {"ลองอีกครั้ง", "Try again"},
	"back_home":                 {"กลับหน้าแรก", "Back to my work"},
	"required":                  {"จำเป็นต้องกรอก", "required"},
	"left":                      {"เหลือ %s", "%s left"},
	"ago":                       {"เลยกำหนด %s", "%s overdue"},
	"span_dh":                   {"%d วัน %d ชม.", "%d d %d h"},
	"span_hm":                   {"%d ชม. %d นาที", "%d h %d min"},
	"span_m":                    {"%d นาที", "%d min"},
	"wd_overdue":                {"เกินกำหนด %d วันทำการ", "%d working days overdue"},
	"inbox_title":               {"กล่องข้อความ", "Inbox"},
	"inbox_empty":               {"ไม่มีข้อความ", "No notices."},
	"inbox_unread_only":         {"เฉพาะที่ยังไม่อ่าน", "Unread only"},
	"inbox_all":                 {"ทั้งหมด", "All"},
	"mark_read":                 {"ทำเครื่องหมายว่าอ่านแล้ว", "Mark read"},
	"mark_all_read":             {"อ่านแล้วทั้งหมด", "Mark all read"},
	"open":                      {"เปิด", "Open"},
	"read_at":                   {"อ่านเมื่อ", "Read"},
	"marked_all":                {"ทำเครื่องหมายอ่านแล้ว %d รายการ", "Marked %d notices read."},
	"work_title":                {"งานของฉัน", "My work"},
	"work_empty":                {"ยังไม่มีข้อสั่งการถึงหน่วยงานของท่าน", "No directives for your unit yet."},
	"filter":                    {"กรอง", "Filter"},
	"filter_status":             {"สถานะ", "Status"},
	"filter_directive":          {"ข้อสั่งการ", "Directive"},
	"filter_overdue":            {"เฉพาะที่เกินกำหนด", "Overdue only"},
	"any":                       {"ทั้งหมด", "Any"},
	"doc_number":                {"เลขที่หนังสือ", "Document number"},
	"subject":                   {"เรื่อง", "Subject"},
	"unit":                      {"หน่วยงาน", "Unit"},
	"items":                     {"ข้อสั่งการ", "Items"},
	"item_n":                    {"ข้อ %d", "Item %d"},
	"due":                       {"กำหนดส่ง", "Due"},
	"no_due":                    {"ไม่มีกำหนด", "No deadline"},
	"ack_due":                   {"กำหนดรับทราบ", "Acknowledge by"},
	"status":                    {"สถานะ", "Status"},
	"st_assigned":               {"รอรับทราบ", "Awaiting acknowledgement"},
	"st_acknowledged":           {"รับทราบแล้ว", "Acknowledged"},
	"st_closed":                 {"ปิดแล้ว", "Closed"},
	"st_withdrawn":              {"ยกเลิกแล้ว", "Withdrawn"},
	"it_open":                   {"รอรายงาน", "Awaiting report"},
	"it_reported":               {"รายงานแล้ว รอพิจารณา", "Reported, awaiting review"},
	"it_accepted":               {"ผ่านการพิจารณา", "Accepted"},
	"it_returned":               {"ส่งกลับให้แก้ไข", "Returned"},
	"it_extended":               {"ขยายเวลาแล้ว", "Extended"},
	"it_waived":                 {"ยกเว้น", "Waived"},
	"it_closed":                 {"ปิดแล้ว", "Closed"},
	"it_lapsed":                 {"พ้นรอบรายงาน", "Lapsed"},
	"urg_most_urgent":           {"ด่วนที่สุด", "Most urgent"},
	"urg_very_urgent":           {"ด่วนมาก", "Very urgent"},
	"urg_urgent":                {"ด่วน", "Urgent"},
	"urg_normal":                {"ปกติ", "Normal"},
	"overdue":                   {"เกินกำหนด", "Overdue"},
	"escalated_n":               {"ยกระดับขั้น %d", "Escalation level %d"},
	"letter":                    {"หนังสือสั่งการ", "The letter"},
	"issued":                    {"ลงวันที่", "Dated"},
	"attachments":               {"สิ่งที่ส่งมาด้วย", "Enclosures"},
	"ack_button":                {"รับทราบ", "Acknowledge"},
	"ack_note":                  {"หมายเหตุ (ถ้ามี)", "Note (optional)"},
	"ack_done":                  {"รับทราบแล้ว เมื่อ %s โดย %s", "Acknowledged %s by %s"},
	"ack_confirm":               {"บันทึกการรับทราบเรียบร้อยแล้ว", "Your acknowledgement is recorded."},
	"report":                    {"รายงานผล", "Report"},
	"report_text":               {"ผลการดำเนินงาน", "What was done"},
	"report_files":              {"ไฟล์หลักฐาน (ลากมาวาง หรือเลือกไฟล์)", "Evidence files (drop them here or choose)"},
	"report_files_hint":         {"รับ jpg, png, webp, pdf, docx, xlsx, pptx, doc, xls, odt, ods, txt, csv ไม่เกิน %s MB ต่อไฟล์ สูงสุด %d ไฟล์", "jpg, png, webp, pdf, docx, xlsx, pptx, doc, xls, odt, ods, txt, csv; at most %s MB each, %d files"},
	"report_system":             {"บันทึกในระบบ", "Recorded in system"},
	"report_record":             {"เลขที่รายการในระบบ", "Record number"},
	"report_none":               {"— ไม่ระบุ —", "— none —"},
	"report_send":               {"ส่งรายงาน", "Send report"},
	"report_done":               {"ส่งรายงานข้อ %d เรียบร้อยแล้ว", "Your report on item %d is sent."},
	"evidence_required":         {"ต้องแนบหลักฐาน", "Evidence required"},
	"reports":                   {"รายงานที่ส่งแล้ว", "Reports sent"},
	"by":                        {"โดย", "by"},
	"decision_accepted":         {"ผ่าน", "Accepted"},
	"decision_returned":         {"ส่งกลับ", "Returned"},
	"reason":                    {"เหตุผล", "Reason"},
	"timeline":                  {"ความเคลื่อนไหว", "Timeline"},
	"upload_progress":           {"กำลังอัปโหลด", "Uploading"},
	"bad_type":                  {"ไม่รับไฟล์ชนิดนี้", "This file type is not accepted"},
	"too_big":                   {"ไฟล์ใหญ่เกินกำหนด", "This file is too large"},
	"too_many":                  {"แนบได้ไม่เกิน %d ไฟล์", "At most %d files"},
	"not_your_unit":             {"หน้านี้แสดงให้ดูเท่านั้น: เฉพาะหน่วยงานเจ้าของงานรับทราบและรายงานได้", "View only: only the assigned unit acknowledges and reports."},
	"too_long":                  {"ยาวเกิน %d ตัวอักษร", "longer than %d characters"},
	"review_new_due":            {"กำหนดส่งใหม่ (เมื่อส่งกลับ)", "New due date (when returning)"},
	"review_accept":             {"ผ่าน", "Accept"},
	"review_return":             {"ส่งกลับให้แก้ไข", "Return"},
	"ev_assign":                 {"ได้รับมอบหมาย", "Assigned"},
	"ev_acknowledge":            {"รับทราบ", "Acknowledged"},
	"ev_report":                 {"ส่งรายงาน", "Reported"},
	"ev_review.accept":          {"รายงานผ่านการพิจารณา", "Report accepted"},
	"ev_review.return":          {"รายงานถูกส่งกลับ", "Report returned"},
	"ev_reminder":               {"แจ้งเตือน", "Reminded"},
	"ev_ack_overdue":            {"ยังไม่รับทราบเมื่อครบกำหนด", "Acknowledgement overdue"},
	"ev_escalate":               {"ยกระดับ", "Escalated"},
	"ev_period_end":             {"สิ้นรอบรายงาน", "Period ended"},
	"ev_amend":                  {"แก้ไขกำหนดส่ง", "Due date changed"},
	"ev_withdraw":               {"ยกเลิกข้อสั่งการ", "Withdrawn"},
	"ev_close":                  {"ปิดงาน", "Closed"},
	"ev_inspector.comment":      {"ผู้ตรวจราชการให้ความเห็น", "Inspector commented"},
	"ev_inspector.new_deadline": {"กำหนดวันส่งใหม่", "New deadline set"},
	"ev_inspector.extend":       {"ขยายเวลา", "Extended"},
	"ev_inspector.close":        {"ปิดรายการ", "Item closed"},
	"ev_inspector.waive":        {"ยกเว้นรายการ", "Item waived"},
	"new_due":                   {"กำหนดส่งใหม่", "New due"},
	"nav_queue":                 {"คิวงานติดตาม", "Follow-up queue"},
	"queue_empty":               {"ไม่มีรายการเกินกำหนดที่ยกระดับในเขตของท่าน", "No escalated items in your regions."},
	"queue_done":                {"บันทึกการดำเนินการแล้ว", "Action recorded"},
	"province":                  {"จังหวัด", "Province"},
	"nav_dashboard":             {"ภาพรวมประเทศ", "National dashboard"},
	"nav_province":              {"ภาพรวมจังหวัด", "Province picture"},
	"share_label":               {"ตรงเวลา %.1f%% ล่าช้า %.1f%% เกินกำหนด %.1f%% ยังไม่ถึงกำหนด %.1f%%", "on time %.1f%%, late %.1f%%, overdue %.1f%%, not yet due %.1f%%"},
	"dash_kpi_score":            {"คะแนนตัวชี้วัด (KPI)", "KPI score"},
	"dash_kpi_of":               {"คะแนน %s: %s จาก 100 · อันดับ %d จาก %d จังหวัด", "%s score: %s of 100 · rank %d of %d provinces"},
	"dash_color_rate":           {"ระบายสีตามอัตราตรงเวลา", "Colour by on-time rate"},
	"dash_color_kpi":            {"ระบายสีตามคะแนน KPI", "Colour by KPI score"},
	"dash_rate":                 {"อัตราการรายงานตรงเวลา", "On-time rate"},
	"dash_open":                 {"ข้อสั่งการที่ยังดำเนินการ", "Open directives"},
	"dash_units":                {"หน่วยงาน", "Units"},
	"dash_on_time":              {"ตรงเวลา", "On time"},
	"dash_late":                 {"ล่าช้า", "Late"},
	"dash_overdue":              {"เกินกำหนด", "Overdue"},
	"dash_pending":              {"ยังไม่ถึงกำหนด", "Not yet due"},
	"dash_ack":                  {"รับทราบแล้ว", "Acknowledged"},
	"dash_matrix":               {"จังหวัด × ข้อสั่งการ", "Provinces × directives"},
	"dash_map":                  {"แผนที่จังหวัด", "Province map"},
	"dash_trend":                {"แนวโน้มอัตราตรงเวลาตามการประชุม", "On-time rate over recent meetings"},
	"dash_trend_none":           {"ยังไม่มีข้อมูลการประชุมพอจะแสดงแนวโน้ม", "Not enough meetings yet to show a trend."},
	"dash_updated":              {"ปรับปรุงล่าสุด", "Last updated"},
	"dash_none":                 {"ไม่มีข้อสั่งการที่ยังดำเนินการ", "No open directives."},
	"dash_region":               {"ภาค", "Region"},
	"dash_inspection":           {"เขตตรวจราชการ", "Inspection region"},
	"dash_rank":                 {"อันดับ %d จาก %d จังหวัด", "Rank %d of %d provinces"},
	"dash_no_rank":              {"ยังไม่มีอันดับ (ยังไม่มีงานครบกำหนด)", "Not ranked yet (nothing has fallen due)"},
	"dash_districts":            {"อำเภอ", "Districts"},
	"dash_meeting":              {"การประชุม", "Meeting"},
	"dash_live":                 {"ปรับปรุงอัตโนมัติ", "Updates live"},
	"region_north":              {"ภาคเหนือ", "North"},
	"region_northeast":          {"ภาคตะวันออกเฉียงเหนือ", "Northeast"},
	"region_central":            {"ภาคกลาง", "Central"},
	"region_east":               {"ภาคตะวันออก", "East"},
	"region_west":               {"ภาคตะวันตก", "West"},
	"region_south":              {"ภาคใต้", "South"},
	"cell_overdue":              {"เกินกำหนด", "Overdue"},
	"cell_late":                 {"ส่งล่าช้า", "Late"},
	"cell_on_track":             {"อยู่ในกำหนด", "On track"},
	"cell_done":                 {"ครบแล้ว", "Done"},
	"cell_none":                 {"ไม่ได้รับข้อสั่งการ", "Not addressed"},
	"board_title":               {"จอสรุปการประชุม", "Meeting board"},
	"board_open":                {"เปิดจอสรุปการประชุม (เต็มจอ)", "Open the meeting board (full screen)"},
	"board_fullscreen":          {"เต็มจอ", "Full screen"},
	"board_followup":            {"ติดตามข้อสั่งการ", "Directive follow-up"},
	"board_late_provinces":      {"จังหวัดที่ยังเกินกำหนด", "Provinces still overdue"},
	"board_all_on_time":         {"ไม่มีจังหวัดเกินกำหนด", "No province overdue"},
	"board_attendance":          {"การเข้าประชุม", "Attendance"},
	"board_present":             {"มา %d จาก %d จังหวัด (ผู้ว่าฯ/รองผู้ว่าฯ %d)", "%d of %d provinces present (governor or vice-governor: %d)"},
	"board_issued":              {"ข้อสั่งการจากการประชุมนี้", "Directives issued at this meeting"},
	"board_progress":            {"ความคืบหน้าทั้งประเทศ", "National progress"},
	"board_absent":              {"ยังไม่เข้าประชุม", "Not present"},
	"reach":                     {"ถึงหน่วยงาน", "Reaches"},
	"reach_n":                   {"%d จังหวัด + %d อำเภอ", "%d provinces + %d districts"},
	"reach_check":               {"ตรวจจำนวนหน่วยงานที่ได้รับ", "Count the units reached"},
	"letter_paste":              {"อ่านจากหนังสือ", "Read it from the letter"},
	"letter_text":               {"วางข้อความหนังสือราชการที่นี่", "Paste the official letter here"},
	"letter_read":               {"อ่านหนังสือ", "Read the letter"},
	"letter_read_done":          {"อ่านหนังสือแล้ว ตรวจสอบและแก้ไขแบบฟอร์มด้านล่างก่อนออกข้อสั่งการ", "The letter is read: check and correct the form below, then issue."},
	"did_you_mean":              {"หมายถึง", "did you mean"},
	"calendar_title":            {"ปฏิทินการประชุม", "Meeting calendar"},
	"cal_prev":                  {"เดือนก่อน", "Previous month"},
	"cal_next":                  {"เดือนถัดไป", "Next month"},
	"wd_mon":                    {"จ.", "Mon"},
	"wd_tue":                    {"อ.", "Tue"},
	"wd_wed":                    {"พ.", "Wed"},
	"wd_thu":                    {"พฤ.", "Thu"},
	"wd_fri":                    {"ศ.", "Fri"},
	"wd_sat":                    {"ส.", "Sat"},
	"wd_sun":                    {"อา.", "Sun"},
	"issue_title":               {"ออกข้อสั่งการ", "Issue a directive"},
	"issue_send":                {"ออกข้อสั่งการ", "Issue"},
	"source":                    {"ที่มา", "Source"},
	"src_ministry":              {"กระทรวง", "Ministry"},
	"src_meeting":               {"มติที่ประชุม", "Meeting"},
	"src_prime_minister":        {"นายกรัฐมนตรี", "Prime Minister"},
	"src_oncb":                  {"สำนักงาน ป.ป.ส.", "ONCB"},
	"src_province":              {"จังหวัด", "Province"},
	"issuer":                    {"หน่วยงานที่ออกหนังสือ (เช่น MOI, กระทรวงมหาดไทย)", "Issuing body (e.g. MOI)"},
	"issue_date":                {"ลงวันที่", "Dated"},
	"urgency":                   {"ชั้นความเร็ว", "Urgency"},
	"body":                      {"เนื้อความ", "Body"},
	"item_text":                 {"ข้อความ", "Text"},
	"all_provinces":             {"ทุกจังหวัด (ศอ.ปส.จ.)", "All provinces (ศอ.ปส.จ.)"},
	"all_districts":             {"ทุกอำเภอ (ศป.ปส.อ.)", "All district centres (ศป.ปส.อ.)"},
	"report_into":               {"รายงานในระบบ", "Report into"},
	"fanout":                    {"กำลังส่งถึงหน่วยงาน", "Assigning units"},
	"done_issued":               {"ออกข้อสั่งการแล้ว กำลังส่งถึงหน่วยงาน", "Issued; the units are being assigned."},
	"done_issued_no_files":      {"ออกข้อสั่งการแล้ว แต่ไฟล์แนบไม่ผ่านการตรวจสอบ กรุณาแนบใหม่ผ่าน API", "Issued, but the attachments were refused; attach them again."},
	"nav_units":                 {"นำเข้าหน่วยงาน", "Import units"},
	"units_help":                {"ไฟล์ CSV (UTF-8) แถวแรกเป็นหัวตาราง: code,province_code,name_th,name_en (อำเภอ) หรือ code,type,parent_code,name_th,name_en (ทั่วไป) นำเข้าทั้งไฟล์หรือไม่นำเข้าเลย", "A CSV file (UTF-8) whose first row is the header: code,province_code,name_th,name_en (districts) or code,type,parent_code,name_th,name_en (general). All rows are imported, or none."},
	"units_file":                {"ไฟล์ CSV", "CSV file"},
	"units_import":              {"นำเข้า", "Import"},
	"units_no_file":             {"กรุณาเลือกไฟล์", "Choose a file."},
	"units_too_big":             {"ไฟล์ใหญ่เกิน 5 MB", "The file is larger than 5 MB."},
	"units_line":                {"บรรทัด %d", "Line %d"},
	"units_done":                {"นำเข้าแล้ว: เพิ่ม %d แก้ไข %d ไม่เปลี่ยน %d", "Imported: %d added, %d updated, %d unchanged."},
	"nav_tokens":                {"โทเค็น API", "API tokens"},
	"token_name":                {"ชื่อ (ใช้กับระบบใด)", "Name (what it is for)"},
	"token_scope":               {"ขอบเขต", "Scope"},
	"scope_read_only":           {"อ่านอย่างเดียว", "Read only"},
	"scope_read_write":          {"อ่านและแก้ไข", "Read and write"},
	"token_days":                {"อายุ (วัน, 1–365; ว่าง = 90)", "Lifetime (days, 1–365; empty = 90)"},
	"token_days_number":         {"ต้องเป็นจำนวนวัน", "must be a number of days"},
	"token_expires":             {"หมดอายุ", "Expires"},
	"token_last_used":           {"ใช้ล่าสุด", "Last used"},
	"token_revoke":              {"เพิกถอน", "Revoke"},
	"token_revoked":             {"เพิกถอนโทเค็นแล้ว", "Token revoked."},
	"token_new":                 {"สร้างโทเค็นใหม่", "New token"},
	"token_create":              {"สร้างโทเค็น", "Create token"},
	"token_created":             {"สร้างโทเค็นแล้ว คัดลอกเก็บไว้ตอนนี้ ระบบจะไม่แสดงอีก", "Token created. Copy it now: it is not shown again."},
	"nav_holidays":              {"วันหยุดราชการ", "Holidays"},
	"nav_targetsets":            {"กลุ่มหน่วยงาน", "Target sets"},
	"nav_audit":                 {"ประวัติการใช้งาน", "Audit trail"},
	"date":                      {"วันที่", "Date"},
	"date_any":                  {"วันที่ (เช่น 2569-12-05 หรือ ๕ ธ.ค. ๒๕๖๙)", "Date (e.g. 2026-12-05, or a Thai date such as 2569-12-05)"},
	"name_th":                   {"ชื่อภาษาไทย", "Thai name"},
	"name_en":                   {"ชื่อภาษาอังกฤษ", "English name"},
	"delete":                    {"ลบ", "Delete"},
	"holiday_add":               {"เพิ่มหรือแก้ไขวันหยุด", "Add or rename a holiday"},
	"set_edit":                  {"สร้างหรือแก้ไขกลุ่ม", "Create or replace a set"},
	"set_code":                  {"รหัสกลุ่ม (a-z, 0-9, -)", "Set code (a-z, 0-9, -)"},
	"set_members":               {"สมาชิก (ชื่อจังหวัดหรือรหัสหน่วยงาน คั่นด้วยจุลภาค)", "Members (province names or unit codes, comma-separated)"},
	"audit_actor":               {"ผู้ดำเนินการ", "Actor"},
	"audit_action":              {"การดำเนินการ", "Action"},
	"audit_entity":              {"ประเภทข้อมูล", "Entity type"},
	"audit_export":              {"ส่งออก CSV", "Export CSV"},
	"audit_export_xlsx":         {"ส่งออก Excel", "Export Excel"},
	"download":                  {"ดาวน์โหลด", "Download"},
	"from":                      {"ตั้งแต่", "From"},
	"to":                        {"ถึง", "To"},
	"done_rsvp":                 {"บันทึกคำตอบแล้ว", "Your answer is recorded."},
	"done_attendance":           {"บันทึกการเข้าประชุมแล้ว", "Attendance recorded."},
	"done_minutes":              {"เผยแพร่รายงานการประชุมแล้ว", "Minutes published."},
	"print_minutes":             {"พิมพ์รายงานการประชุมและรายชื่อผู้เข้าประชุม", "Print the minutes and attendance"},
	"attendance_title":          {"การเข้าประชุม", "Attendance"},
	"attendance_send":           {"บันทึกการเข้าประชุม", "Record attendance"},
	"attendance_need_name":      {"%s: ติ๊กว่ามาประชุมแล้ว กรุณาระบุชื่อผู้เข้าประชุม", "%s is ticked present: enter the name of who attended"},
	"attendance_name_required":  {"ระบุชื่อผู้เข้าประชุม", "Enter the name of who attended"},
	"present":                   {"เข้าประชุม", "Present"},
	"rsvp_none":                 {"ยังไม่ตอบ", "No answer"},
	"minutes_title":             {"รายงานการประชุม", "Minutes"},
	"minutes_version":           {"ฉบับที่ %d", "version %d"},
	"minutes_text":              {"เนื้อหารายงานการประชุม", "Text of the minutes"},
	"minutes_publish":           {"เผยแพร่ฉบับใหม่", "Publish a new version"},
	"minutes_when":              {"เมื่อ", "Held on"},
	"minutes_body":              {"สาระการประชุม", "Proceedings"},
	"present_list":              {"ผู้มาประชุม", "Present"},
	"absent_list":               {"ผู้ไม่มาประชุม", "Absent"},
	"meeting_directives":        {"ข้อสั่งการจากที่ประชุม", "Directives from this meeting"},
	"units_count":               {"หน่วยงาน", "Units"},
	"nav_directives":            {"ข้อสั่งการ", "Directives"},
	"search_directive":          {"เลขที่หนังสือหรือเรื่อง", "Document number or subject"},
	"directives_empty":          {"ไม่มีข้อสั่งการ", "No directives."},
	"ds_issued":                 {"กำลังดำเนินการ", "In progress"},
	"ds_withdrawn":              {"ยกเลิกแล้ว", "Withdrawn"},
	"ds_closed":                 {"ปิดแล้ว", "Closed"},
	"n_units":                   {"%d หน่วยงาน", "%d units"},
	"progress":                  {"ความคืบหน้า", "Progress"},
	"matrix":                    {"หน่วยงาน × ข้อสั่งการ", "Units × items"},
	"m_region":                  {"เขตตรวจราชการ", "Inspection region"},
	"m_province":                {"จังหวัด (รหัส)", "Province (code)"},
	"amend_title":               {"แก้ไขกำหนดส่ง", "Change a due date"},
	"amend_send":                {"แก้ไขกำหนดส่ง", "Change due date"},
	"targets_title":             {"เพิ่มหน่วยงาน", "Add units"},
	"targets_provinces":         {"จังหวัด (ชื่อ คั่นด้วยจุลภาค)", "Provinces (names, comma-separated)"},
	"targets_units":             {"หน่วยงาน (รหัส คั่นด้วยจุลภาค)", "Units (codes, comma-separated)"},
	"targets_send":              {"เพิ่มหน่วยงาน", "Add units"},
	"withdraw_title":            {"ยกเลิกข้อสั่งการ", "Withdraw the directive"},
	"withdraw_send":             {"ยกเลิกข้อสั่งการ", "Withdraw"},
	"done_amend":                {"แก้ไขกำหนดส่งแล้ว", "The due date is changed."},
	"done_targets":              {"เพิ่มหน่วยงานแล้ว", "Units added."},
	"done_withdraw":             {"ยกเลิกข้อสั่งการแล้ว", "The directive is withdrawn."},
	"nav_deliveries":            {"การส่งแจ้งเตือน", "Deliveries"},
	"dl_pending":                {"รอส่ง", "Pending"},
	"dl_sent":                   {"ส่งแล้ว", "Sent"},
	"dl_failed":                 {"ส่งไม่สำเร็จ", "Failed"},
	"dl_skipped":                {"ข้าม", "Skipped"},
	"dl_when":                   {"เวลา", "When"},
	"dl_channel":                {"ช่องทาง", "Channel"},
	"dl_recipient":              {"ผู้รับ", "Recipient"},
	"dl_attempts":               {"จำนวนครั้งที่ส่ง", "Attempts"},
	"dl_error":                  {"ข้อผิดพลาดล่าสุด", "Last error"},
	"date_placeholder":          {"1 ม.ค. 2569", "2026-01-01"},
	"dl_ch_email":               {"อีเมล", "E-mail"},
	"dl_ch_webhook":             {"เว็บฮุก", "Webhook"},
	"dl_retry":                  {"ส่งใหม่", "Send again"},
	"dl_retried":                {"ตั้งให้ส่งใหม่แล้ว ระบบจะส่งภายในไม่กี่วินาที", "Queued to send again; it will go out within seconds."},
	"dl_action":                 {"ดำเนินการ", "Action"},
	"n_items":                   {"%d รายการ", "%d items"},
	"nav_accounts":              {"บัญชีผู้ใช้", "Accounts"},
	"search":                    {"ค้นหา", "Search"},
	"role":                      {"บทบาท", "Role"},
	"region":                    {"เขต", "region"},
	"disabled":                  {"ระงับการใช้งาน", "Disabled"},
	"enabled":                   {"ใช้งานได้", "Enabled"},
	"display_name":              {"ชื่อ-สกุล", "Name"},
	"unit_code":                 {"รหัสหน่วยงาน", "Unit code"},
	"regions":                   {"เขตตรวจราชการ (ผู้ตรวจราชการ เช่น 8, 15)", "Inspection regions (inspectors, e.g. 8, 15)"},
	"email":                     {"อีเมล", "E-mail"},
	"position":                  {"ตำแหน่ง", "Position"},
	"account_new":               {"สร้างบัญชีผู้ใช้", "New account"},
	"account_create":            {"สร้างบัญชี", "Create account"},
	"account_created":           {"สร้างบัญชีแล้ว", "Account created."},
	"account_saved":             {"บันทึกแล้ว", "Saved."},
	"account_disable":           {"ระงับการใช้งานบัญชีนี้ (ออกจากระบบทุกที่ทันที)", "Disable this account (signs it out everywhere at once)"},
	"save":                      {"บันทึก", "Save"},
	"password_hint":             {"อย่างน้อย 12 ตัวอักษร", "at least 12 characters"},
	"password_reset":            {"ตั้งรหัสผ่านใหม่", "Reset password"},
	"password_reset_done":       {"ตั้งรหัสผ่านใหม่แล้ว บัญชีนี้ต้องเข้าสู่ระบบใหม่", "Password reset; the account must sign in again."},
	"new_password":              {"รหัสผ่านใหม่", "New password"},
	"escalated_since":           {"ยกระดับเมื่อ", "escalated since"},
	"act_kind":                  {"การดำเนินการ", "Action"},
	"act_new_due":               {"กำหนดส่งใหม่ (กำหนดใหม่หรือขยายเวลา)", "New due date (new deadline or extension)"},
	"act_send":                  {"บันทึก", "Record"},
	"act_comment":               {"ให้ความเห็น", "Comment"},
	"act_new_deadline":          {"สั่งกำหนดส่งใหม่", "Order a new deadline"},
	"act_extend":                {"ขยายเวลา", "Extend"},
	"act_close":                 {"ปิดรายการ", "Close"},
	"act_waive":                 {"ยกเว้น", "Waive"},
	"rollup_units":              {"จำนวนอำเภอ", "Districts"},
	"rollup_reported":           {"รายงานครบ", "Fully reported"},
	"feed_title":                {"ลิงก์ปฏิทินการประชุม (iCalendar)", "Meeting calendar link (iCalendar)"},
	"feed_help":                 {"สร้างลิงก์เพื่อเพิ่มการประชุมลงในปฏิทินของหน่วยงาน ลิงก์เดิม (ถ้ามี) จะใช้ไม่ได้อีก", "Create a link to subscribe your calendar to the meetings; any earlier link stops working."},
	"feed_issue":                {"สร้างลิงก์ปฏิทิน", "Create calendar link"},
	"feed_new":                  {"ลิงก์นี้แสดงครั้งเดียว คัดลอกไปใส่ในปฏิทินของท่าน", "This link is shown once: copy it into your calendar."},
	"copy":                      {"คัดลอก", "Copy"},
	"copied":                    {"คัดลอกแล้ว", "Copied"},
	"meetings_empty":            {"ไม่มีการประชุมที่กำลังจะมาถึง", "No upcoming meetings."},
	"m_scheduled":               {"กำหนดการ", "Scheduled"},
	"m_started":                 {"เริ่มแล้ว", "Started"},
	"m_published":               {"มีรายงานการประชุมแล้ว", "Minutes published"},
	"m_cancelled":               {"ยกเลิก", "Cancelled"},
	"join_link":                 {"เข้าร่วมประชุมทางไกล", "Join the teleconference"},
	"agenda":                    {"ระเบียบวาระ", "Agenda"},
	"rsvp_title":                {"แจ้งผู้เข้าร่วมประชุม", "Who attends"},
	"rsvp_who":                  {"ผู้เข้าร่วมประชุม", "Attendees"},
	"rsvp_role":                 {"ตำแหน่ง", "Role"},
	"rsvp_name":                 {"ชื่อ-สกุล", "Name"},
	"rsvp_other_reason":         {"เหตุผล (กรณีอื่น ๆ)", "Reason (for other)"},
	"rsvp_decline":              {"ไม่เข้าร่วมประชุม", "We cannot attend"},
	"rsvp_send":                 {"ส่งคำตอบ", "Send answer"},
	"rsvp_sent":                 {"แจ้งผู้เข้าร่วมแล้ว", "Answered"},
	"rsvp_declined":             {"แจ้งไม่เข้าร่วม", "Declined"},
	"rsvp_need_one":             {"กรุณาระบุผู้เข้าร่วมอย่างน้อยหนึ่งคน หรือเลือกไม่เข้าร่วม", "Name at least one attendee, or decline."},
	"att_governor":              {"ผู้ว่าราชการจังหวัด", "Governor"},
	"att_vice_governor":         {"รองผู้ว่าราชการจังหวัด", "Vice governor"},
	"att_palad":                 {"ปลัดจังหวัด", "Permanent secretary of the province"},
	"att_other":                 {"อื่น ๆ", "Other"},
	"nav_kpi":                   {"ตัวชี้วัด (KPI)", "KPI"},
	"nav_attendance":            {"สถิติการเข้าประชุม", "Meeting attendance"},
	"tip_title":                 {"แจ้งเบาะแสยาเสพติด", "Report drug crime"},
	"tip_intro":                 {"แจ้งเบาะแสการกระทำความผิดเกี่ยวกับยาเสพติดของประชาชนหรือเจ้าหน้าที่ของรัฐ ถึงศูนย์อำนวยการป้องกันและปราบปรามยาเสพติดจังหวัด เลือกจังหวัดที่เกิดเหตุ", "Report drug crime by anyone, officials included, to the province's drug-control centre. Choose the province where it happens."},
	"tip_anonymous":             {"ไม่ต้องระบุชื่อ ระบบไม่บันทึกหมายเลขไอพี อุปกรณ์ หรือเวลาที่ส่ง บันทึกเพียงวันที่ และข้อความถูกเข้ารหัสไว้", "You need not give your name. No IP address, device or time is recorded, only the day, and your text is stored encrypted."},
	"tip_province":              {"จังหวัดที่เกิดเหตุ", "Province where it happens"},
	"tip_next":                  {"ถัดไป", "Next"},
	"tip_have_receipt":          {"มีรหัสรับแจ้งแล้ว? ติดตามเรื่อง", "Have a receipt code? Follow up"},
	"tip_what":                  {"เกิดอะไรขึ้น (ที่ไหน ใคร อย่างไร)", "What happened (where, who, how)"},
	"tip_district":              {"อำเภอ (ถ้าทราบ)", "District (if known)"},
	"tip_district_unknown":      {"ไม่ระบุ", "Not given"},
	"tip_when":                  {"เมื่อไร", "When"},
	"tip_when_hint":             {"เช่น ทุกคืนวันศุกร์ ประมาณ ๒๒ นาฬิกา", "e.g. every Friday night around 10 pm"},
	"tip_officials":             {"มีเจ้าหน้าที่ของรัฐเกี่ยวข้อง", "Officials are involved"},
	"tip_officials_hint":        {"เรื่องที่มีเจ้าหน้าที่ของรัฐเกี่ยวข้องจะส่งถึงผู้ว่าราชการจังหวัดและผู้ตรวจราชการเขตโดยตรง ไม่ผ่านอำเภอ", "Tips involving officials go straight to the governor and the region's inspector, not to the district."},
	"tip_send":                  {"ส่งเบาะแส", "Send the tip"},
	"tip_files":                 {"ภาพถ่ายหรือไฟล์ (ถ้ามี)", "Photos or files (optional)"},
	"tip_files_hint":            {"ไม่เกิน ๕ ไฟล์ ชนิด JPG, PNG หรือ PDF ไฟล์ละไม่เกิน ๕ MB รวมไม่เกิน ๑๕ MB ระบบลบข้อมูลแฝงในภาพ (เช่น พิกัด GPS) และเข้ารหัสไฟล์ก่อนจัดเก็บ แต่ไม่ลบข้อมูลแฝงใน PDF (เช่น ชื่อผู้สร้าง) หากส่งไม่สำเร็จต้องเลือกไฟล์ใหม่", "Up to 5 JPG, PNG or PDF files, 5 MB each, 15 MB in all. Hidden data in photos (such as GPS location) is removed and files are stored encrypted; hidden data in a PDF (such as its author) is not removed. If sending fails, choose the files again."},
	"tip_files_too_large":       {"ไฟล์รวมกันใหญ่เกิน ๑๕ MB", "The files are larger than 15 MB together."},
	"tip_files_sent":            {"ไฟล์ที่ส่ง", "Files sent"},
	"tip_throttled":             {"ส่งคำขอถี่เกินไป กรุณารอ %d นาทีแล้วลองใหม่", "Too many attempts. Try again in %d minutes."},
	"tip_challenge_needed":      {"มีการส่งเบาะแสจากเครือข่ายนี้ถี่เกินไป หากต้องการส่งเรื่องนี้ กรุณาพิมพ์ตัวเลขในภาพด้านล่างแล้วกดส่งอีกครั้ง (หากแนบไฟล์ไว้ ต้องเลือกไฟล์ใหม่)", "Many tips came from your network lately. To send this one, type the digits in the picture below and send again (choose any files again)."},
	"tip_challenge_title":       {"ยืนยันว่าท่านเป็นผู้แจ้ง", "Confirm you are a person"},
	"tip_challenge_hint":        {"พิมพ์ตัวเลข ๖ หลักที่เห็นในภาพ ภาพนี้สร้างโดยระบบนี้เอง ไม่ส่งข้อมูลใดไปยังผู้อื่น และใช้ได้ครั้งเดียวภายใน ๑๐ นาที", "Type the 6 digits in the picture. It is made by this site alone, sends nothing to anyone else, and can be answered once within 10 minutes."},
	"tip_challenge_alt":         {"ภาพตัวเลข ๖ หลัก (มีเสียงอ่านตัวเลขภาษาอังกฤษด้านล่าง)", "Picture of 6 digits (an English recording of them is below)"},
	"tip_challenge_audio":       {"ฟังตัวเลข (อ่านเป็นภาษาอังกฤษ)", "Listen to the digits (read in English)"},
	"tip_challenge_answer":      {"ตัวเลขในภาพ", "Digits in the picture"},
	"tip_challenge_wrong":       {"ตัวเลขไม่ถูกต้องหรือภาพหมดเวลา กรุณาพิมพ์ตัวเลขในภาพใหม่", "Wrong digits, or the picture expired: type the digits of the new picture."},
	"tip_no_such_receipt":       {"ไม่พบ", "Not found"},
	"tip_receipt_title":         {"รับแจ้งเบาะแสแล้ว", "Tip received"},
	"tip_receipt_intro":         {"รหัสรับแจ้งของท่าน ใช้ติดตามเรื่องและตอบคำถามของเจ้าหน้าที่:", "Your receipt code, to follow the tip up and answer the officers' questions:"},
	"tip_receipt_warning":       {"จดรหัสนี้เก็บไว้ในที่ปลอดภัย รหัสแสดงครั้งเดียว และไม่มีใครกู้คืนให้ได้", "Write this code down and keep it safe: it is shown only once and nobody can recover it."},
	"tip_followup_title":        {"ติดตามเบาะแส", "Follow up a tip"},
	"tip_receipt_code":          {"รหัสรับแจ้ง", "Receipt code"},
	"tip_open":                  {"เปิดดู", "Open"},
	"tip_status":                {"สถานะ", "Status"},
	"tip_status_received":       {"ได้รับเรื่องแล้ว", "Received"},
	"tip_submitted_on":          {"วันที่แจ้ง", "Sent on"},
	"tip_messages":              {"ข้อความ", "Messages"},
	"tip_no_messages":           {"ยังไม่มีข้อความ", "No messages yet."},
	"tip_by_informant":          {"ท่าน", "You"},
	"tip_by_officer":            {"เจ้าหน้าที่", "Officer"},
	"tip_add_message":           {"เพิ่มข้อมูลหรือตอบเจ้าหน้าที่", "Add information or answer the officers"},
	"tip_send_message":          {"ส่งข้อความ", "Send message"},
	"tip_add_files":             {"แนบภาพถ่ายหรือไฟล์เพิ่ม (ถ้ามี)", "Add photos or files (optional)"},
	"tip_message_sent":          {"ส่งข้อความแล้ว", "Message sent."},
	"tip_poster_title":          {"ป้ายแจ้งเบาะแส (พิมพ์ A4)", "Tip-off sign (print on A4)"},
	"tip_poster_hint":           {"พิมพ์หน้านี้ด้วยคำสั่งพิมพ์ของเบราว์เซอร์บนกระดาษ A4 แล้วติดตั้ง ณ ศาลากลางจังหวัด ที่ว่าการอำเภอ หรือสถานที่ที่เหมาะสม", "Print this page on A4 with the browser's print command and put it up at the provincial hall, the district office or another suitable place."},
	"kpi_intro":                 {"ชุดตัวชี้วัดประเมินผลการดำเนินงานของจังหวัด คะแนนคำนวณใหม่ทุกครั้งที่เปิดดูจากข้อมูลล่าสุด", "Scorecards that assess the provinces; scores are computed from the latest records each time they are shown."},
	"kpi_empty":                 {"ยังไม่มีชุดตัวชี้วัด", "No KPI schemes yet."},
	"kpi_from_template":         {"จากแม่แบบ", "From a template"},
	"kpi_create":                {"สร้างชุดตัวชี้วัดจากแม่แบบ", "Create a scheme from a template"},
	"kpi_template":              {"แม่แบบ", "Template"},
	"kpi_template_has":          {"เกณฑ์ %d ข้อ", "%d criteria"},
	"kpi_points":                {"%d คะแนน", "%d points"},
	"kpi_computed":              {"คำนวณจากระบบ", "Computed"},
	"kpi_entered":               {"จังหวัดกรอก", "Entered by the province"},
	"kpi_name":                  {"ชื่อชุดตัวชี้วัด", "Name"},
	"kpi_period_from":           {"วันเริ่มประเมิน", "Assessment starts"},
	"kpi_period_to":             {"วันสิ้นสุดการประเมิน", "Assessment ends"},
	"kpi_create_submit":         {"สร้างชุดตัวชี้วัด", "Create scheme"},
	"kpi_period":                {"ช่วงประเมิน", "Period"},
	"kpi_n_criteria":            {"%d เกณฑ์", "%d criteria"},
	"kpi_computed_at":           {"คำนวณเมื่อ", "Computed"},
	"kpi_created":               {"สร้างชุดตัวชี้วัดแล้ว", "Scheme created."},
	"kpi_xlsx":                  {"ดาวน์โหลด Excel", "Download Excel"},
	"kpi_csv":                   {"ดาวน์โหลด CSV", "Download CSV"},
	"kpi_ranking":               {"อันดับจังหวัด", "Ranking of the provinces"},
	"kpi_no_rows":               {"ไม่มีจังหวัดในขอบเขตของท่าน", "No province in your scope."},
	"kpi_rank":                  {"อันดับ", "Rank"},
	"kpi_score":                 {"คะแนน", "Score"},
	"kpi_pending":               {"รอตรวจสอบ %d", "%d to verify"},
	"kpi_criteria":              {"เกณฑ์การประเมิน", "Criteria"},
	"kpi_rank_of":               {"อันดับ %d จาก %d จังหวัด", "rank %d of %d provinces"},
	"kpi_criterion_n":           {"ข้อ %d", "%d."},
	"kpi_no_data":               {"ยังไม่มีข้อมูล", "No data yet"},
	"kpi_indicators":            {"ตัวชี้วัด %d ตัว", "%d indicators"},
	"kpi_f_attendance":          {"สูตร: คะแนน = คะแนนเต็ม × (จำนวนการประชุมที่ผู้ว่าราชการจังหวัดหรือรองผู้ว่าราชการจังหวัดเข้าร่วม ÷ จำนวนการประชุมที่จัดในช่วงประเมินจนถึงวันนี้)", "Formula: score = points × (meetings attended by the governor or a vice-governor ÷ meetings held in the period so far)"},
	"kpi_f_attendance_in":       {"ประชุมที่จัด %d ครั้ง เข้าร่วม %d ครั้ง ผู้ว่าฯ หรือรองผู้ว่าฯ เข้าร่วม %d ครั้ง", "%d meetings held, %d attended, %d by the governor or a vice-governor"},
	"kpi_f_operation":           {"สูตร: คะแนน = คะแนนเต็ม × ค่าเฉลี่ยของอัตรารับทราบทันกำหนดและอัตรารายงานผลทันกำหนด ของจังหวัดและอำเภอในจังหวัด ที่ครบกำหนดในช่วงประเมิน", "Formula: score = points × the mean of the on-time acknowledgement rate and the on-time reporting rate of the province and its districts, for what fell due in the period"},
	"kpi_f_acks":                {"รับทราบทันกำหนด %d จาก %d", "%d of %d acknowledged on time"},
	"kpi_f_reports":             {"รายงานผลทันกำหนด %d จาก %d", "%d of %d reported on time"},
	"kpi_counts":                {"คะแนนที่ใช้", "Counts"},
	"kpi_reviewed_by":           {"ตรวจสอบโดย", "Reviewed by"},
	"kpi_return_reason":         {"เหตุผล (กรณีส่งคืน)", "Reason (to return)"},
	"kpi_verify":                {"รับรองคะแนน", "Verify"},
	"kpi_return":                {"ส่งคืน", "Return"},
	"kpi_no_entries":            {"จังหวัดยังไม่ได้กรอกคะแนน", "The province has not entered a score yet."},
	"kpi_enter":                 {"กรอกคะแนนพร้อมหลักฐาน", "Enter the score with evidence"},
	"kpi_enter_score":           {"คะแนน (0–%d)", "Score (0–%d)"},
	"kpi_value":                 {"ค่าที่วัดได้ เช่น ร้อยละ 85", "Value measured, e.g. 85%"},
	"kpi_note":                  {"หมายเหตุ", "Note"},
	"kpi_enter_submit":          {"ส่งคะแนน", "Send score"},
	"kpi_score_number":          {"คะแนนต้องเป็นตัวเลข", "The score must be a number."},
	"kpi_es_submitted":          {"รอตรวจสอบ", "Awaiting verification"},
	"kpi_es_verified":           {"รับรองแล้ว", "Verified"},
	"kpi_es_returned":           {"ส่งคืน", "Returned"},
	"kpi_done_submitted":        {"ส่งคะแนนแล้ว รอฝ่ายเลขานุการตรวจสอบ", "Score sent; the secretariat will verify it."},
	"kpi_done_verified":         {"รับรองคะแนนแล้ว", "Score verified."},
	"kpi_done_returned":         {"ส่งคืนคะแนนแล้ว", "Score returned."},
	"ast_from":                  {"ตั้งแต่วันที่", "From"},
	"ast_to":                    {"ถึงวันที่", "To"},
	"ast_series":                {"ชุดการประชุม", "Meeting series"},
	"ast_total_held":            {"รวมการประชุมที่จัด %d ครั้ง-จังหวัด", "%d province-meetings held"},
	"ast_total_attended":        {"เข้าร่วม %d", "%d attended"},
	"ast_total_head":            {"ผู้ว่าฯ หรือรองผู้ว่าฯ เข้าร่วม %d", "%d by the governor or a vice-governor"},
	"ast_empty":                 {"ไม่มีจังหวัดในขอบเขตของท่าน", "No province in your scope."},
	"ast_held":                  {"ประชุมที่จัด", "Held"},
	"ast_attended":              {"เข้าร่วม", "Attended"},
	"ast_by_head":               {"โดยผู้ว่าฯ", "By governor"},
	"ast_rate":                  {"อัตราเข้าร่วม", "Attendance rate"},
	"ast_head_rate":             {"อัตราผู้ว่าฯ หรือรองผู้ว่าฯ เข้าร่วม", "Governor or vice-governor rate"},
	"ast_head_short":            {"ผู้ว่าฯ", "gov."},

	// The officers' tip pages (issue #15).
	"nav_tips":                       {"เบาะแส", "Tip-offs"},
	"tip_status_under_investigation": {"อยู่ระหว่างสืบสวน", "Under investigation"},
	"tip_status_referred":            {"ส่งต่อหน่วยงานที่เกี่ยวข้อง", "Referred to an agency"},
	"tip_status_arrest_made":         {"จับกุมแล้ว", "Arrest made"},
	"tip_status_no_grounds":          {"ไม่พบการกระทำผิด", "No grounds"},
	"tip_status_closed":              {"ปิดเรื่อง", "Closed"},
	"tips_inbox_title":               {"เบาะแสที่ได้รับ", "Tip-offs received"},
	"tips_inbox_hint":                {"เบาะแสที่ส่งถึงหน่วยงานของท่าน ทุกครั้งที่เปิดอ่านเนื้อหาจะถูกบันทึกว่าใครอ่านเมื่อใด", "The tip-offs routed to your unit. Every reading of their content is recorded: who and when."},
	"tips_counts_title":              {"สรุปเบาะแสทั่วประเทศ", "Tip-offs nationwide"},
	"tips_counts_hint":               {"จำนวนเบาะแสรายจังหวัด แยกตามขั้นตอน ไม่แสดงเนื้อหา", "The number of tip-offs per province and stage; no content is shown."},
	"tips_empty":                     {"ยังไม่มีเบาะแส", "No tip-offs yet."},
	"tips_number":                    {"เบาะแสเลขที่ %d", "Tip-off no. %d"},
	"tips_tip_title":                 {"เบาะแส", "Tip-off"},
	"tips_with":                      {"ผู้รับผิดชอบ", "With"},
	"tips_officials_tag":             {"เกี่ยวกับเจ้าหน้าที่รัฐ", "Officials involved"},
	"tips_referred_up_tag":           {"ส่งถึงฝ่ายเลขานุการ", "Referred to the secretariat"},
	"tips_ack_due":                   {"ต้องรับทราบภายใน", "Acknowledge by"},
	"tips_action_due":                {"ต้องเริ่มดำเนินการภายใน", "First action due"},
	"tips_total":                     {"ทั้งหมด", "Total"},
	"tips_escalated":                 {"ยกระดับ", "Escalated"},
	"tips_all":                       {"รวมทั้งประเทศ", "Nationwide"},
	"tips_referred_list":             {"เบาะแสที่จังหวัดส่งถึงฝ่ายเลขานุการ", "Tip-offs referred to the secretariat"},
	"tips_done_ack":                  {"รับทราบเบาะแสแล้ว", "Tip-off acknowledged."},
	"tips_done_forward":              {"ส่งต่อให้อำเภอแล้ว", "Forwarded to the district."},
	"tips_done_stage":                {"บันทึกขั้นตอนแล้ว", "Stage saved."},
	"tips_done_refer_up":             {"ส่งถึงฝ่ายเลขานุการแล้ว", "Referred to the secretariat."},
	"tips_done_reply":                {"ส่งข้อความถึงผู้แจ้งแล้ว", "Message sent to the informant."},
	"tips_acknowledged":              {"รับทราบ", "Acknowledged"},
	"tips_waiting":                   {"ระบบติดตาม", "Follow-up"},
	"tips_waiting_hint":              {"ยังไม่เริ่มนับกำหนดเวลา ระบบจะเริ่มให้โดยอัตโนมัติ", "Deadlines have not started yet; the system will start them."},
	"tips_audited":                   {"การเปิดอ่านครั้งนี้ถูกบันทึกไว้", "This reading has been recorded."},
	"tips_by_informant":              {"ผู้แจ้ง", "Informant"},
	"tips_by_officer":                {"เจ้าหน้าที่", "Officer"},
	"tips_reply":                     {"ถามหรือแจ้งผู้แจ้ง (ผู้แจ้งอ่านได้ด้วยรหัสรับแจ้ง)", "Ask or tell the informant (read with the receipt code)"},
	"tips_actions":                   {"ดำเนินการ", "Actions"},
	"tips_acknowledge":               {"รับทราบเบาะแส", "Acknowledge"},
	"tips_change_stage":              {"บันทึกความคืบหน้า", "Record progress"},
	"tips_new_stage":                 {"ขั้นตอน", "Stage"},
	"tips_agency":                    {"หน่วยงานที่ส่งต่อ", "Agency referred to"},
	"tips_agency_hint":               {"เฉพาะขั้นส่งต่อหน่วยงาน ไม่เกิน ๒๐๐ ตัวอักษร", "Only for referred; at most 200 characters."},
	"tips_note":                      {"ข้อความถึงผู้แจ้ง (ถ้ามี)", "Note to the informant (optional)"},
	"tips_note_hint":                 {"ผู้แจ้งจะเห็นข้อความนี้เมื่อติดตามเรื่อง อย่าใส่ข้อมูลที่เปิดเผยการสืบสวน", "The informant reads it at follow-up: do not reveal the investigation."},
	"tips_save_stage":                {"บันทึก", "Save"},
	"tips_forward":                   {"ส่งต่อให้อำเภอ", "Forward to a district"},
	"tips_forward_to":                {"อำเภอ", "District"},
	"tips_forward_send":              {"ส่งต่อ", "Forward"},
	"tips_refer_up":                  {"ส่งถึงฝ่ายเลขานุการ ศปก.ครส.", "Refer to the national secretariat"},
	"tips_refer_up_hint":             {"ฝ่ายเลขานุการจะอ่านเนื้อหาเบาะแสนี้ได้", "The secretariat will then be able to read this tip-off."},
}
