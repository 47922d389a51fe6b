package api_test

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/internal/tips/tipstest"
	"github.com/tidtam/tidtam/models"
)

// TestTipsAPI: an informant with no account sends a tip, retries it with
// the same submission ID (same receipt, one tip), reads it back with the
// receipt in the body and adds a message; a wrong receipt is a bare 404
// and guessing is throttled; nothing of the text is stored readable.
func TestTipsAPI(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		body := map[string]any{"province_code": "20", "district_code": "2001", "text": "มีการขายยาเสพติดที่ท่าเรือ TIP-API-MARKER",
			"when": "ทุกเย็น", "officials_involved": true, "submission_id": "9b7f5e0e-2f0c-4d0e-9a55-0c1a"}
		res := h.do("POST", "/api/v1/tips", "", body)
		if res.Status != 201 {
			t.Fatalf("submit: %d %s", res.Status, res.Raw)
		}
		receipt, _ := res.Body["receipt"].(string)
		if len(receipt) != 20 || strings.Trim(receipt, "0123456789") != "" {
			t.Fatalf("receipt %q", receipt)
		}
		again := h.do("POST", "/api/v1/tips", "", body)
		if again.Status != 201 || again.Body["receipt"] != receipt {
			t.Fatalf("retry: %d %s", again.Status, again.Raw)
		}
		if n := storetest.Count(t, db, &models.Tip{}, ""); n != 1 {
			t.Fatalf("%d tips after a retry", n)
		}
		var tip models.Tip
		if err := db.Take(&tip).Error; err != nil {
			t.Fatal(err)
		}
		if tip.Route != models.TipRouteOfficials || tip.RouteUnitCode != "20" || tip.InspectionRegion == nil ||
			strings.Contains(tip.TextSealed, "MARKER") || tip.ReceiptHash == receipt {
			t.Errorf("stored %+v", tip)
		}

		errorOf(t, h.do("POST", "/api/v1/tips", "", map[string]any{"province_code": "20", "district_code": "1001", "text": "x", "submission_id": "b"}), 422, "invalid", "district_code")
		errorOf(t, h.do("POST", "/api/v1/tips", "", map[string]any{"province_code": "20", "text": "", "submission_id": "b"}), 422, "invalid", "text")
		errorOf(t, h.do("POST", "/api/v1/tips", "", map[string]any{"province_code": "20", "text": "x", "submission_id": "b", "ip": "1.2.3.4"}), 422, "invalid", "ip")

		v := h.do("POST", "/api/v1/tips/follow-up", "", map[string]string{"receipt": receipt})
		if v.Status != 200 || v.Body["text"] != body["text"] || v.Body["status"] != "received" || v.Body["officials_involved"] != true {
			t.Fatalf("follow-up: %d %s", v.Status, v.Raw)
		}
		if msgs, _ := v.Body["messages"].([]any); msgs == nil || len(msgs) != 0 {
			t.Fatalf("messages %v, want []", v.Body["messages"])
		}
		m := h.do("POST", "/api/v1/tips/messages", "", map[string]string{"receipt": receipt, "text": "เพิ่มเติม: รถสีแดง"})
		if m.Status != 201 || len(m.Body["messages"].([]any)) != 1 {
			t.Fatalf("message: %d %s", m.Status, m.Raw)
		}

		// Wrong codes: 404 saying nothing, then 429 for this address.
		wrong := "0" + receipt[1:]
		if wrong == receipt {
			wrong = "1" + receipt[1:]
		}
		for range 10 {
			r := h.do("POST", "/api/v1/tips/follow-up", "", map[string]string{"receipt": wrong})
			errorOf(t, r, 404, "not_found", "")
			if strings.Contains(strings.ToLower(string(r.Raw)), "receipt") {
				t.Fatalf("404 says more than not found: %s", r.Raw)
			}
		}
		r := h.do("POST", "/api/v1/tips/follow-up", "", map[string]string{"receipt": receipt})
		errorOf(t, r, 429, "too_many_requests", "")
		errorOf(t, h.do("POST", "/api/v1/tips/messages", "", map[string]string{"receipt": receipt, "text": "x"}), 429, "too_many_requests", "")
	})
}

