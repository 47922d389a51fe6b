package directives

import (
	"bytes"
	"errors"
	"mime/multipart"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tidtam/tidtam/internal/apperr"
)

// EvidenceStore lends the evidence-file machinery of reports to other
// domains (KPI entries), so that every uploaded file in tidtam passes the
// same checks and lands in the same content-addressed store: the extension
// must be one of the accepted types and the whole content must agree with
// it (filecheck.go), each file at most MaxUploadBytes, stored under
// DataDir/evidence/<sha256[:2]>/<sha256>.
type EvidenceStore struct {
	// DataDir is the data directory (Deps.DataDir); empty means no
	// storage (Save answers Unavailable).
	DataDir string
	// MaxUploadBytes limits one file.
	MaxUploadBytes int64
}

// StoredEvidence is one file EvidenceStore.Save checked and stored.
type StoredEvidence struct {
	Name        string
	Size        int64
	SHA256      string
	ContentType string
}

// Save checks files (at most MaxEvidenceFiles; none is fine) and stores
// them, in order. A refused file is Invalid naming the part field[i] (too
// large, no name, type not accepted, content not of its type) and nothing
// is stored; too many files is Invalid field. Stored content stays in the
// store even when the caller's own write fails afterwards: it is
// content-addressed, so a retry stores nothing twice, and content a report
// may share is never removed from under it. Unavailable when DataDir is
// empty and there are files.
func (e EvidenceStore) Save(field string, files []*multipart.FileHeader) ([]StoredEvidence, error) {
	switch {
	case len(files) == 0:
		return nil, nil
	case len(files) > MaxEvidenceFiles:
		return nil, apperr.Field(field, "แนบหลักฐานได้ไม่เกิน %d ไฟล์ (at most %d files)", MaxEvidenceFiles, MaxEvidenceFiles)
	case e.DataDir == "":
		return nil, apperr.New(apperr.Unavailable, "ยังไม่ได้กำหนดที่เก็บไฟล์หลักฐาน (evidence storage is not configured)")
	}
	s := &service{Deps: Deps{DataDir: e.DataDir, MaxUploadBytes: e.MaxUploadBytes}}
	uploads, err := s.acceptUploads(files)
	if err != nil {
		return nil, renameField(err, "evidence", field)
	}
	if err := s.storeUploads(uploads); err != nil {
		return nil, err
	}
	out := make([]StoredEvidence, len(uploads))
	for i, u := range uploads {
		out[i] = StoredEvidence{Name: u.name, Size: u.size, SHA256: u.sha, ContentType: evidenceTypes[u.ext].contentType}
	}
	return out, nil
}

// Open opens the stored file with checksum sha to be sent under name with
// contentType (the caller streams and closes it). NotFound when the file
// is missing from the store; Internal for a malformed checksum or no
// DataDir.
func (e EvidenceStore) Open(sha, name, contentType string) (StoredFile, error) {
	s := &service{Deps: Deps{DataDir: e.DataDir}}
	return s.openStored(sha, name, contentType)
}

// CheckContent checks one file held in memory (never written to disk)
// with the same checks as evidence (filecheck.go): its name must end in
// one of allowed (lower-case extensions with the dot, each an evidence
// type, e.g. ".jpg") and its whole content must be of that type. It
// returns the content type the file is stored with. Invalid naming field
// when the name is missing or too long, the file is empty, the extension
// is not allowed or the content does not agree with it.
func CheckContent(field, name string, data []byte, allowed ...string) (contentType string, err error) {
	u := &upload{field: field, name: cleanEvidenceName(name), size: int64(len(data))}
	u.ext = strings.ToLower(filepath.Ext(u.name))
	switch {
	case u.name == "" || u.name == u.ext:
		return "", apperr.Field(field, "ไฟล์ต้องมีชื่อ (the file needs a name)")
	case len(u.name) > maxEvidenceNameBytes:
		return "", apperr.Field(field, "ชื่อไฟล์ยาวเกิน %d ไบต์ (file name longer than %d bytes)", maxEvidenceNameBytes, maxEvidenceNameBytes)
	}
	kind, ok := evidenceTypes[u.ext]
	if !ok || !slices.Contains(allowed, u.ext) {
		return "", apperr.Field(field, "ไม่รับไฟล์ชนิด %q: รับเฉพาะ %s (file type not allowed)", u.ext,
			strings.Join(allowed, ", "))
	}
	if len(data) == 0 {
		return "", apperr.Field(field, "ไฟล์ว่างเปล่า (the file is empty)")
	}
	u.mem = bytes.NewReader(data)
	u.head = data[:min(len(data), 512)]
	for _, b := range data {
		if isBinaryByte(b) {
			u.binary = true
			break
		}
	}
	if err := kind.check(u); errors.Is(err, errWrongContent) {
		return "", apperr.Field(field, "เนื้อหาไฟล์ %q ไม่ตรงกับชนิด %s (the content is not a valid %s file)", u.name, u.ext, u.ext)
	} else if err != nil {
		return "", apperr.Field(field, "เนื้อหาไฟล์ %q ไม่ตรงกับชนิด %s (the content is not a valid %s file): %v", u.name, u.ext, u.ext, err)
	}
	return kind.contentType, nil
}

// CleanFileName returns an uploaded file's name as evidence keeps it: the
// base name only, without control characters, trimmed.
func CleanFileName(name string) string { return cleanEvidenceName(name) }
