package api_test

import (
	"bytes"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
)

// dlGet fetches a file: the status, the headers and the raw bytes.
func dlGet(h *harness, path, token string) (int, http.Header, []byte) {
	h.t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := h.app.Test(req, 30_000)
	if err != nil {
		h.t.Fatalf("GET %s: %v", path, err)
	}
	raw, _ := io.ReadAll(res.Body)
	checkOpenAPI(h.t, req, nil, res, raw)
	return res.StatusCode, res.Header, raw
}

// dlWant checks that a download answers the given bytes under the given
// original name and content type.
func dlWant(t *testing.T, h *harness, path, token string, want []byte, name, contentType string) {
	t.Helper()
	status, hdr, raw := dlGet(h, path, token)
	if status != 200 || !bytes.Equal(raw, want) {
		t.Fatalf("download %s: %d, %d bytes (want %d): %.200s", path, status, len(raw), len(want), raw)
	}
	if hdr.Get("Content-Type") != contentType || hdr.Get("X-Content-Type-Options") != "nosniff" || hdr.Get("ETag") != `"`+asgSHA(want)+`"` {
		t.Fatalf("download headers: %v", hdr)
	}
	disp, params, err := mime.ParseMediaType(hdr.Get("Content-Disposition"))
	if err != nil || disp != "attachment" || params["filename"] != name {
		t.Fatalf("Content-Disposition %q → %q %v %v, want file name %q", hdr.Get("Content-Disposition"), disp, params, err, name)
	}
}

func filePart(name string, data []byte) asgPart {
	return asgPart{field: "file", file: name, data: data}
}

