package tips

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"mime/multipart"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/directives"
	"github.com/tidtam/tidtam/internal/reqctx"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/models"
)

// MaxFormBytes bounds a multipart request carrying a tip's files: the
// files together (MaxFilesBytes) and room for the other fields. It is
// below the 16 MiB a multipart form is parsed into memory up to (fasthttp),
// so a request within it is never spilled to a temporary file: the
// handlers refuse a larger body before the form is parsed.
const MaxFormBytes = MaxFilesBytes + 512<<10

// FilesFromForm reads the parts named field of a parsed multipart form
// into memory, each read at most MaxFileBytes+1 bytes (Submit refuses
// it), in order. Invalid with Field "files" when there are more than
// MaxFiles.
func FilesFromForm(form *multipart.Form, field string) ([]FileInput, error) {
	if form == nil {
		return nil, nil
	}
	hs := form.File[field]
	if len(hs) > MaxFiles {
		return nil, apperr.Field("files", "แนบไฟล์ได้ไม่เกิน %d ไฟล์ (at most %d files)", MaxFiles, MaxFiles)
	}
	out := make([]FileInput, 0, len(hs))
	for _, h := range hs {
		if h.Size == 0 && h.Filename == "" {
			continue // a file input left empty by a browser
		}
		f, err := h.Open()
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
		f.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, FileInput{Name: h.Filename, Data: data})
	}
	return out, nil
}

// preparedFile is a tip's file checked, stripped and sealed, ready to be
// stored.
type preparedFile struct {
	nameSealed  string
	contentType string
	size        int64
	dataSealed  string
}

// prepareFiles checks files (SubmitInput.Files), strips the metadata of
// images and seals names and contents. Nothing is written anywhere.
func (s *service) prepareFiles(files []FileInput) ([]preparedFile, error) {
	if len(files) > MaxFiles {
		return nil, apperr.Field("files", "แนบไฟล์ได้ไม่เกิน %d ไฟล์ (at most %d files)", MaxFiles, MaxFiles)
	}
	var total int
	for i, f := range files {
		if len(f.Data) > MaxFileBytes {
			return nil, apperr.Field(fmt.Sprintf("files[%d]", i), "ไฟล์ใหญ่เกิน %d ไบต์ (file larger than %d bytes)", MaxFileBytes, MaxFileBytes)
		}
		total += len(f.Data)
	}
	if total > MaxFilesBytes {
		return nil, apperr.Field("files", "ไฟล์รวมกันใหญ่เกิน %d ไบต์ (files larger than %d bytes together)", MaxFilesBytes, MaxFilesBytes)
	}
	out := make([]preparedFile, 0, len(files))
	for i, f := range files {
		field := fmt.Sprintf("files[%d]", i)
		ct, err := directives.CheckContent(field, f.Name, f.Data, FileTypes...)
		if err != nil {
			return nil, err
		}
		data, err := stripMetadata(ct, f.Data)
		if err != nil {
			return nil, apperr.Field(field, "อ่านภาพไม่ได้ (the image does not decode): %v", err)
		}
		p := preparedFile{contentType: ct, size: int64(len(data))}
		if p.nameSealed, err = s.k.sealText(directives.CleanFileName(f.Name)); err != nil {
			return nil, err
		}
		if p.dataSealed, err = s.k.sealBytes(data); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// stripMetadata returns a photo decoded and encoded again (JPEG at quality
// 90, PNG losslessly), which keeps the pixels only: EXIF (GPS, camera,
// time), XMP, ICC profiles and text chunks are gone. A JPEG's EXIF
// orientation is applied to the pixels first, so a photo a phone stored
// sideways is stored upright. Other content (PDF) is returned as it is.
func stripMetadata(contentType string, data []byte) ([]byte, error) {
	var (
		img image.Image
		err error
		buf bytes.Buffer
	)
	switch contentType {
	case "image/jpeg":
		if img, err = jpeg.Decode(bytes.NewReader(data)); err == nil {
			err = jpeg.Encode(&buf, orient(img, jpegOrientation(data)), &jpeg.Options{Quality: 90})
		}
	case "image/png":
		if img, err = png.Decode(bytes.NewReader(data)); err == nil {
			err = png.Encode(&buf, img)
		}
	default:
		return data, nil
	}
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// storeFiles writes the prepared files of a new tip id in tx.
func storeFiles(tx *gorm.DB, id int64, files []preparedFile) error {
	return storeFilesFrom(tx, id, 1, files)
}

// storeFilesFrom writes the prepared files of tip id in tx, numbered from
// first on (files added at follow-up come after the tip's own).
func storeFilesFrom(tx *gorm.DB, id int64, first int, files []preparedFile) error {
	for i, f := range files {
		if err := tx.Create(&models.TipFile{TipID: id, Seq: first + i, NameSealed: f.nameSealed, ContentType: f.contentType,
			Size: f.size, DataSealed: f.dataSealed}).Error; err != nil {
			return err
		}
	}
	return nil
}

// fileViews lists the files of tip id (names opened, contents not read).
func (s *service) fileViews(ctx context.Context, id int64) ([]FileView, error) {
	var rows []models.TipFile
	if err := s.db(ctx).Select("tip_id", "seq", "name_sealed", "content_type", "size").
		Where("tip_id = ?", id).Order("seq").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := []FileView{}
	for _, r := range rows {
		name, err := s.k.openText(r.NameSealed)
		if err != nil {
			return nil, err
		}
		out = append(out, FileView{Seq: r.Seq, Name: name, ContentType: r.ContentType, Size: r.Size})
	}
	return out, nil
}

func (s *service) File(ctx context.Context, p *auth.Principal, id int64, seq int) (FileContent, error) {
	q, err := scope(p, s.db(ctx).Model(&models.Tip{}))
	if err != nil {
		return FileContent{}, err
	}
	var n int64
	if err := q.Where("id = ?", id).Count(&n).Error; err != nil {
		return FileContent{}, err
	}
	var f models.TipFile
	if n > 0 {
		err = s.db(ctx).Where("tip_id = ? AND seq = ?", id, seq).Take(&f).Error
	}
	if n == 0 || errors.Is(err, gorm.ErrRecordNotFound) {
		return FileContent{}, apperr.New(apperr.NotFound, "ไม่พบไฟล์นี้ (no such file)")
	}
	if err != nil {
		return FileContent{}, err
	}
	out := FileContent{ContentType: f.ContentType}
	if out.Name, err = s.k.openText(f.NameSealed); err != nil {
		return FileContent{}, err
	}
	if out.Data, err = s.k.openBytes(f.DataSealed); err != nil {
		return FileContent{}, err
	}
	err = store.RecordAudit(s.db(ctx), models.AuditEvent{Actor: p.Username, Action: "tip.file.read", EntityType: "tip",
		EntityID: fmt.Sprint(id), After: fmt.Sprintf(`{"file":%d}`, seq), RequestID: reqctx.RequestID(ctx)})
	if err != nil {
		return FileContent{}, err
	}
	return out, nil
}
