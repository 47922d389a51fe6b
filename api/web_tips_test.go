package api_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tidtam/tidtam/internal/browsertest"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/internal/tips/tipstest"
	"github.com/tidtam/tidtam/models"
)

var (
	csrfInput     = regexp.MustCompile(`name="_csrf" value="([0-9a-f]+)"`)
	submissionIn  = regexp.MustCompile(`name="submission_id" value="([0-9a-f]+)"`)
	receiptOnPage = regexp.MustCompile(`id="receipt"><strong>([0-9 ]+)</strong>`)
)

// TestWebTipsSetNoCookies: the public tip pages, in English, set no cookie
// but the CSRF token's pre-session cookie (no language, digits or session
// cookie), never put the receipt in a URL, and a form sent twice (same
// submission ID) stores one tip and shows the same receipt.
func TestWebTipsSetNoCookies(t *testing.T) {
	db := storetest.SQLite(t)
	h := newHarness(t, db)
	jar := map[string]string{}
	send := func(method, path string, form url.Values) (int, string, http.Header) {
		t.Helper()
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req := httptest.NewRequest(method, path, body)
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		for k, v := range jar {
			req.AddCookie(&http.Cookie{Name: k, Value: v})
		}
		res, err := h.app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		for _, c := range res.Cookies() {
			if c.Name != "tidtam_pre" {
				t.Errorf("%s %s sets cookie %s", method, path, c.Name)
			}
			jar[c.Name] = c.Value
		}
		if loc := res.Header.Get("Location"); loc != "" && regexp.MustCompile(`[0-9]{20}`).MatchString(loc) {
			t.Errorf("a receipt in a URL: %s", loc)
		}
		return res.StatusCode, string(b), res.Header
	}
	status, _, hdr := send("GET", "/tip?lang=en&province=20", nil)
	if status != 303 || hdr.Get("Location") != "/tip/20?lang=en" {
		t.Fatalf("choose: %d %s", status, hdr.Get("Location"))
	}
	status, page, _ := send("GET", "/tip/20?lang=en", nil)
	if status != 200 || !strings.Contains(page, "Send the tip") || !strings.Contains(page, `value="2001"`) {
		t.Fatalf("form: %d", status)
	}
	form := url.Values{"_csrf": {csrfInput.FindStringSubmatch(page)[1]}, "submission_id": {submissionIn.FindStringSubmatch(page)[1]},
		"text": {"ขายยาในหอพัก WEB-TIP-MARKER"}, "district_code": {"2001"}, "when": {"nightly"}}
	var receipts []string
	for range 2 {
		status, page, hdr = send("POST", "/tip/20?lang=en", form)
		m := receiptOnPage.FindStringSubmatch(page)
		if status != 201 || m == nil || hdr.Get("Cache-Control") != "no-store" || hdr.Get("Referrer-Policy") != "no-referrer" {
			t.Fatalf("receipt page: %d %v", status, hdr)
		}
		receipts = append(receipts, m[1])
	}
	if receipts[0] != receipts[1] || storetest.Count(t, db, &models.Tip{}, "") != 1 {
		t.Fatalf("sent twice: receipts %v", receipts)
	}
	status, page, _ = send("POST", "/tip/follow-up?lang=en", url.Values{"_csrf": form["_csrf"], "receipt": {receipts[0]}})
	if status != 200 || !strings.Contains(page, "WEB-TIP-MARKER") || !strings.Contains(page, "Received") {
		t.Fatalf("follow-up: %d", status)
	}
	status, page, _ = send("POST", "/tip/follow-up/messages?lang=en", url.Values{"_csrf": form["_csrf"], "receipt": {receipts[0]}, "text": {"more"}})
	if status != 200 || !strings.Contains(page, "Message sent") {
		t.Fatalf("message: %d", status)
	}
	status, page, _ = send("POST", "/tip/follow-up?lang=en", url.Values{"_csrf": form["_csrf"], "receipt": {"00000000000000000000"}})
	if status != 404 || !strings.Contains(page, "Not found") {
		t.Fatalf("wrong receipt: %d", status)
	}
	// Without the CSRF token nothing is stored.
	status, _, _ = send("POST", "/tip/20", url.Values{"text": {"x"}, "submission_id": {"other"}})
	if status != 403 || storetest.Count(t, db, &models.Tip{}, "") != 1 {
		t.Fatalf("no CSRF token: %d", status)
	}
}