// TestTipQRCodes: the QR codes of a province and a district, as PNG and
// as SVG, decode to the tip form's link (the district preselected); other
// codes are 404.
func TestTipQRCodes(t *testing.T) {
	db := storetest.SQLite(t)
	h := newHarness(t, db)
	for _, c := range []struct{ code, want string }{
		{"20", "/tip/20"},
		{"2001", "/tip/20?district=2001"},
	} {
		for _, ext := range []string{"png", "svg"} {
			res := h.do("GET", "/api/v1/units/"+c.code+"/tip-qr."+ext, "", nil)
			if res.Status != 200 {
				t.Fatalf("%s.%s: %d %s", c.code, ext, res.Status, res.Raw)
			}
			var img image.Image
			var err error
			if ext == "png" {
				img, err = png.Decode(bytes.NewReader(res.Raw))
			} else {
				img, err = rasterSVG(res.Raw)
			}
			if err != nil {
				t.Fatalf("%s.%s: %v", c.code, ext, err)
			}
			bmp, err := gozxing.NewBinaryBitmapFromImage(img)
			if err != nil {
				t.Fatal(err)
			}
			got, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
			if err != nil {
				t.Fatalf("%s.%s does not decode: %v", c.code, ext, err)
			}
			if !strings.HasSuffix(got.GetText(), c.want) || !strings.HasPrefix(got.GetText(), "http") {
				t.Errorf("%s.%s decodes to %q, want …%s", c.code, ext, got.GetText(), c.want)
			}
		}
	}
	errorOf(t, h.do("GET", "/api/v1/units/ONCB/tip-qr.png", "", nil), 404, "not_found", "")
	errorOf(t, h.do("GET", "/api/v1/units/9999/tip-qr.svg", "", nil), 404, "not_found", "")
}

// rasterSVG draws the unit squares of a tips.QRSVG image ("M x yh1v1h-1z")
// 8 pixels each, so that the decoder reads the SVG's own geometry.
func rasterSVG(svg []byte) (image.Image, error) {
	vb := regexp.MustCompile(`viewBox="0 0 (\d+) (\d+)"`).FindSubmatch(svg)
	if vb == nil {
		return nil, errors.New("no viewBox")
	}
	n, _ := strconv.Atoi(string(vb[1]))
	const scale = 8
	img := image.NewGray(image.Rect(0, 0, n*scale, n*scale))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for _, m := range regexp.MustCompile(`M(\d+) (\d+)h1v1h-1z`).FindAllSubmatch(svg, -1) {
		x, _ := strconv.Atoi(string(m[1]))
		y, _ := strconv.Atoi(string(m[2]))
		for dy := range scale {
			for dx := range scale {
				img.SetGray(x*scale+dx, y*scale+dy, color.Gray{})
			}
		}
	}
	return img, nil
}

