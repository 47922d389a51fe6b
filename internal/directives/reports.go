package directives

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/directives/request"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
)

// Evidence upload limits.
const (
	// MaxEvidenceFiles is the most files one report may carry.
	MaxEvidenceFiles = 10
	// MaxReportTextRunes bounds a report's text (stored in free_texts; the
	// workflow's Update carries its ref).
	MaxReportTextRunes = 20000
	// maxEvidenceNameBytes bounds an evidence file's original name.
	maxEvidenceNameBytes = 255
)

// ReportRequest is the JSON body of POST …/items/{number}/reports for a
// report without files. With files the same fields are sent as
// multipart/form-data: "text", optional "cycle", and up to MaxEvidenceFiles
// parts named "evidence".
type ReportRequest struct {
	Text string `json:"text" validate:"max=20000"`
	// RecordSystem names the national system holding the same result
	// (NISPA, บสต., MOI Drugs GIS); RecordNumber its record number there.
	RecordSystem string `json:"record_system,omitempty" validate:"max=32,singleline"`
	RecordNumber string `json:"record_number,omitempty" validate:"max=64,singleline"`
	// Cycle picks a cycle of a recurring item; 0 or absent means the one
	// waiting for a report.
	Cycle thaidate.FlexInt `json:"cycle,omitempty"`
}

// evidenceType is one accepted kind of evidence file: the content type it
// is stored with and the check its whole content must pass (nil, or why
// not: errWrongContent, or an error saying more).
type evidenceType struct {
	contentType string
	check       func(u *upload) error
}

// evidenceTypes maps the accepted extensions to their types. Both the
// extension and the content must agree, and the content must be of the
// type throughout (filecheck.go): images decode whole, PDFs parse, CSVs
// hold no formula cells.
var evidenceTypes = map[string]evidenceType{
	".jpg":  {"image/jpeg", allOf(sniffed("image/jpeg"), decodedImage("jpeg"))},
	".jpeg": {"image/jpeg", allOf(sniffed("image/jpeg"), decodedImage("jpeg"))},
	".png":  {"image/png", allOf(sniffed("image/png"), decodedImage("png"))},
	".webp": {"image/webp", allOf(sniffed("image/webp"), decodedImage("webp"))},
	".pdf":  {"application/pdf", allOf(sniffed("application/pdf"), pdfDocument)},
	".docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", ooxml("word/")},
	".xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ooxml("xl/")},
	".pptx": {"application/vnd.openxmlformats-officedocument.presentationml.presentation", ooxml("ppt/")},
	".odt":  {"application/vnd.oasis.opendocument.text", odf("application/vnd.oasis.opendocument.text")},
	".ods":  {"application/vnd.oasis.opendocument.spreadsheet", odf("application/vnd.oasis.opendocument.spreadsheet")},
	".doc":  {"application/msword", ole2},
	".xls":  {"application/vnd.ms-excel", ole2},
	".txt":  {"text/plain", plainText},
	".csv":  {"text/csv", csvWithoutFormulas},
}

const allowedEvidenceTH = "jpg, jpeg, png, webp, pdf, docx, xlsx, pptx, doc, xls, odt, ods, txt, csv"

var (
	zipSignature  = []byte("PK\x03\x04")
	ole2Signature = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)

// upload is one evidence file written to a temporary name and checked.
type upload struct {
	field     string
	name      string
	ext       string
	tmp       string
	size      int64
	sha       string
	head      []byte
	binary    bool // a byte that never occurs in text was seen
	f         *os.File
	mem       io.ReaderAt // the content when held in memory instead of f
	finalPath string
	created   bool // this request created the stored file
}

// allOf runs checks in order and returns the first failure.
func allOf(checks ...func(*upload) error) func(*upload) error {
	return func(u *upload) error {
		for _, c := range checks {
			if err := c(u); err != nil {
				return err
			}
		}
		return nil
	}
}

// verdict turns a yes/no check into a check's answer.
func verdict(ok bool) error {
	if ok {
		return nil
	}
	return errWrongContent
}