// TestWebTipPhone: an informant on a phone chooses the province, sends a
// tip, gets the receipt code, follows the tip up with it, adds a message,
// then a photo with an answer; then the form in English.
func TestWebTipPhone(t *testing.T) {
	db := storetest.SQLite(t)
	h := newHarness(t, db)
	base := serveHTTP(h)
	tab := browsertest.New(t, base).Tab(t, browsertest.Phone)
	tab.Open(t, "/tip")
	tab.Shot(t, "tip-choose")
	tab.Run(t, chromedp.SetValue(chromedp.CSS("#province"), "20"))
	tab.Click(t, "#tip-next")
	if loc := tab.Location(t); !strings.HasSuffix(loc, "/tip/20") {
		t.Fatalf("after choosing: %s", loc)
	}
	tab.Run(t, chromedp.SendKeys(chromedp.CSS("#text"), "มีการขายยาบ้าที่ร้านค้าหน้าโรงเรียน ช่วงเย็น"),
		chromedp.SetValue(chromedp.CSS("#district_code"), "2001"),
		chromedp.SendKeys(chromedp.CSS("#when"), "ทุกวันหลังเลิกเรียน"))
	tab.Shot(t, "tip-form")
	tab.Expect("status of 201")
	tab.Click(t, "#tip-send")
	receipt := strings.ReplaceAll(tab.Text(t, "#receipt"), " ", "")
	if len(receipt) != 20 {
		t.Fatalf("receipt shown: %q", receipt)
	}
	if loc := tab.Location(t); strings.Contains(loc, receipt) {
		t.Fatalf("receipt in the URL %s", loc)
	}
	tab.Shot(t, "tip-receipt")
	tab.Click(t, "#tip-followup-link")
	tab.Run(t, chromedp.SendKeys(chromedp.CSS("#receipt"), receipt))
	tab.Click(t, "#tip-open")
	if got := tab.Text(t, "#tip-text"); !strings.Contains(got, "หน้าโรงเรียน") {
		t.Fatalf("follow-up shows %q", got)
	}
	if got := tab.Text(t, "#tip-status"); got != "ได้รับเรื่องแล้ว" {
		t.Errorf("status %q", got)
	}
	tab.Shot(t, "tip-followup")
	tab.Run(t, chromedp.SendKeys(chromedp.CSS("#text"), "รถจักรยานยนต์สีดำ ทะเบียนกรุงเทพ"))
	tab.Click(t, "#tip-reply")
	if got := tab.Text(t, "#tip-messages"); !strings.Contains(got, "รถจักรยานยนต์สีดำ") {
		t.Fatalf("messages %q", got)
	}
	if got := tab.Text(t, "#flash"); got != "ส่งข้อความแล้ว" {
		t.Errorf("flash %q", got)
	}
	tab.Shot(t, "tip-message")
	// A photo (with GPS in its EXIF) added at follow-up, with an answer.
	photo := filepath.Join(t.TempDir(), "ภาพเพิ่มเติม.jpg")
	if err := os.WriteFile(photo, tipstest.ExifJPEG(64, 48), 0o600); err != nil {
		t.Fatal(err)
	}
	tab.Run(t, chromedp.SendKeys(chromedp.CSS("#text"), "ภาพรถคันนั้น"),
		chromedp.SetUploadFiles(chromedp.CSS("#files"), []string{photo}))
	tab.Shot(t, "tip-followup-file")
	tab.Click(t, "#tip-reply")
	if got := tab.Text(t, "#tip-files"); !strings.Contains(got, "ภาพเพิ่มเติม.jpg") {
		t.Fatalf("files after adding one at follow-up: %q", got)
	}
	if got := tab.Text(t, "#tip-messages"); !strings.Contains(got, "ภาพรถคันนั้น") {
		t.Fatalf("messages %q", got)
	}
	tab.Shot(t, "tip-followup-file-sent")
	tab.Expect("status of 404")
	tab.Open(t, "/tip/follow-up")
	tab.Run(t, chromedp.SendKeys(chromedp.CSS("#receipt"), "1234"))
	tab.Click(t, "#tip-open")
	if got := tab.Text(t, "#receipt-error"); got != "ไม่พบ" {
		t.Errorf("wrong code: %q", got)
	}
	tab.Open(t, "/tip/20?lang=en")
	assertEnglish(t, tab)
	tab.Shot(t, "tip-form-en")
	tab.AssertClean(t)
	var tip models.Tip
	if err := db.Take(&tip).Error; err != nil || tip.RouteUnitCode != "2001" || strings.Contains(tip.TextSealed, "โรงเรียน") {
		t.Errorf("stored %+v %v", tip, err)
	}
	tipstest.AssertNoPlaintext(t, db, "Exif\x00\x00", tipstest.GPSMarker, "ภาพเพิ่มเติม.jpg", "ภาพรถคันนั้น")
}