// TestTipsOfficersAPI: officers list the tips routed to them — the
// province all of its own, the district those routed to it (not the one
// involving officials), the region's inspector the one involving
// officials — each read audited; the secretariat reads no content.
func TestTipsOfficersAPI(t *testing.T) {
	db := storetest.SQLite(t)
	h := newHarness(t, db)
	addScopeAccounts(t, db)
	for i, tip := range []map[string]any{
		{"province_code": "20", "district_code": "2001", "text": "ขายที่ตลาด"},
		{"province_code": "20", "district_code": "2001", "text": "ตำรวจรับส่วย", "officials_involved": true},
		{"province_code": "50", "text": "เชียงใหม่"},
	} {
		tip["submission_id"] = strconv.Itoa(i)
		if res := h.do("POST", "/api/v1/tips", "", tip); res.Status != 201 {
			t.Fatalf("submit: %d %s", res.Status, res.Raw)
		}
	}
	texts := func(user, pass string) []string {
		t.Helper()
		res := h.do("GET", "/api/v1/tips", h.login(user, pass), nil)
		if res.Status != 200 {
			t.Fatalf("%s: %d %s", user, res.Status, res.Raw)
		}
		var out []string
		for _, it := range res.Body["items"].([]any) {
			out = append(out, it.(map[string]any)["text"].(string))
		}
		return out
	}
	for _, c := range []struct {
		user, pass string
		want       []string
	}{
		{"chonburi", "province-pass-1", []string{"ตำรวจรับส่วย", "ขายที่ตลาด"}},
		{"dist2001", "district-pass-2001", []string{"ขายที่ตลาด"}},
		{"insp8", "inspector-pass-1", []string{"ตำรวจรับส่วย"}},
		{"insp15", "inspector-pass-15", nil},
	} {
		if got := texts(c.user, c.pass); !slices.Equal(got, c.want) {
			t.Errorf("%s sees %q, want %q", c.user, got, c.want)
		}
	}
	// The secretariat reads only what a province referred up: nothing yet.
	if sec := h.do("GET", "/api/v1/tips", h.login("sec", "secretariat-pass"), nil); sec.Status != 200 || sec.Body["total"].(float64) != 0 {
		t.Errorf("secretariat list: %d %s", sec.Status, sec.Raw)
	}
	counts := h.do("GET", "/api/v1/tips/counts", h.login("sec", "secretariat-pass"), nil)
	if counts.Status != 200 || !strings.Contains(string(counts.Raw), `{"province_code":"20","total":2,"by_status":{"received":2},"officials_involved":1,"overdue":0,"escalated":0,"referred_up":0}`) ||
		!strings.Contains(string(counts.Raw), `{"province_code":"50","total":1,`) || strings.Contains(string(counts.Raw), "ตลาด") {
		t.Errorf("counts: %d %s", counts.Status, counts.Raw)
	}
	errorOf(t, h.do("GET", "/api/v1/tips/counts", h.login("chonburi", "province-pass-1"), nil), 403, "forbidden", "")
	if n := storetest.Count(t, db, &models.AuditEvent{}, "action = ? AND entity_type = ?", "tip.read", "tip"); n != 4 {
		t.Errorf("%d tip.read events, want 4 (one per tip shown)", n)
	}
	if n := storetest.Count(t, db, &models.AuditEvent{}, "action = ? AND actor = ?", "tip.read", "insp8"); n != 1 {
		t.Errorf("insp8's read audited %d times", n)
	}

	// The district asks the informant a question; the informant reads it
	// with the receipt. Another district's officer cannot reach the tip.
	var tipID float64
	var receipt string
	for _, it := range h.do("GET", "/api/v1/tips", h.login("dist2001", "district-pass-2001"), nil).Body["items"].([]any) {
		tipID = it.(map[string]any)["id"].(float64)
	}
	dist := h.login("dist2001", "district-pass-2001")
	path := "/api/v1/tips/" + strconv.Itoa(int(tipID)) + "/messages"
	res := h.do("POST", path, dist, map[string]string{"text": "ร้านไหน ช่วงกี่โมง"})
	if res.Status != 201 || len(res.Body["messages"].([]any)) != 1 {
		t.Fatalf("reply: %d %s", res.Status, res.Raw)
	}
	errorOf(t, h.do("POST", path, dist, map[string]string{"text": ""}), 422, "invalid", "text")
	errorOf(t, h.do("POST", "/api/v1/tips/999999/messages", dist, map[string]string{"text": "x"}), 404, "not_found", "")
	errorOf(t, h.do("POST", path, h.login("insp8", "inspector-pass-1"), map[string]string{"text": "x"}), 404, "not_found", "")
	errorOf(t, h.do("POST", path, h.login("sec", "secretariat-pass"), map[string]string{"text": "x"}), 403, "forbidden", "")
	if n := storetest.Count(t, db, &models.AuditEvent{}, "action = ?", "tip.reply"); n != 1 {
		t.Errorf("%d tip.reply events", n)
	}
	if n := storetest.Count(t, db, &models.AuditEvent{}, "after LIKE ?", "%ร้านไหน%"); n != 0 {
		t.Errorf("the reply's text is in the audit trail")
	}
	// The informant's side: submit one more with a known receipt.
	r := h.do("POST", "/api/v1/tips", "", map[string]any{"province_code": "20", "district_code": "2001", "text": "อีกเรื่อง", "submission_id": "x"})
	receipt = r.Body["receipt"].(string)
	for _, it := range h.do("GET", "/api/v1/tips?limit=1", dist, nil).Body["items"].([]any) {
		tipID = it.(map[string]any)["id"].(float64)
	}
	h.do("POST", "/api/v1/tips/"+strconv.Itoa(int(tipID))+"/messages", dist, map[string]string{"text": "ขอรายละเอียดเพิ่ม"})
	f := h.do("POST", "/api/v1/tips/follow-up", "", map[string]string{"receipt": receipt})
	msgs, _ := f.Body["messages"].([]any)
	if f.Status != 200 || len(msgs) != 1 || msgs[0].(map[string]any)["author"] != "officer" || msgs[0].(map[string]any)["text"] != "ขอรายละเอียดเพิ่ม" {
		t.Errorf("the informant does not read the officer's question: %d %s", f.Status, f.Raw)
	}
}