func sniffed(want string) func(*upload) error {
	return func(u *upload) error { return verdict(http.DetectContentType(u.head) == want) }
}

// ooxml checks an Office Open XML file: a zip with [Content_Types].xml and
// a part under dir ("word/", "xl/", "ppt/").
func ooxml(dir string) func(*upload) error {
	return func(u *upload) error {
		zr, ok := openZip(u)
		if !ok {
			return errWrongContent
		}
		types, part := false, false
		for _, f := range zr.File {
			types = types || f.Name == "[Content_Types].xml"
			part = part || strings.HasPrefix(f.Name, dir)
		}
		return verdict(types && part)
	}
}

// odf checks an OpenDocument file: a zip whose "mimetype" entry is want.
func odf(want string) func(*upload) error {
	return func(u *upload) error {
		zr, ok := openZip(u)
		if !ok {
			return errWrongContent
		}
		for _, f := range zr.File {
			if f.Name != "mimetype" {
				continue
			}
			rc, err := f.Open()
			if err != nil {
				return errWrongContent
			}
			b, err := io.ReadAll(io.LimitReader(rc, 128))
			_ = rc.Close()
			return verdict(err == nil && strings.TrimSpace(string(b)) == want)
		}
		return errWrongContent
	}
}

func openZip(u *upload) (*zip.Reader, bool) {
	if !bytes.HasPrefix(u.head, zipSignature) || http.DetectContentType(u.head) != "application/zip" {
		return nil, false
	}
	zr, err := zip.NewReader(u.at(), u.size)
	return zr, err == nil
}

func ole2(u *upload) error { return verdict(bytes.HasPrefix(u.head, ole2Signature)) }

// plainText accepts content sniffed as plain text throughout (any byte
// that never occurs in text rejects it; UTF-16 is judged by its head).
func plainText(u *upload) error {
	ct := http.DetectContentType(u.head)
	if !strings.HasPrefix(ct, "text/plain") {
		return errWrongContent
	}
	return verdict(strings.Contains(ct, "utf-16") || !u.binary)
}

// isBinaryByte reports the bytes net/http's sniffer treats as binary.
func isBinaryByte(b byte) bool {
	return b <= 0x08 || b == 0x0B || (b >= 0x0E && b <= 0x1A) || (b >= 0x1C && b <= 0x1F)
}

// reportIDFor returns the report ID of a request: the server's own, never
// the client's text. With an Idempotency-Key it is derived from the account
// and the key ("r-" and 32 hex digits), so a retry maps to the same report
// while the same key sent by another account names a different one (no
// report ID leaks across units, and a collision says nothing); without one
// it is a new UUID.
func reportIDFor(p *auth.Principal, key string) string {
	if key == "" {
		return uuid.NewString()
	}
	sum := sha256.Sum256(fmt.Appendf(nil, "%d\n%s", p.AccountID, key))
	return "r-" + hex.EncodeToString(sum[:16])
}