// TestWebTipPoster: a province officer opens the printable sign of one of
// its districts: the centre's name, the QR code (loaded from the API) and
// the link to the district's tip form; printed to A4 as one page.
func TestWebTipPoster(t *testing.T) {
	db := storetest.SQLite(t)
	h := newHarness(t, db)
	base := serveHTTP(h)
	tab := browsertest.New(t, base).Tab(t, browsertest.Desktop)
	tab.Open(t, "/units/2001/tip-poster")
	signIn(t, tab, "chonburi", "province-pass-1")
	if got := tab.Text(t, "#poster-unit"); got != "ศป.ปส.อ.เมืองชลบุรี จังหวัดชลบุรี" {
		t.Errorf("unit %q", got)
	}
	if got := tab.Text(t, "#poster-link"); got != base+"/tip/20?district=2001" {
		t.Errorf("link %q", got)
	}
	loaded := false
	for _, r := range tab.Requests() {
		loaded = loaded || strings.HasSuffix(r, "/api/v1/units/2001/tip-qr.svg")
	}
	if !loaded {
		t.Errorf("the QR code was not loaded: %v", tab.Requests())
	}
	tab.Shot(t, "tip-poster")
	if pdf := tab.PDF(t, "tip-poster"); strings.Count(string(pdf), "/Type /Page\n") > 1 || strings.Count(string(pdf), "/Type/Page/") > 1 {
		t.Errorf("the sign prints on more than one page")
	}
	tab.AssertClean(t)
}