// TestTipFilesAPI: a tip sent as multipart with a JPEG carrying EXIF GPS
// tags; the informant sees its name and size, the district downloads it
// (audited) without the EXIF, still a JPEG; a wrong type or an oversized
// file is 422 naming the part; the raw tables hold no EXIF.
func TestTipFilesAPI(t *testing.T) {
	db := storetest.SQLite(t)
	h := newHarness(t, db)
	addScopeAccounts(t, db)
	photo := tipstest.ExifJPEG(40, 30)
	fields := []asgPart{{field: "province_code", data: []byte("20")}, {field: "district_code", data: []byte("2001")},
		{field: "text", data: []byte("รถขนยาจอดที่นี่")}, {field: "officials_involved", data: []byte("false")}}
	send := func(sub string, files ...asgPart) response {
		t.Helper()
		parts := append(slices.Clone(fields), asgPart{field: "submission_id", data: []byte(sub)})
		return asgSend(h, "/api/v1/tips", "", "", append(parts, files...)...)
	}
	file := func(name string, data []byte) asgPart { return asgPart{field: "files", file: name, data: data} }
	res := send("mp-1", file("photo.jpg", photo))
	if res.Status != 201 {
		t.Fatalf("submit: %d %s", res.Status, res.Raw)
	}
	receipt := res.Body["receipt"].(string)
	v := h.do("POST", "/api/v1/tips/follow-up", "", map[string]string{"receipt": receipt})
	files, _ := v.Body["files"].([]any)
	if v.Status != 200 || len(files) != 1 || files[0].(map[string]any)["name"] != "photo.jpg" {
		t.Fatalf("follow-up: %d %s", v.Status, v.Raw)
	}
	errorOf(t, send("mp-2", file("a.gif", []byte("GIF89a"))), 422, "invalid", "files[0]")
	errorOf(t, send("mp-3", file("a.jpg", append(bytes.Clone(photo), make([]byte, 5<<20)...))), 422, "invalid", "files[0]")
	errorOf(t, send("mp-4", asgPart{field: "ip", data: []byte("1.2.3.4")}), 422, "invalid", "ip")

	var tip models.Tip
	if err := db.Take(&tip).Error; err != nil {
		t.Fatal(err)
	}
	path := "/api/v1/tips/" + strconv.FormatInt(tip.ID, 10) + "/files/1"
	errorOf(t, h.do("GET", path, h.login("insp8", "inspector-pass-1"), nil), 404, "not_found", "")
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("Authorization", "Bearer "+h.login("dist2001", "district-pass-2001"))
	got, err := h.app.Test(req, 30_000)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(got.Body)
	checkOpenAPI(t, req, nil, got, raw)
	if got.StatusCode != 200 || got.Header.Get("Content-Type") != "image/jpeg" || bytes.Contains(raw, []byte("Exif")) ||
		bytes.Contains(raw, []byte(tipstest.GPSMarker)) || !strings.Contains(got.Header.Get("Content-Disposition"), "photo.jpg") {
		t.Fatalf("download: %d %v", got.StatusCode, got.Header)
	}
	if _, err := jpeg.Decode(bytes.NewReader(raw)); err != nil {
		t.Fatalf("the download does not decode: %v", err)
	}
	if n := storetest.Count(t, db, &models.AuditEvent{}, "action = ? AND actor = ?", "tip.file.read", "dist2001"); n != 1 {
		t.Errorf("%d tip.file.read events, want 1", n)
	}
	var sealed []string
	if err := db.Model(&models.TipFile{}).Pluck("data_sealed", &sealed).Error; err != nil || len(sealed) != 1 ||
		strings.Contains(sealed[0], "Exif") || strings.Contains(sealed[0], tipstest.GPSMarker) {
		t.Fatalf("stored %d files: %v", len(sealed), err)
	}
}

