package directives

import (
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"regexp"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/image/webp"

	"github.com/tidtam/tidtam/internal/csvout"
)

// The content checks of uploaded files beyond their first bytes: a file
// must be of its declared type throughout, so that a polyglot (a PNG
// header followed by a script, a PDF header followed by an executable) is
// refused. Each check returns nil or an error whose text says why, Thai
// first; acceptUploads names the part.

// errWrongContent is the generic "not this type" answer.
var errWrongContent = errors.New("wrong content")

// maxImagePixels bounds the pixels of an image that is decoded to be
// checked (a 60-megapixel photo decodes to at most 240 MB), so a small
// file declaring a huge canvas cannot exhaust memory.
const maxImagePixels = 60_000_000

// reader returns the upload's content from its start.
func (u *upload) reader() *io.SectionReader { return io.NewSectionReader(u.at(), 0, u.size) }

// at returns the upload's content: held in memory (CheckContent) or its
// temporary file.
func (u *upload) at() io.ReaderAt {
	if u.mem != nil {
		return u.mem
	}
	return u.f
}

// decodedImage checks an image by decoding all of it with the decoder of
// its declared format (image/jpeg, image/png, golang.org/x/image/webp),
// after checking its dimensions; PNG and WebP must also end where their
// structure ends (no bytes appended after IEND or after the RIFF chunk).
func decodedImage(format string) func(*upload) error {
	return func(u *upload) error {
		var (
			cfg    image.Config
			err    error
			decode func(io.Reader) (image.Image, error)
		)
		switch format {
		case "jpeg":
			cfg, err = jpeg.DecodeConfig(u.reader())
			decode = jpeg.Decode
		case "png":
			cfg, err = png.DecodeConfig(u.reader())
			decode = png.Decode
			if err == nil {
				err = pngEndsAtIEND(u.reader(), u.size)
			}
		case "webp":
			if err = webpRIFFSize(u.reader(), u.size); err == nil {
				cfg, err = webp.DecodeConfig(u.reader())
			}
			decode = webp.Decode
		}
		if err != nil {
			return fmt.Errorf("ไม่ใช่ภาพ %s ที่สมบูรณ์ (not a valid %s image): %v", format, format, err)
		}
		if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > maxImagePixels {
			return fmt.Errorf("ภาพขนาด %d×%d ใหญ่เกิน %d ล้านพิกเซล (image of %d×%d is larger than %d megapixels)",
				cfg.Width, cfg.Height, maxImagePixels/1_000_000, cfg.Width, cfg.Height, maxImagePixels/1_000_000)
		}
		if _, err := decode(u.reader()); err != nil {
			return fmt.Errorf("ถอดรหัสภาพไม่ได้ทั้งไฟล์ (the image does not decode): %v", err)
		}
		return nil
	}
}

// pngEndsAtIEND walks a PNG's chunks and requires the file to end right
// after the IEND chunk.
func pngEndsAtIEND(r io.ReaderAt, size int64) error {
	off := int64(8) // the signature, checked by the decoder
	var hdr [8]byte
	for {
		if _, err := r.ReadAt(hdr[:], off); err != nil {
			return errors.New("ไม่พบ IEND (no IEND chunk)")
		}
		n := int64(binary.BigEndian.Uint32(hdr[:4]))
		next := off + 8 + n + 4
		if n > 1<<31-1 || next > size {
			return errors.New("chunk ยาวเกินไฟล์ (a chunk runs past the end of the file)")
		}
		if string(hdr[4:8]) == "IEND" {
			if next != size {
				return fmt.Errorf("มีข้อมูล %d ไบต์ต่อท้าย IEND (%d bytes after the IEND chunk)", size-next, size-next)
			}
			return nil
		}
		off = next
	}
}