// submitReport answers POST …/items/{number}/reports: the unit's own
// province or district account reports on one item, as JSON (text only) or
// multipart/form-data (text and evidence files). Files are checked and
// written under temporary names first; only when all pass are they moved
// to DataDir/evidence/<sha256[:2]>/<sha256> (content-addressed, so a retry
// stores nothing twice). Files this request added are removed again when
// the workflow rejects the report.
func (s *service) SubmitReport(ctx context.Context, p *auth.Principal, ref ReportRef, sub ReportSubmission) (workflows.AssignmentState, error) {
	var zero workflows.AssignmentState
	if err := requireOwnUnit(p, ref.UnitCode); err != nil {
		return zero, err
	}
	number := ref.ItemNumber
	a, err := s.loadAssignment(ctx, p, ref.DirectiveID, ref.UnitCode)
	if err != nil {
		return zero, err
	}
	db := s.db(ctx)
	reportID := reportIDFor(p, sub.IdempotencyKey)
	var prev []models.Report
	if err := db.Where("id = ?", reportID).Limit(1).Find(&prev).Error; err != nil {
		return zero, err
	}
	if len(prev) > 0 {
		if prev[0].AssignmentID == a.ID && prev[0].ItemNumber == number && prev[0].SubmittedBy == p.Username {
			// A retry of a report already recorded (the first answer was
			// lost): answer with the state, store nothing.
			return s.queryAssignmentState(ctx, a.ID)
		}
		return zero, apperr.New(apperr.Conflict, "รหัสรายงาน (Idempotency-Key) %q ถูกใช้กับรายงานอื่นแล้ว (this report id was already used for another report)", reportID).
			WithDetails(map[string]string{"header": "Idempotency-Key"})
	}
	in, err := s.checkReport(sub)
	if err != nil {
		return zero, err
	}
	in.ReportID, in.UnitCode, in.Actor, in.ItemNumber = reportID, p.UnitCode, p.Username, number
	refs, err := store.SaveTexts(ctx, s.DB, in.Text)
	if err != nil {
		return zero, err
	}
	in.Text, in.TextRef = "", refs[0]
	uploads, err := s.acceptUploads(sub.Files)
	if err != nil {
		return zero, err
	}
	if err := s.storeUploads(uploads); err != nil {
		return zero, err
	}
	for _, u := range uploads {
		in.Evidence = append(in.Evidence, workflows.EvidenceFile{Name: u.name, Size: u.size, SHA256: u.sha,
			StoragePath: evidenceStoragePath(u.sha), ContentType: evidenceTypes[u.ext].contentType})
	}
	out, err := s.updateAssignment(ctx, a.ID, workflows.UpdateReport, in)
	if err != nil {
		if apperr.As(err) != nil {
			// A definite rejection. After any other error (a timeout, an
			// outage) the update may still apply, so the files stay; a
			// retry finds them in place.
			removeUnreferencedFiles(context.WithoutCancel(ctx), s.DB, uploads)
		}
		return zero, err
	}
	return out, nil
}

// ReportSubmission is a unit's report on one item as the HTTP layer (JSON
// or a multipart form) or a web page read it.
type ReportSubmission struct {
	// Text is what was done; required, at most MaxReportTextRunes.
	Text string
	// Cycle picks a cycle of a recurring item; 0 means the one waiting.
	Cycle int
	// Files are the evidence files, at most MaxEvidenceFiles.
	Files []*multipart.FileHeader
	// IdempotencyKey, when set, names the report so that a retry answers
	// the first result instead of reporting twice.
	IdempotencyKey string
	// RecordSystem and RecordNumber, optional, name the same result in a
	// national system (NISPA, บสต., MOI Drugs GIS) and its record number;
	// a number needs a system.
	RecordSystem, RecordNumber string
}