// TestTipFollowUpFilesAPI: with the receipt in a multipart body, the
// informant adds a JPEG carrying EXIF GPS tags (and then a file without
// text) to a tip sent without files; the province officer lists and
// downloads it without the EXIF, still a JPEG; a refused part stores
// nothing; the raw database holds neither the image's metadata nor the
// file's name nor the message.
func TestTipFollowUpFilesAPI(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		res := h.do("POST", "/api/v1/tips", "", map[string]any{"province_code": "20", "text": "โกดังริมถนน", "submission_id": "fu-1"})
		if res.Status != 201 {
			t.Fatalf("submit: %d %s", res.Status, res.Raw)
		}
		receipt := res.Body["receipt"].(string)
		const name, text = "FOLLOWUP-PHOTO-7.jpg", "ภาพรถที่มาส่งของ FOLLOWUP-TEXT-MARKER"
		photo := tipstest.ExifJPEG(40, 30)
		part := func(k, v string) asgPart { return asgPart{field: k, data: []byte(v)} }
		file := func(n string, data []byte) asgPart { return asgPart{field: "files", file: n, data: data} }
		add := func(parts ...asgPart) response {
			t.Helper()
			return asgSend(h, "/api/v1/tips/messages", "", "", parts...)
		}
		m := add(part("receipt", receipt), part("text", text), file(name, photo))
		files, _ := m.Body["files"].([]any)
		if m.Status != 201 || len(files) != 1 || files[0].(map[string]any)["name"] != name || files[0].(map[string]any)["seq"] != 1.0 ||
			len(m.Body["messages"].([]any)) != 1 {
			t.Fatalf("add: %d %s", m.Status, m.Raw)
		}
		// Refused parts store nothing; a file alone needs no text.
		errorOf(t, add(part("receipt", receipt), part("text", "x"), file("a.gif", []byte("GIF89a"))), 422, "invalid", "files[0]")
		errorOf(t, add(part("receipt", receipt), part("text", "x"), file("b.jpg", append(bytes.Clone(photo), make([]byte, 5<<20)...))), 422, "invalid", "files[0]")
		errorOf(t, add(part("receipt", receipt), part("text", " ")), 422, "invalid", "text")
		errorOf(t, add(part("receipt", receipt), part("ip", "1.2.3.4"), file("c.jpg", photo)), 422, "invalid", "ip")
		errorOf(t, add(part("receipt", "12345678901234567890"), file("c.jpg", photo)), 404, "not_found", "")
		m = add(part("receipt", receipt), file("plan.png", asgPNG(t, 7)))
		if files, _ := m.Body["files"].([]any); m.Status != 201 || len(files) != 2 || len(m.Body["messages"].([]any)) != 1 {
			t.Fatalf("a file alone: %d %s", m.Status, m.Raw)
		}
		if n := storetest.Count(t, db, &models.TipFile{}, ""); n != 2 {
			t.Fatalf("%d files stored, want 2", n)
		}

		var tip models.Tip
		if err := db.Take(&tip).Error; err != nil {
			t.Fatal(err)
		}
		prov := h.login("chonburi", "province-pass-1")
		v := h.do("GET", "/api/v1/tips/"+strconv.FormatInt(tip.ID, 10), prov, nil)
		if files, _ := v.Body["files"].([]any); v.Status != 200 || len(files) != 2 || files[0].(map[string]any)["name"] != name {
			t.Fatalf("the province's view: %d %s", v.Status, v.Raw)
		}
		req := httptest.NewRequest("GET", "/api/v1/tips/"+strconv.FormatInt(tip.ID, 10)+"/files/1", nil)
		req.Header.Set("Authorization", "Bearer "+prov)
		got, err := h.app.Test(req, 30_000)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(got.Body)
		checkOpenAPI(t, req, nil, got, raw)
		if got.StatusCode != 200 || got.Header.Get("Content-Type") != "image/jpeg" || bytes.Contains(raw, []byte("Exif")) ||
			bytes.Contains(raw, []byte(tipstest.GPSMarker)) || bytes.Contains(raw, tipstest.GPSLatitude) {
			t.Fatalf("download: %d %v", got.StatusCode, got.Header)
		}
		if _, err := jpeg.Decode(bytes.NewReader(raw)); err != nil {
			t.Fatalf("the download does not decode: %v", err)
		}
		tipstest.AssertNoPlaintext(t, db, "Exif\x00\x00", tipstest.GPSMarker, string(tipstest.GPSLatitude), name, "FOLLOWUP-TEXT-MARKER")
	})
}