// TestDirectiveAttachmentsAndDownloads attaches the letter and an annex to
// a directive, refuses bad uploads without storing anything, and serves
// attachments and report evidence only to those who may see them.
func TestDirectiveAttachmentsAndDownloads(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		_, dataDir := asgEngine(h)
		admin := h.login("admin", adminPassword)
		asgAccount(h, admin, "rayong", "province", "21")
		asgAccount(h, admin, "muangchon", "district", "2001")
		sec := h.login("sec", "secretariat-pass")
		prov := h.login("chonburi", "province-pass-1")
		rayong := h.login("rayong", "rayong-password")
		dist := h.login("muangchon", "muangchon-password")
		watch := h.login("watch", "observer-pass-1")

		policy := map[string]any{"ack_within": "PT10M", "reminders": []string{"PT5M"}, "escalations": []string{"PT0S", "PT1M", "PT2M"}}
		id := asgIssue(h, sec, asgLetter("ที่ มท ๐๓๑๑.๓/ว ๙๐๕", policy,
			map[string]any{"number": 1, "text": "ส่งภาพกิจกรรม", "due_within": "PT10M", "targets": map[string]any{"provinces": []string{"ชลบุรี"}}}))
		eventually(t, time.Minute, "the assignment of ชลบุรี", func() bool {
			return count(t, db, &models.AssignmentItem{}, "assignment_id LIKE ?", "assignment/"+id+"/%") == 1
		})
		attach := "/api/v1/directives/" + id + "/attachments"

		// The letter as a PDF, with a Thai name.
		letter := asgPDF("หนังสือ มท ว 905", 0)
		res := asgSend(h, attach, sec, "", filePart("หนังสือ มท ว ๙๐๕.pdf", letter))
		if res.Status != 201 {
			t.Fatalf("upload: %d %s", res.Status, res.Raw)
		}
		first := res.Body["items"].([]any)[0].(map[string]any)
		if first["sha256"] != asgSHA(letter) || first["created"] != true || first["content_type"] != "application/pdf" ||
			int(first["size"].(float64)) != len(letter) || first["uploaded_by"] != "sec" || first["name"] != "หนังสือ มท ว ๙๐๕.pdf" {
			t.Fatalf("uploaded attachment: %v", first)
		}
		letterPath := first["download_path"].(string)
		// A retry stores nothing twice, and records no second audit row.
		again := asgSend(h, attach, sec, "", filePart("หนังสือ มท ว ๙๐๕.pdf", letter))
		if again.Status != 200 || again.Body["items"].([]any)[0].(map[string]any)["created"] != false ||
			again.Body["items"].([]any)[0].(map[string]any)["download_path"] != letterPath {
			t.Fatalf("retry: %d %s", again.Status, again.Raw)
		}
		// An annex with the letter again in one request: only the annex is new.
		annex := asgZip(t, "[Content_Types].xml", "word/document.xml")
		res = asgSend(h, attach, sec, "", filePart("บัญชีแนบท้าย.docx", annex), filePart("letter.pdf", letter))
		if res.Status != 201 || len(res.Body["items"].([]any)) != 2 || res.Body["items"].([]any)[0].(map[string]any)["created"] != true ||
			res.Body["items"].([]any)[1].(map[string]any)["created"] != false {
			t.Fatalf("annex upload: %d %s", res.Status, res.Raw)
		}
		if n := count(t, db, &models.DirectiveAttachment{}, "directive_id = ?", id); n != 2 {
			t.Fatalf("attachment rows = %d, want 2", n)
		}
		if n := count(t, db, &models.AuditEvent{}, "action = ? AND entity_id = ?", "directive.attach", id); n != 2 {
			t.Fatalf("audit rows = %d, want 2 (one per upload that stored something)", n)
		}
		stored := asgStoredFiles(t, dataDir)
		if !slices.Equal(stored, []string{asgSHA(annex)[:2] + "/" + asgSHA(annex), asgSHA(letter)[:2] + "/" + asgSHA(letter)}) &&
			!slices.Equal(stored, []string{asgSHA(letter)[:2] + "/" + asgSHA(letter), asgSHA(annex)[:2] + "/" + asgSHA(annex)}) {
			t.Fatalf("stored files: %v", stored)
		}

		// Refused uploads: 4xx naming the part, nothing stored.
		for _, c := range []struct {
			name  string
			parts []asgPart
			field string
		}{
			{"executable", []asgPart{filePart("setup.exe", asgELF)}, "file[0]"},
			{"executable after a good file", []asgPart{filePart("new.pdf", asgPDF("new", 10)), filePart("setup.exe", asgELF)}, "file[1]"},
			{"ELF named .pdf", []asgPart{filePart("fake.pdf", asgELF)}, "file[0]"},
			{"too large", []asgPart{filePart("big.pdf", asgPDF("big", asgMaxUpload))}, "file[0]"},
			{"wrong part name", []asgPart{{field: "evidence", file: "a.pdf", data: letter}}, "evidence"},
			{"value part", []asgPart{filePart("a.pdf", letter), {field: "note", data: []byte("x")}}, "note"},
			{"no file", []asgPart{}, "file"},
		} {
			res := asgSend(h, attach, sec, "", c.parts...)
			if res.Status != 422 {
				t.Fatalf("%s: %d %s", c.name, res.Status, res.Raw)
			}
			errorOf(t, res, 422, "invalid", c.field)
		}
		if r := asgRaw(h, "POST", attach, sec, "application/json", "", []byte(`{"file":"x"}`)); r.Status != 400 {
			t.Fatalf("JSON body: %d %s", r.Status, r.Raw)
		}
		if got := asgStoredFiles(t, dataDir); !slices.Equal(got, stored) {
			t.Fatalf("refused uploads left files: %v, want %v", got, stored)
		}
		if n := count(t, db, &models.DirectiveAttachment{}, ""); n != 2 {
			t.Fatalf("refused uploads stored rows: %d", n)
		}

		// Only the secretariat and admins attach; nobody attaches to what they cannot see.
		errorOf(t, asgSend(h, attach, prov, "", filePart("x.pdf", asgPDF("prov", 0))), 403, "forbidden", "")
		errorOf(t, asgSend(h, attach, watch, "", filePart("x.pdf", asgPDF("watch", 0))), 403, "forbidden", "")
		errorOf(t, asgSend(h, "/api/v1/directives/MOI-0000000000000000/attachments", sec, "", filePart("x.pdf", letter)), 404, "not_found", "")
		if n := count(t, db, &models.DirectiveAttachment{}, ""); n != 2 {
			t.Fatalf("refused uploads stored rows: %d", n)
		}

		// The detail lists them with checksums, in upload order.
		for _, tok := range []string{sec, prov, watch} {
			got := h.do("GET", "/api/v1/directives/"+id, tok, nil)
			atts, _ := got.Body["attachments"].([]any)
			if got.Status != 200 || len(atts) != 2 || atts[0].(map[string]any)["sha256"] != asgSHA(letter) ||
				atts[1].(map[string]any)["sha256"] != asgSHA(annex) || atts[0].(map[string]any)["download_path"] != letterPath {
				t.Fatalf("directive detail attachments: %d %.600s", got.Status, got.Raw)
			}
		}
		// Anyone who may see the directive downloads; others get 404.
		dlWant(t, h, letterPath, sec, letter, "หนังสือ มท ว ๙๐๕.pdf", "application/pdf")
		dlWant(t, h, letterPath, prov, letter, "หนังสือ มท ว ๙๐๕.pdf", "application/pdf")
		dlWant(t, h, letterPath, watch, letter, "หนังสือ มท ว ๙๐๕.pdf", "application/pdf")
		annexPath := res.Body["items"].([]any)[0].(map[string]any)["download_path"].(string)
		dlWant(t, h, annexPath, prov, annex, "บัญชีแนบท้าย.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
		for name, tok := range map[string]string{"another province": rayong, "a district the letter skips": dist} {
			if st, _, raw := dlGet(h, letterPath, tok); st != 404 {
				t.Fatalf("%s downloads: %d %s", name, st, raw)
			}
			errorOf(t, h.do("GET", "/api/v1/directives/"+id, tok, nil), 404, "not_found", "")
		}
		errorOf(t, h.do("GET", attach+"/999999", sec, nil), 404, "not_found", "")
		errorOf(t, h.do("GET", attach+"/first", sec, nil), 422, "invalid", "aid")

		// Report evidence: the unit reports with a photo; it is downloadable
		// by those who see the assignment.
		pic := asgPNG(t, 9)
		rep := asgSend(h, "/api/v1/directives/"+id+"/assignments/20/items/1/reports", prov, "rep-dl-1", asgText("จัดกิจกรรมแล้ว"), asgFile("ภาพกิจกรรม.png", pic))
		if rep.Status != 200 {
			t.Fatalf("report: %d %s", rep.Status, rep.Raw)
		}
		rid := lastReportID(t, rep.Body, 1)
		ev := "/api/v1/directives/" + id + "/assignments/20/items/1/reports/" + rid + "/evidence/"
		dlWant(t, h, ev+"0", sec, pic, "ภาพกิจกรรม.png", "image/png")
		dlWant(t, h, ev+"๐", prov, pic, "ภาพกิจกรรม.png", "image/png")
		errorOf(t, h.do("GET", ev+"1", prov, nil), 404, "not_found", "")
		errorOf(t, h.do("GET", ev+"first", prov, nil), 422, "invalid", "n")
		errorOf(t, h.do("GET", ev+"0", rayong, nil), 404, "not_found", "")
		errorOf(t, h.do("GET", "/api/v1/directives/"+id+"/assignments/20/items/2/reports/"+rid+"/evidence/0", sec, nil), 404, "not_found", "")
		errorOf(t, h.do("GET", "/api/v1/directives/"+id+"/assignments/20/items/1/reports/nope/evidence/0", sec, nil), 404, "not_found", "")
	})
}
