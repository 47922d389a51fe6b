package directives

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"mime/multipart"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/reqctx"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
)

// AttachmentField is the multipart part name of attachment files.
const AttachmentField = "file"

// AttachmentView is one file attached to a directive; DownloadPath is
// where its bytes are served. The storage path stays internal.
type AttachmentView struct {
	ID           int64     `json:"id"`
	Name         string    `json:"name"`
	Size         int64     `json:"size"`
	SHA256       string    `json:"sha256"`
	ContentType  string    `json:"content_type"`
	UploadedBy   string    `json:"uploaded_by"`
	UploadedAt   time.Time `json:"uploaded_at"`
	DownloadPath string    `json:"download_path"`
}

// AttachmentsUploaded answers POST /directives/{id}/attachments: one entry
// per distinct file of the request, in request order; Created is false for
// content the directive already held (nothing was stored again).
type AttachmentsUploaded struct {
	Items []AttachmentUploadView `json:"items"`
}

// AttachmentUploadView is one attachment of an upload answer.
type AttachmentUploadView struct {
	AttachmentView
	Created bool `json:"created"`
}

func viewAttachment(a models.DirectiveAttachment) AttachmentView {
	return AttachmentView{ID: a.ID, Name: a.Name, Size: a.Size, SHA256: a.SHA256, ContentType: a.ContentType,
		UploadedBy: a.UploadedBy, UploadedAt: a.UploadedAt,
		DownloadPath: "/api/v1/directives/" + a.DirectiveID + "/attachments/" + strconv.FormatInt(a.ID, 10)}
}

// directiveAttachments lists a directive's attachments, oldest first.
func directiveAttachments(db *gorm.DB, directiveID string) ([]AttachmentView, error) {
	var rows []models.DirectiveAttachment
	if err := db.Where("directive_id = ?", directiveID).Order("uploaded_at, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]AttachmentView, 0, len(rows))
	for _, r := range rows {
		out = append(out, viewAttachment(r))
	}
	return out, nil
}

func (s *service) UploadAttachments(ctx context.Context, p *auth.Principal, directiveID string, files []*multipart.FileHeader) (AttachmentsUploaded, error) {
	out := AttachmentsUploaded{Items: []AttachmentUploadView{}}
	if err := requireIssuer(p); err != nil {
		return out, err
	}
	dir, err := s.loadDirective(ctx, p, directiveID)
	if err != nil {
		return out, err
	}
	switch {
	case len(files) == 0:
		return out, apperr.Field(AttachmentField, "กรุณาแนบไฟล์อย่างน้อยหนึ่งไฟล์ (at least one file is required)")
	case len(files) > MaxEvidenceFiles:
		return out, apperr.Field(AttachmentField, "แนบได้ไม่เกิน %d ไฟล์ต่อครั้ง (at most %d files per request)", MaxEvidenceFiles, MaxEvidenceFiles)
	case s.DataDir == "":
		return out, apperr.New(apperr.Unavailable, "ยังไม่ได้กำหนดที่เก็บไฟล์ (file storage is not configured)")
	}
	uploads, err := s.acceptUploads(files)
	if err != nil {
		return out, renameField(err, "evidence", AttachmentField)
	}
	if err := s.storeUploads(uploads); err != nil {
		return out, err
	}
	now := s.now()
	err = s.db(ctx).Transaction(func(tx *gorm.DB) error {
		out.Items = out.Items[:0]
		seen := map[string]bool{}
		var added []AttachmentView
		for _, u := range uploads {
			if seen[u.sha] {
				continue // the same content twice in one request
			}
			seen[u.sha] = true
			row := models.DirectiveAttachment{DirectiveID: dir.ID, Name: u.name, Size: u.size, SHA256: u.sha,
				ContentType: evidenceTypes[u.ext].contentType, StoragePath: evidenceStoragePath(u.sha),
				UploadedBy: p.Username, UploadedAt: now}
			res := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "directive_id"}, {Name: "sha256"}}, DoNothing: true}).Create(&row)
			if res.Error != nil {
				return res.Error
			}
			created := res.RowsAffected > 0
			var stored models.DirectiveAttachment
			if err := tx.Where("directive_id = ? AND sha256 = ?", dir.ID, u.sha).First(&stored).Error; err != nil {
				return err
			}
			v := viewAttachment(stored)
			out.Items = append(out.Items, AttachmentUploadView{AttachmentView: v, Created: created})
			if created {
				added = append(added, v)
			}
		}
		if len(added) == 0 {
			return nil // a retry: nothing changed, nothing to audit
		}
		after, err := json.Marshal(added)
		if err != nil {
			return err
		}
		return store.RecordAudit(tx, models.AuditEvent{Actor: p.Username, Action: "directive.attach", EntityType: "directive",
			EntityID: dir.ID, After: string(after), RequestID: reqctx.RequestID(ctx)})
	})
	if err != nil {
		removeUnreferencedFiles(context.WithoutCancel(ctx), s.DB, uploads)
		return out, err
	}
	return out, nil
}