// checkReport validates a submission and returns the workflow input it
// becomes (without the IDs SubmitReport adds).
func (s *service) checkReport(sub ReportSubmission) (workflows.ReportInput, error) {
	in := workflows.ReportInput{Text: sub.Text, Cycle: sub.Cycle, RecordNumber: strings.TrimSpace(sub.RecordNumber)}
	files := sub.Files
	in.Text = strings.TrimSpace(in.Text)
	system, known := request.ReportSystem(sub.RecordSystem)
	switch {
	case !known:
		return in, apperr.Field("record_system", "ระบบต้องเป็น NISPA, บสต. หรือ MOI Drugs GIS (unknown system %q)", sub.RecordSystem)
	case system == "none" && in.RecordNumber != "":
		return in, apperr.Field("record_system", "ระบุระบบที่บันทึกเลขที่รายการ %q (name the system of record number %q)", in.RecordNumber, in.RecordNumber)
	case utf8.RuneCountInString(in.RecordNumber) > 64 || strings.ContainsFunc(in.RecordNumber, unicode.IsControl):
		return in, apperr.Field("record_number", "เลขที่รายการต้องเป็นข้อความบรรทัดเดียว ไม่เกิน 64 ตัวอักษร (one line, at most 64 characters)")
	}
	if system != "none" {
		in.RecordSystem = system
	}
	switch {
	case in.Text == "":
		return in, apperr.Field("text", "กรุณาระบุผลการดำเนินงาน (text is required)")
	case utf8.RuneCountInString(in.Text) > MaxReportTextRunes:
		return in, apperr.Field("text", "ผลการดำเนินงานยาวเกิน %d ตัวอักษร แนบเป็นไฟล์แทน (text longer than %d characters; attach it as a file)", MaxReportTextRunes, MaxReportTextRunes)
	case in.Cycle < 0:
		return in, apperr.Field("cycle", "รอบต้องไม่ติดลบ (cycle must not be negative)")
	case len(files) > MaxEvidenceFiles:
		return in, apperr.Field("evidence", "แนบหลักฐานได้ไม่เกิน %d ไฟล์ต่อรายงาน (at most %d files per report)", MaxEvidenceFiles, MaxEvidenceFiles)
	case len(files) > 0 && s.DataDir == "":
		return in, apperr.New(apperr.Unavailable, "ยังไม่ได้กำหนดที่เก็บไฟล์หลักฐาน (evidence storage is not configured)")
	}
	return in, nil
}

// cleanEvidenceName keeps the base name of an uploaded file without
// control characters.
func cleanEvidenceName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	return strings.TrimSpace(name)
}

// acceptUploads writes every file to a temporary name, hashing and
// checking it; on the first failure every temporary file is removed and
// the error names the file (evidence[i]).
func (s *service) acceptUploads(files []*multipart.FileHeader) (uploads []*upload, err error) {
	if len(files) == 0 {
		return nil, nil
	}
	defer func() {
		if err != nil {
			discardUploads(uploads)
			uploads = nil
		}
	}()
	tmpDir := filepath.Join(s.DataDir, "evidence", "tmp")
	if err := os.MkdirAll(tmpDir, 0o750); err != nil {
		return uploads, err
	}
	for i, fh := range files {
		u := &upload{field: fmt.Sprintf("evidence[%d]", i), name: cleanEvidenceName(fh.Filename)}
		u.ext = strings.ToLower(filepath.Ext(u.name))
		switch {
		case u.name == "" || u.name == u.ext:
			return uploads, apperr.Field(u.field, "ไฟล์ต้องมีชื่อ (the file needs a name)")
		case len(u.name) > maxEvidenceNameBytes:
			return uploads, apperr.Field(u.field, "ชื่อไฟล์ยาวเกิน %d ไบต์ (file name longer than %d bytes)", maxEvidenceNameBytes, maxEvidenceNameBytes)
		case fh.Size > s.MaxUploadBytes:
			return uploads, tooLarge(u.field, s.MaxUploadBytes)
		}
		kind, ok := evidenceTypes[u.ext]
		if !ok {
			return uploads, apperr.Field(u.field, "ไม่รับไฟล์ชนิด %q: รับเฉพาะ %s (file type not allowed)", u.ext, allowedEvidenceTH)
		}
		if err := s.writeTemp(tmpDir, fh, u); err != nil {
			uploads = append(uploads, u) // so that its temporary file is removed
			return uploads, err
		}
		uploads = append(uploads, u)
		if u.size == 0 {
			return uploads, apperr.Field(u.field, "ไฟล์ว่างเปล่า (the file is empty)")
		}
		if err := kind.check(u); errors.Is(err, errWrongContent) {
			return uploads, apperr.Field(u.field, "เนื้อหาไฟล์ %q ไม่ตรงกับชนิด %s (the content is not a valid %s file)", u.name, u.ext, u.ext)
		} else if err != nil {
			return uploads, apperr.Field(u.field, "เนื้อหาไฟล์ %q ไม่ตรงกับชนิด %s (the content is not a valid %s file): %v", u.name, u.ext, u.ext, err)
		}
	}
	return uploads, nil
}