// TestWebTipFiles: the tip form sends a photo (multipart, with the CSRF
// token as a field); the follow-up page lists its name and size; a file
// of a wrong type comes back as an error at the file input and stores
// nothing.
func TestWebTipFiles(t *testing.T) {
	db := storetest.SQLite(t)
	h := newHarness(t, db)
	var pre *http.Cookie
	get := httptest.NewRequest("GET", "/tip/20?lang=en", nil)
	res, err := h.app.Test(get, -1)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	page := string(b)
	for _, c := range res.Cookies() {
		pre = c
	}
	if pre == nil || !strings.Contains(page, `enctype="multipart/form-data"`) || !strings.Contains(page, `name="files"`) {
		t.Fatalf("form: %d", res.StatusCode)
	}
	csrf := csrfInput.FindStringSubmatch(page)[1]
	post := func(path string, sub, name string, data []byte) (int, string) {
		t.Helper()
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for k, v := range map[string]string{"_csrf": csrf, "submission_id": sub, "text": "ภาพหน้าร้าน", "district_code": "2001"} {
			_ = mw.WriteField(k, v)
		}
		fw, _ := mw.CreateFormFile("files", name)
		_, _ = fw.Write(data)
		_ = mw.Close()
		req := httptest.NewRequest("POST", path, &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.AddCookie(pre)
		res, err := h.app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	status, page := post("/tip/20?lang=en", "web-file-2", "a.gif", []byte("GIF89a"))
	if status != 422 || !strings.Contains(page, `id="files-error"`) || storetest.Count(t, db, &models.Tip{}, "") != 0 {
		t.Fatalf("wrong type: %d", status)
	}
	status, page = post("/tip/20?lang=en", "web-file-1", "shop.jpg", tipstest.ExifJPEG(32, 24))
	m := receiptOnPage.FindStringSubmatch(page)
	if status != 201 || m == nil {
		t.Fatalf("receipt page: %d", status)
	}
	form := url.Values{"_csrf": {csrf}, "receipt": {m[1]}}
	req := httptest.NewRequest("POST", "/tip/follow-up?lang=en", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(pre)
	res, err = h.app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(res.Body)
	if res.StatusCode != 200 || !regexp.MustCompile(`id="tip-files">\s*<li>shop\.jpg <span class="muted">\([0-9,]+ B\)`).Match(b) {
		t.Fatalf("follow-up: %d %s", res.StatusCode, b)
	}
}

// TestWebTipChallenge: on a phone, an informant whose address is over the
// submission throttle (one tip, in this test's wiring) gets the form back
// with a challenge — the picture, the recording's link, the answer field —
// instead of a refusal; a wrong answer brings a new picture with an
// error, the right one stores the tip and shows the receipt, without
// JavaScript doing anything. The expected answer comes from the service's
// test-only hook, never from the page. The English page is English.
func TestWebTipChallenge(t *testing.T) {
	db := storetest.SQLite(t)
	h, answers := newThrottledHarness(t, db, 1)
	base := serveHTTP(h)
	tab := browsertest.New(t, base).Tab(t, browsertest.Phone)
	tab.Expect("status of 201", "status of 429")
	send := func(path, text string) {
		t.Helper()
		tab.Open(t, path)
		tab.Run(t, chromedp.SendKeys(chromedp.CSS("#text"), text))
		tab.Click(t, "#tip-send")
	}
	send("/tip/20", "ขายยาบ้าที่ร้านเกม")
	if got := strings.ReplaceAll(tab.Text(t, "#receipt"), " ", ""); len(got) != 20 {
		t.Fatalf("first tip: receipt %q", got)
	}
	send("/tip/20", "ขายยาบ้าที่ร้านเกมอีกแห่ง CHALLENGE-MARKER")
	if !tab.Exists(t, "#tip-challenge") || !strings.Contains(tab.Text(t, "#tip-error"), "ตัวเลขในภาพ") {
		t.Fatalf("no challenge after the throttle: %q", tab.Text(t, "main"))
	}
	if got := tab.Value(t, "#text"); !strings.Contains(got, "CHALLENGE-MARKER") {
		t.Errorf("the text was not kept: %q", got)
	}
	loaded := false
	for _, r := range tab.Requests() {
		loaded = loaded || strings.Contains(r, "/api/v1/tips/challenges/"+tab.Value(t, "input[name=challenge_id]")+"/image.png")
	}
	if !loaded {
		t.Errorf("the challenge's picture was not loaded: %v", tab.Requests())
	}
	tab.Shot(t, "tip-challenge")
	first := tab.Value(t, "input[name=challenge_id]")
	tab.Run(t, chromedp.SendKeys(chromedp.CSS("#challenge_answer"), "000000x"))
	tab.Click(t, "#tip-send")
	if !tab.Exists(t, "#challenge-error") || tab.Value(t, "input[name=challenge_id]") == first {
		t.Fatalf("a wrong answer: no error or the same picture")
	}
	tab.Shot(t, "tip-challenge-wrong")
	answer := answers.of(tab.Value(t, "input[name=challenge_id]"))
	if answer == "" {
		t.Fatal("the hook did not record the challenge")
	}
	tab.Run(t, chromedp.SendKeys(chromedp.CSS("#challenge_answer"), answer))
	tab.Click(t, "#tip-send")
	if got := strings.ReplaceAll(tab.Text(t, "#receipt"), " ", ""); len(got) != 20 {
		t.Fatalf("after solving: receipt %q", got)
	}
	tab.Shot(t, "tip-challenge-solved")
	if n := storetest.Count(t, db, &models.Tip{}, ""); n != 2 {
		t.Fatalf("%d tips, want 2", n)
	}
	send("/tip/20?lang=en", "another one")
	if !tab.Exists(t, "#tip-challenge") {
		t.Fatal("no challenge in English")
	}
	assertEnglish(t, tab)
	tab.Shot(t, "tip-challenge-en")
	tab.AssertClean(t)
}