// renameField turns an Invalid error about field from[i] into one about
// to[i] (acceptUploads names the parts of a report, "evidence[i]").
func renameField(err error, from, to string) error {
	e := apperr.As(err)
	if e == nil || (e.Field != from && !strings.HasPrefix(e.Field, from+"[")) {
		return err
	}
	c := *e
	c.Field = to + strings.TrimPrefix(e.Field, from)
	return &c
}

// removeUnreferencedFiles removes the stored files this request created
// unless a report, an attachment or a KPI entry's evidence row
// (EvidenceStore) refers to the same content.
func removeUnreferencedFiles(ctx context.Context, db *gorm.DB, uploads []*upload) {
	var keep []*upload
	for _, u := range uploads {
		if !u.created {
			continue
		}
		var n, k int64
		if err := db.WithContext(ctx).Model(&models.DirectiveAttachment{}).Where("sha256 = ?", u.sha).Count(&n).Error; err != nil || n > 0 {
			continue
		}
		if err := db.WithContext(ctx).Model(&models.KPIEvidence{}).Where("sha256 = ?", u.sha).Count(&k).Error; err != nil || k > 0 {
			continue
		}
		keep = append(keep, u)
	}
	removeUnreferenced(ctx, db, keep)
}

// StoredFile is an open attachment or evidence file to send: the caller
// streams File (Size bytes) and closes it. SHA256 is its content checksum,
// a strong ETag.
type StoredFile struct {
	Name, ContentType, SHA256 string
	Size                      int64
	File                      *os.File
}

func (s *service) Attachment(ctx context.Context, p *auth.Principal, directiveID string, attachmentID int64) (StoredFile, error) {
	dir, err := s.loadDirective(ctx, p, directiveID)
	if err != nil {
		return StoredFile{}, err
	}
	var a models.DirectiveAttachment
	err = s.db(ctx).Where("id = ? AND directive_id = ?", attachmentID, dir.ID).First(&a).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return StoredFile{}, apperr.New(apperr.NotFound, "ไม่พบไฟล์แนบรหัส %d ของข้อสั่งการนี้ (attachment not found)", attachmentID)
	} else if err != nil {
		return StoredFile{}, err
	}
	return s.openStored(a.SHA256, a.Name, a.ContentType)
}

func (s *service) Evidence(ctx context.Context, p *auth.Principal, ref ReportRef, n int) (StoredFile, error) {
	if n < 0 {
		return StoredFile{}, apperr.Field("n", "ลำดับไฟล์หลักฐานต้องเป็นจำนวนเต็มตั้งแต่ 0 (evidence index must be an integer from 0)")
	}
	a, err := s.loadAssignment(ctx, p, ref.DirectiveID, ref.UnitCode)
	if err != nil {
		return StoredFile{}, err
	}
	rid, number := ref.ReportID, ref.ItemNumber
	var rep models.Report
	err = s.db(ctx).Where("id = ? AND assignment_id = ? AND item_number = ?", rid, a.ID, number).First(&rep).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return StoredFile{}, apperr.New(apperr.NotFound, "ไม่พบรายงาน %q ของข้อ %d (report not found for this item)", rid, number)
	} else if err != nil {
		return StoredFile{}, err
	}
	var files []workflows.EvidenceFile
	if rep.Evidence != "" {
		if err := json.Unmarshal([]byte(rep.Evidence), &files); err != nil {
			return StoredFile{}, err
		}
	}
	if n >= len(files) {
		return StoredFile{}, apperr.New(apperr.NotFound, "รายงานนี้มีหลักฐาน %d ไฟล์ ไม่มีลำดับที่ %d (the report has %d evidence files; index %d does not exist)",
			len(files), n, len(files), n)
	}
	f := files[n]
	return s.openStored(f.SHA256, f.Name, f.ContentType)
}

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

// openStored opens the content-addressed file of sha. The path is derived
// from the checksum, never from stored text.
func (s *service) openStored(sha, name, contentType string) (StoredFile, error) {
	if !sha256Hex.MatchString(sha) || s.DataDir == "" {
		return StoredFile{}, apperr.New(apperr.Internal, "stored file reference %q is not usable", sha)
	}
	f, err := os.Open(filepath.Join(s.DataDir, filepath.FromSlash(evidenceStoragePath(sha))))
	if errors.Is(err, fs.ErrNotExist) {
		return StoredFile{}, apperr.New(apperr.NotFound, "ไม่พบไฟล์ในที่เก็บ (the stored file is missing)")
	} else if err != nil {
		return StoredFile{}, err
	}
	st, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return StoredFile{}, err
	}
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	return StoredFile{Name: name, ContentType: contentType, SHA256: sha, Size: st.Size(), File: f}, nil
}
