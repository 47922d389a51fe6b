package tips_test

import (
	"bytes"
	"image"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/internal/tips"
	"github.com/tidtam/tidtam/internal/tips/tipstest"
	"github.com/tidtam/tidtam/models"
)

// TestTipFiles: a JPEG carrying EXIF GPS tags and a PNG are checked,
// stripped of metadata and sealed; the informant sees their names and
// sizes, an officer of the tip downloads them (audited) with neither the
// EXIF marker nor the GPS bytes, still an image; the raw database holds
// neither the image bytes nor the EXIF; refused files name their field
// and store nothing.
func TestTipFiles(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		svc := newService(t, db)
		ctx := ctxFrom(t, "192.0.2.9")
		photo := tipstest.ExifJPEG(64, 48)
		if !bytes.Contains(photo, []byte("Exif\x00\x00")) || !bytes.Contains(photo, []byte(tipstest.GPSMarker)) {
			t.Fatal("the test photo carries no EXIF")
		}
		if _, err := jpeg.Decode(bytes.NewReader(photo)); err != nil {
			t.Fatalf("the test photo does not decode: %v", err)
		}
		var pngBuf bytes.Buffer
		if err := png.Encode(&pngBuf, image.NewGray(image.Rect(0, 0, 8, 8))); err != nil {
			t.Fatal(err)
		}
		r, err := svc.Submit(ctx, tips.SubmitInput{ProvinceCode: "20", DistrictCode: "2001", Text: "ภาพรถที่ใช้ขน",
			SubmissionID: "files-1", Files: []tips.FileInput{{Name: "รถ.JPG", Data: photo}, {Name: `C:\x\plan.png`, Data: pngBuf.Bytes()}}})
		if err != nil {
			t.Fatal(err)
		}
		v, err := svc.FollowUp(ctx, r.Receipt)
		if err != nil || len(v.Files) != 2 || v.Files[0].Name != "รถ.JPG" || v.Files[0].ContentType != "image/jpeg" ||
			v.Files[0].Size <= 0 || v.Files[1].Name != "plan.png" || v.Files[1].Seq != 2 {
			t.Fatalf("follow-up files %+v %v", v.Files, err)
		}

		dist := &auth.Principal{Username: "d", Role: models.RoleDistrict, UnitCode: "2001"}
		var tip models.Tip
		if err := db.Take(&tip).Error; err != nil {
			t.Fatal(err)
		}
		f, err := svc.File(ctx, dist, tip.ID, 1)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range [][]byte{[]byte("Exif"), []byte(tipstest.GPSMarker), tipstest.GPSLatitude} {
			if bytes.Contains(f.Data, n) {
				t.Errorf("the stored photo still holds %q", n)
			}
		}
		img, err := jpeg.Decode(bytes.NewReader(f.Data))
		if err != nil || img.Bounds().Dx() != 64 || img.Bounds().Dy() != 48 || f.Name != "รถ.JPG" || int64(len(f.Data)) != v.Files[0].Size {
			t.Fatalf("stored photo: %v %v %q", img, err, f.Name)
		}
		if n := storetest.Count(t, db, &models.AuditEvent{}, "action = ? AND actor = ?", "tip.file.read", "d"); n != 1 {
			t.Errorf("%d tip.file.read events, want 1", n)
		}
		_, err = svc.File(ctx, dist, tip.ID, 3)
		wantCode(t, err, apperr.NotFound, "")
		_, err = svc.File(ctx, &auth.Principal{Username: "d2", Role: models.RoleDistrict, UnitCode: "2002"}, tip.ID, 1)
		wantCode(t, err, apperr.NotFound, "")
		// The secretariat reads a tip only once a province referred it up.
		_, err = svc.File(ctx, &auth.Principal{Username: "s", Role: models.RoleSecretariat}, tip.ID, 1)
		wantCode(t, err, apperr.NotFound, "")
		_, err = svc.File(ctx, &auth.Principal{Username: "o", Role: models.RoleObserver}, tip.ID, 1)
		wantCode(t, err, apperr.Forbidden, "")

		if _, err := svc.AddMessage(ctx, r.Receipt, "อีกภาพหนึ่งจะส่งตามมา", nil); err != nil {
			t.Fatal(err)
		}
		// Neither the plaintext (original or stored) nor the metadata is
		// in the raw database.
		assertNoPlaintext(t, db, "Exif\x00\x00", tipstest.GPSMarker, string(tipstest.GPSLatitude),
			string(photo[len(photo)/2:len(photo)/2+48]), string(f.Data[len(f.Data)/2:len(f.Data)/2+48]), "plan.png", "รถ.JPG")

		// Refused files name their field and store nothing.
		before := storetest.Count(t, db, &models.Tip{}, "")
		for _, c := range []struct {
			files []tips.FileInput
			field string
		}{
			{[]tips.FileInput{{Name: "a.jpg", Data: photo}, {Name: "b.gif", Data: []byte("GIF89a")}}, "files[1]"},
			{[]tips.FileInput{{Name: "a.jpg", Data: pngBuf.Bytes()}}, "files[0]"},
			{[]tips.FileInput{{Name: "a.pdf", Data: photo}}, "files[0]"},
			{[]tips.FileInput{{Name: "a.jpg", Data: append(bytes.Clone(photo), make([]byte, tips.MaxFileBytes)...)}}, "files[0]"},
			{[]tips.FileInput{{Name: "a.jpg", Data: nil}}, "files[0]"},
			{make([]tips.FileInput, tips.MaxFiles+1), "files"},
			{[]tips.FileInput{{Name: "a.png", Data: make([]byte, tips.MaxFileBytes)}, {Name: "b.png", Data: make([]byte, tips.MaxFileBytes)},
				{Name: "c.png", Data: make([]byte, tips.MaxFileBytes)}, {Name: "d.png", Data: []byte("x")}}, "files"},
		} {
			_, err := svc.Submit(ctx, tips.SubmitInput{ProvinceCode: "20", Text: "x", SubmissionID: "refused-" + c.field, Files: c.files})
			wantCode(t, err, apperr.Invalid, c.field)
			if e := apperr.As(err); !strings.Contains(e.Message, "(") {
				t.Errorf("message %q is not Thai (English)", e.Message)
			}
		}
		if n := storetest.Count(t, db, &models.Tip{}, ""); n != before {
			t.Errorf("%d tips after refused files, want %d", n, before)
		}
		if n := storetest.Count(t, db, &models.TipFile{}, ""); n != 2 {
			t.Errorf("%d files stored, want 2", n)
		}
	})
}