// webpRIFFSize requires a WebP's RIFF header to give the file's size: the
// RIFF chunk is the whole file (padded to an even length).
func webpRIFFSize(r io.ReaderAt, size int64) error {
	var hdr [12]byte
	if _, err := r.ReadAt(hdr[:], 0); err != nil || string(hdr[:4]) != "RIFF" || string(hdr[8:12]) != "WEBP" {
		return errors.New("ไม่มีส่วนหัว RIFF/WEBP (no RIFF/WEBP header)")
	}
	n := int64(binary.LittleEndian.Uint32(hdr[4:8])) + 8
	if n != size && n+1 != size {
		return fmt.Errorf("ขนาดใน RIFF (%d) ไม่ตรงกับไฟล์ (%d) (the RIFF size %d does not match the file's %d bytes)", n, size, n, size)
	}
	return nil
}

// pdfDocument checks a PDF with validPDF (see pdfcheck.go).
func pdfDocument(u *upload) error {
	if err := validPDF(u.at(), u.size); err != nil {
		return fmt.Errorf("ไม่ใช่ไฟล์ PDF ที่ถูกต้องทั้งไฟล์ (not a PDF throughout): %v", err)
	}
	return nil
}

// plainNumber matches a cell that is only a number (-12, +3.5, 1,234),
// which spreadsheets read as a value, not a formula.
var plainNumber = regexp.MustCompile(`^[+-]?[0-9][0-9,]*(\.[0-9]+)?%?$`)

// csvWithoutFormulas checks a CSV file: plain text (plainText), read as
// CSV (UTF-8, or UTF-16 with a byte-order mark; comma-separated unless the
// first line is Excel's "sep=X"), and no cell a spreadsheet would run as a
// formula: a cell starting with = + - @ (or a tab or carriage return) is
// refused, except a plain number such as -12 or +3.5. The error names the
// first such cell by row and column.
func csvWithoutFormulas(u *upload) error {
	if err := plainText(u); err != nil {
		return err
	}
	raw, err := io.ReadAll(u.reader())
	if err != nil {
		return err
	}
	text, err := csvText(raw)
	if err != nil {
		return err
	}
	cr := csv.NewReader(strings.NewReader(text))
	cr.LazyQuotes, cr.FieldsPerRecord, cr.ReuseRecord = true, -1, true
	if first, rest, _ := strings.Cut(text, "\n"); strings.HasPrefix(strings.ToLower(first), "sep=") {
		if sep, size := utf8.DecodeRuneInString(strings.TrimRight(first, "\r")[4:]); size > 0 && sep != '"' && sep != '\r' {
			cr = csv.NewReader(strings.NewReader(rest))
			cr.LazyQuotes, cr.FieldsPerRecord, cr.ReuseRecord = true, -1, true
			cr.Comma = sep
		}
	}
	for row := 1; ; row++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("อ่านเป็น CSV ไม่ได้ (not readable as CSV): %v", err)
		}
		for col, cell := range rec {
			if csvout.FormulaLike(cell) && !plainNumber.MatchString(cell) {
				return fmt.Errorf("เซลล์แถว %d คอลัมน์ %d ขึ้นต้นด้วย %q ซึ่งโปรแกรมตารางคำนวณจะถือเป็นสูตร (cell at row %d, column %d starts with %q, which spreadsheets run as a formula): %q",
					row, col+1, cell[:1], row, col+1, cell[:1], clipRunes(cell, 40))
			}
		}
	}
}

// csvText decodes a CSV file's bytes: UTF-16 by its byte-order mark,
// otherwise UTF-8 without its byte-order mark.
func csvText(raw []byte) (string, error) {
	var order binary.ByteOrder
	switch {
	case bytes.HasPrefix(raw, []byte{0xFF, 0xFE}):
		order = binary.LittleEndian
	case bytes.HasPrefix(raw, []byte{0xFE, 0xFF}):
		order = binary.BigEndian
	default:
		return strings.TrimPrefix(string(raw), "\ufeff"), nil
	}
	raw = raw[2:]
	if len(raw)%2 != 0 {
		return "", errors.New("ไฟล์ UTF-16 มีจำนวนไบต์คี่ (odd number of bytes in UTF-16 text)")
	}
	units := make([]uint16, len(raw)/2)
	for i := range units {
		units[i] = order.Uint16(raw[2*i:])
	}
	return string(utf16.Decode(units)), nil
}

// clipRunes shortens s to at most n runes, marking a cut with "…".
func clipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