func tooLarge(field string, limit int64) error {
	return apperr.Field(field, "ไฟล์ใหญ่เกิน %s ไบต์ (file larger than %d bytes)", thaidate.ToThaiDigits(fmt.Sprint(limit)), limit)
}

// writeTemp copies one part to a temporary file, computing its SHA-256,
// its first 512 bytes and whether it holds binary bytes; a part over the
// limit is an error.
func (s *service) writeTemp(dir string, fh *multipart.FileHeader, u *upload) error {
	src, err := fh.Open()
	if err != nil {
		return err
	}
	defer src.Close()
	f, err := os.CreateTemp(dir, "upload-*")
	if err != nil {
		return err
	}
	u.tmp, u.f = f.Name(), f
	h := sha256.New()
	buf := make([]byte, 32*1024)
	for {
		n, rerr := src.Read(buf)
		if n > 0 {
			chunk := buf[:n]
			if u.size+int64(n) > s.MaxUploadBytes {
				return tooLarge(u.field, s.MaxUploadBytes)
			}
			if len(u.head) < 512 {
				u.head = append(u.head, chunk[:min(n, 512-len(u.head))]...)
			}
			for _, b := range chunk {
				if u.binary {
					break
				}
				u.binary = isBinaryByte(b)
			}
			h.Write(chunk)
			if _, err := f.Write(chunk); err != nil {
				return err
			}
			u.size += int64(n)
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return rerr
		}
	}
	u.sha = hex.EncodeToString(h.Sum(nil))
	return f.Sync()
}

// evidenceStoragePath is where a file with the given SHA-256 is stored,
// relative to Deps.DataDir.
func evidenceStoragePath(sha string) string {
	return path.Join("evidence", sha[:2], sha)
}

// storeUploads moves checked temporary files to their content-addressed
// names; a file already stored is kept and the temporary copy dropped.
func (s *service) storeUploads(uploads []*upload) error {
	for _, u := range uploads {
		if u.f != nil {
			_ = u.f.Close()
			u.f = nil
		}
	}
	for _, u := range uploads {
		final := filepath.Join(s.DataDir, filepath.FromSlash(evidenceStoragePath(u.sha)))
		if err := os.MkdirAll(filepath.Dir(final), 0o750); err != nil {
			discardUploads(uploads)
			return err
		}
		// A hard link creates the stored file only if no request stored
		// the same content first (atomically, unlike a check followed by a
		// rename), so exactly one request counts it as created and may
		// remove it again.
		// Storage without hard links falls back to a check and a rename.
		err := os.Link(u.tmp, final)
		if err != nil && !errors.Is(err, fs.ErrExist) {
			if _, serr := os.Lstat(final); serr == nil {
				err = fs.ErrExist
			} else if err = os.Rename(u.tmp, final); err != nil {
				discardUploads(uploads)
				return err
			}
		}
		_ = os.Remove(u.tmp)
		u.tmp = ""
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		u.finalPath, u.created = final, true
	}
	return nil
}

// discardUploads removes temporary files and the stored files this
// request created.
func discardUploads(uploads []*upload) {
	for _, u := range uploads {
		if u.f != nil {
			_ = u.f.Close()
			u.f = nil
		}
		if u.tmp != "" {
			_ = os.Remove(u.tmp)
			u.tmp = ""
		}
		if u.created {
			_ = os.Remove(u.finalPath)
			u.created = false
		}
	}
}

// removeUnreferenced undoes storeUploads after a rejected report: files
// this request created are removed unless a stored report already refers
// to the same content (a concurrent report of identical bytes).
func removeUnreferenced(ctx context.Context, db *gorm.DB, uploads []*upload) {
	for _, u := range uploads {
		if !u.created {
			continue
		}
		var n int64
		if err := db.WithContext(ctx).Model(&models.Report{}).Where("evidence LIKE ?", "%"+u.sha+"%").Count(&n).Error; err != nil || n > 0 {
			continue
		}
		_ = os.Remove(u.finalPath)
		u.created = false
	}
}
