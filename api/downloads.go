package api

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"mime"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
)

// Directive attachments (the letter itself, its annexes) and the download
// of stored files: attachments and report evidence. Both kinds share the
// content-addressed store of evidence.go (DataDir/evidence/<sha[:2]>/<sha>)
// and its type and size rules.
func init() {
	extraRoutes = append(extraRoutes, func(r fiber.Router, d *Deps) {
		r.Post("/directives/:id/attachments", uploadAttachments(d))
		r.Get("/directives/:id/attachments/:aid", downloadAttachment(d))
		r.Get("/directives/:id/assignments/:unit/items/:number/reports/:rid/evidence/:n", downloadEvidence(d))
	})
}

// attachmentField is the multipart part name of attachment files.
const attachmentField = "file"

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

// uploadAttachments answers POST /directives/{id}/attachments for the
// secretariat and admins: multipart/form-data with one or more parts named
// "file", checked like report evidence (a refused file is 422 naming
// file[i], and nothing is stored). Files are stored content-addressed and
// recorded in directive_attachments with an audit row; content the
// directive already holds is not stored again.
func uploadAttachments(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p := principal(c)
		if err := p.Require(models.RoleSecretariat, models.RoleAdmin); err != nil {
			return err
		}
		dir, err := loadDirective(c, d)
		if err != nil {
			return err
		}
		mt, _, _ := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
		if mt != fiber.MIMEMultipartForm {
			return apperr.New(apperr.BadRequest,
				"ส่งไฟล์แนบเป็น multipart/form-data ในช่อง file (send attachments as multipart/form-data parts named file, not %q)", mt)
		}
		form, err := c.MultipartForm()
		if err != nil {
			return apperr.New(apperr.BadRequest, "อ่านข้อมูล multipart/form-data ไม่ได้ (malformed multipart body): %v", err)
		}
		for k := range form.Value {
			return apperr.Field(k, "ไม่รู้จักช่องข้อมูลนี้ ส่งไฟล์ในช่อง file เท่านั้น (unknown field; send files in parts named file)")
		}
		for k := range form.File {
			if k != attachmentField {
				return apperr.Field(k, "ไฟล์แนบต้องส่งในช่อง file (attachments go in parts named file)")
			}
		}
		files := form.File[attachmentField]
		switch {
		case len(files) == 0:
			return apperr.Field(attachmentField, "กรุณาแนบไฟล์อย่างน้อยหนึ่งไฟล์ (at least one file is required)")
		case len(files) > MaxEvidenceFiles:
			return apperr.Field(attachmentField, "แนบได้ไม่เกิน %d ไฟล์ต่อครั้ง (at most %d files per request)", MaxEvidenceFiles, MaxEvidenceFiles)
		case d.DataDir == "":
			return apperr.New(apperr.Unavailable, "ยังไม่ได้กำหนดที่เก็บไฟล์ (file storage is not configured)")
		}
		uploads, err := acceptUploads(d, files)
		if err != nil {
			return renameField(err, "evidence", attachmentField)
		}
		if err := storeUploads(d, uploads); err != nil {
			return err
		}
		ctx := c.UserContext()
		now := d.now()
		out := AttachmentsUploaded{Items: []AttachmentUploadView{}}
		err = d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
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
			return store.RecordAudit(tx, models.AuditEvent{Actor: p.Username, Action: "directive.attach", EntityType: "directive",
				EntityID: dir.ID, After: mustJSON(added), RequestID: requestID(c)})
		})
		if err != nil {
			removeUnreferencedFiles(context.WithoutCancel(ctx), d.DB, uploads)
			return err
		}
		status := fiber.StatusOK
		for _, it := range out.Items {
			if it.Created {
				status = fiber.StatusCreated
			}
		}
		return c.Status(status).JSON(out)
	}
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
// unless a report or an attachment row refers to the same content.
func removeUnreferencedFiles(ctx context.Context, db *gorm.DB, uploads []*upload) {
	var keep []*upload
	for _, u := range uploads {
		if !u.created {
			continue
		}
		var n int64
		if err := db.WithContext(ctx).Model(&models.DirectiveAttachment{}).Where("sha256 = ?", u.sha).Count(&n).Error; err != nil || n > 0 {
			continue
		}
		keep = append(keep, u)
	}
	removeUnreferenced(ctx, db, keep)
}

