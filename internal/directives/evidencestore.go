package directives

import (
	"mime/multipart"

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