// TestFollowUpFiles: files added at follow-up are numbered after the
// tip's own, go through the same checks (a refused part stores nothing,
// not even the message), may come without text, and a tip holds at most
// MaxTipFiles.
func TestFollowUpFiles(t *testing.T) {
	db := storetest.SQLite(t)
	svc := newService(t, db)
	ctx := ctxFrom(t, "192.0.2.10")
	var pngBuf bytes.Buffer
	if err := png.Encode(&pngBuf, image.NewGray(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	five := make([]tips.FileInput, tips.MaxFiles)
	for i := range five {
		five[i] = tips.FileInput{Name: "p.png", Data: pngBuf.Bytes()}
	}
	r, err := svc.Submit(ctx, tips.SubmitInput{ProvinceCode: "20", Text: "x", SubmissionID: "fu", Files: five})
	if err != nil {
		t.Fatal(err)
	}
	v, err := svc.AddMessage(ctx, r.Receipt, "", []tips.FileInput{{Name: "later.jpg", Data: tipstest.ExifJPEG(16, 16)}})
	if err != nil || len(v.Files) != 6 || v.Files[5].Seq != 6 || v.Files[5].Name != "later.jpg" || len(v.Messages) != 0 {
		t.Fatalf("a file alone: %+v %v", v.Files, err)
	}
	_, err = svc.AddMessage(ctx, r.Receipt, "พร้อมไฟล์", []tips.FileInput{{Name: "ok.png", Data: pngBuf.Bytes()}, {Name: "b.gif", Data: []byte("GIF89a")}})
	wantCode(t, err, apperr.Invalid, "files[1]")
	_, err = svc.AddMessage(ctx, r.Receipt, "", nil)
	wantCode(t, err, apperr.Invalid, "text")
	for range (tips.MaxTipFiles - 6) / tips.MaxFiles {
		if _, err := svc.AddMessage(ctx, r.Receipt, "อีก", five); err != nil {
			t.Fatal(err)
		}
	}
	_, err = svc.AddMessage(ctx, r.Receipt, "เกิน", five[:tips.MaxTipFiles-6-(tips.MaxTipFiles-6)/tips.MaxFiles*tips.MaxFiles+1])
	wantCode(t, err, apperr.Invalid, "files")
	v, err = svc.FollowUp(ctx, r.Receipt)
	if err != nil || len(v.Files) != 6+(tips.MaxTipFiles-6)/tips.MaxFiles*tips.MaxFiles || len(v.Messages) != (tips.MaxTipFiles-6)/tips.MaxFiles {
		t.Fatalf("after the refusals: %d files, %d messages, %v", len(v.Files), len(v.Messages), err)
	}
}