// downloadAttachment answers GET /directives/{id}/attachments/{aid} for
// anyone who may see the directive.
func downloadAttachment(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		dir, err := loadDirective(c, d)
		if err != nil {
			return err
		}
		aid, perr := strconv.ParseInt(thaidate.NormalizeDigits(strings.TrimSpace(c.Params("aid"))), 10, 64)
		if perr != nil || aid < 1 {
			return apperr.Field("aid", "รหัสไฟล์แนบต้องเป็นจำนวนเต็มบวก (attachment id must be a positive integer)")
		}
		var a models.DirectiveAttachment
		err = d.DB.WithContext(c.UserContext()).Where("id = ? AND directive_id = ?", aid, dir.ID).First(&a).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return apperr.New(apperr.NotFound, "ไม่พบไฟล์แนบรหัส %d ของข้อสั่งการนี้ (attachment not found)", aid)
		} else if err != nil {
			return err
		}
		return sendStored(c, d, a.SHA256, a.Name, a.ContentType)
	}
}

// downloadEvidence answers GET …/reports/{rid}/evidence/{n}: the n-th
// (0-based, as in the report's evidence list) evidence file of a report,
// for anyone who may see the assignment.
func downloadEvidence(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		number, err := itemNumberParam(c)
		if err != nil {
			return err
		}
		n, perr := thaidate.ParseInt(strings.TrimSpace(c.Params("n")))
		if perr != nil || n < 0 {
			return apperr.Field("n", "ลำดับไฟล์หลักฐานต้องเป็นจำนวนเต็มตั้งแต่ 0 (evidence index must be an integer from 0)")
		}
		a, err := loadAssignment(c, d)
		if err != nil {
			return err
		}
		rid := c.Params("rid")
		var rep models.Report
		err = d.DB.WithContext(c.UserContext()).Where("id = ? AND assignment_id = ? AND item_number = ?", rid, a.ID, number).First(&rep).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return apperr.New(apperr.NotFound, "ไม่พบรายงาน %q ของข้อ %d (report not found for this item)", rid, number)
		} else if err != nil {
			return err
		}
		var files []workflows.EvidenceFile
		if rep.Evidence != "" {
			if err := json.Unmarshal([]byte(rep.Evidence), &files); err != nil {
				return err
			}
		}
		if n >= len(files) {
			return apperr.New(apperr.NotFound, "รายงานนี้มีหลักฐาน %d ไฟล์ ไม่มีลำดับที่ %d (the report has %d evidence files; index %d does not exist)",
				len(files), n, len(files), n)
		}
		f := files[n]
		return sendStored(c, d, f.SHA256, f.Name, f.ContentType)
	}
}

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

// sendStored streams the content-addressed file of sha as a download named
// name. The path is derived from the checksum, never from stored text.
func sendStored(c *fiber.Ctx, d *Deps, sha, name, contentType string) error {
	if !sha256Hex.MatchString(sha) || d.DataDir == "" {
		return apperr.New(apperr.Internal, "stored file reference %q is not usable", sha)
	}
	f, err := os.Open(filepath.Join(d.DataDir, filepath.FromSlash(evidenceStoragePath(sha))))
	if errors.Is(err, fs.ErrNotExist) {
		return apperr.New(apperr.NotFound, "ไม่พบไฟล์ในที่เก็บ (the stored file is missing)")
	} else if err != nil {
		return err
	}
	st, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return err
	}
	if contentType == "" {
		contentType = fiber.MIMEOctetStream
	}
	disposition := mime.FormatMediaType("attachment", map[string]string{"filename": name})
	if disposition == "" {
		disposition = "attachment"
	}
	c.Set(fiber.HeaderContentType, contentType)
	c.Set(fiber.HeaderContentDisposition, disposition)
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderETag, `"`+sha+`"`)
	c.Set(fiber.HeaderCacheControl, "private, no-cache")
	// The stream is closed by fasthttp once sent.
	return c.SendStream(f, int(st.Size()))
}
