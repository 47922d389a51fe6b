package directives

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"
)

// checkBytes runs the check of extension ext on content as acceptUploads
// would (a temporary file, its head and binary flag).
func checkBytes(t *testing.T, ext string, content []byte) error {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "upload-*")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	if _, err := f.Write(content); err != nil {
		t.Fatal(err)
	}
	u := &upload{ext: ext, f: f, size: int64(len(content)), head: content[:min(len(content), 512)]}
	for _, b := range content {
		if isBinaryByte(b) {
			u.binary = true
			break
		}
	}
	return evidenceTypes[ext].check(u)
}

func testPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	img.Set(0, 0, color.NRGBA{R: 200, A: 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// withIHDRSize rewrites a PNG's declared width and height (and the
// chunk's CRC), as a decompression bomb would.
func withIHDRSize(b []byte, w, h uint32) []byte {
	out := append([]byte{}, b...)
	binary.BigEndian.PutUint32(out[16:], w)
	binary.BigEndian.PutUint32(out[20:], h)
	binary.BigEndian.PutUint32(out[29:], crc32.ChecksumIEEE(out[12:29]))
	return out
}

func TestImagesDecodeWhole(t *testing.T) {
	good := testPNG(t, 3, 2)
	var jb bytes.Buffer
	if err := jpeg.Encode(&jb, image.NewGray(image.Rect(0, 0, 8, 8)), nil); err != nil {
		t.Fatal(err)
	}
	goodJPEG := jb.Bytes()
	webp, err := os.ReadFile(filepath.Join("testdata", "gopher.lossless.webp")) // from golang.org/x/image's test data
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, ext string
		content   []byte
		ok        bool
	}{
		{"png", ".png", good, true},
		{"jpeg", ".jpg", goodJPEG, true},
		{"webp", ".webp", webp, true},
		{"png header + script", ".png", append([]byte("\x89PNG\r\n\x1a\n"), []byte("<script>alert(1)</script>")...), false},
		{"png + appended html", ".png", append(append([]byte{}, good...), []byte("<html><script>x()</script>")...), false},
		{"truncated png", ".png", good[:len(good)-20], false},
		{"png declaring 100000×100000", ".png", withIHDRSize(good, 100000, 100000), false},
		{"jpeg header + exe", ".jpg", append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, []byte("MZ\x90\x00 this is not a jpeg at all")...), false},
		{"truncated jpeg", ".jpeg", goodJPEG[:len(goodJPEG)/2], false},
		{"webp + appended bytes", ".webp", append(append([]byte{}, webp...), []byte("<script>x</script>")...), false},
		{"riff webp header + junk", ".webp", append([]byte("RIFF\x20\x00\x00\x00WEBPVP8 "), bytes.Repeat([]byte("A"), 24)...), false},
		{"png named jpg", ".jpg", good, false},
	} {
		err := checkBytes(t, c.ext, c.content)
		if (err == nil) != c.ok {
			t.Errorf("%s: err = %v, want ok %v", c.name, err, c.ok)
		}
	}
}

// pdfWithXref builds a PDF with a correct cross-reference table and
// startxref; startxrefDelta moves the offset written.
func pdfWithXref(objects []string, startxrefDelta int) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref+startxrefDelta)
	return b.Bytes()
}

// pdfWithXrefStream builds a PDF 1.5 file whose catalog is inside a
// compressed object stream and whose cross-reference is a stream.
func pdfWithXrefStream(t *testing.T) []byte {
	t.Helper()
	compress := func(s string) []byte {
		var z bytes.Buffer
		w := zlib.NewWriter(&z)
		w.Write([]byte(s))
		w.Close()
		return z.Bytes()
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.5\n")
	objs := "<< /Type /Catalog /Pages 2 0 R >> << /Type /Pages /Kids [] /Count 0 >>"
	inner := compress("1 0 2 35 " + objs)
	fmt.Fprintf(&b, "3 0 obj\n<< /Type /ObjStm /N 2 /First 9 /Filter /FlateDecode /Length %d >>\nstream\n", len(inner))
	b.Write(inner)
	b.WriteString("\nendstream\nendobj\n")
	xrefAt := b.Len()
	data := compress("\x01\x00\x00\x00\x00")
	fmt.Fprintf(&b, "4 0 obj\n<< /Type /XRef /Size 5 /W [1 3 1] /Root 1 0 R /Filter /FlateDecode /Length 5 0 R >>\nstream\n")
	b.Write(data)
	b.WriteString("\nendstream\nendobj\n")
	fmt.Fprintf(&b, "5 0 obj %d endobj\nstartxref\n%d\n%%%%EOF\n", len(data), xrefAt)
	return b.Bytes()
}

func TestPDFParsesWhole(t *testing.T) {
	catalog := "<< /Type /Catalog /Pages 2 0 R >>"
	pages := "<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
	page := "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] /Contents 4 0 R /Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>"
	content := "BT /F1 24 Tf 72 720 Td (Hello \\(world\\)) Tj ET"
	stream := fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content)
	good := pdfWithXref([]string{catalog, pages, page, stream, "<< /Title (ข้อสั่งการ) /Producer <FEFF0054> >>"}, 0)
	// A stream whose length is an indirect reference, with binary data.
	binStream := "<< /Length 6 0 R /Filter /FlateDecode >>\nstream\n\x00\xff\x10endobj MZ\x90\nendstream"
	indirect := pdfWithXref([]string{catalog, pages, page, binStream, "<< >>", "12"}, 0)
	// An incremental update: a second section after the first %%EOF.
	update := append(append([]byte{}, good...), []byte("6 0 obj\n(added)\nendobj\ntrailer\n<< /Root 1 0 R /Prev 9 >>\n%%EOF\n")...)
	// The shape of the API tests' fixture: no xref, no startxref.
	minimal := []byte("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n% note\n\ntrailer << /Root 1 0 R >>\n%%EOF\n")

	for _, c := range []struct {
		name    string
		content []byte
		ok      bool
	}{
		{"with xref table", good, true},
		{"indirect stream length", indirect, true},
		{"incremental update", update, true},
		{"xref stream and object stream", pdfWithXrefStream(t), true},
		{"minimal", minimal, true},
		{"trailing CRLF and NULs", append(append([]byte{}, good...), "\r\n\x00\x00"...), true},
		{"header + MZ executable", append([]byte("%PDF-1.4\n"), []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00PE\x00\x00")...), false},
		{"header + exe + trailer", append(append([]byte("%PDF-1.4\n"), []byte("MZ\x90\x00PE\x00\x00\n")...), []byte("trailer << /Root 1 0 R >>\n%%EOF\n")...), false},
		{"header + html", []byte("%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF\n"), false},
		{"content after %%EOF", append(append([]byte{}, good...), "<script>x</script>"...), false},
		{"object after the last %%EOF", append(append([]byte{}, good...), "7 0 obj 1 endobj\n"...), false},
		{"startxref off target", pdfWithXref([]string{catalog, pages}, 3), false},
		{"no %%EOF", bytes.TrimSuffix(good, []byte("%%EOF\n")), false},
		{"root is not a catalog", pdfWithXref([]string{pages, catalog}, 0), false},
		{"no trailer", []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"), false},
		{"stream without endstream", []byte("%PDF-1.4\n1 0 obj << /Length 3 >>\nstream\nabc"), false},
		{"unbalanced string", []byte("%PDF-1.4\n1 0 obj (abc endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"), false},
		{"deep nesting", []byte("%PDF-1.4\n1 0 obj " + strings.Repeat("[", 1000) + strings.Repeat("]", 1000) + " endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"), false},
		{"zip named pdf", []byte("PK\x03\x04 not a pdf"), false},
	} {
		err := checkBytes(t, ".pdf", c.content)
		if (err == nil) != c.ok {
			t.Errorf("%s: err = %v, want ok %v", c.name, err, c.ok)
		}
	}
}

func TestCSVFormulasRefused(t *testing.T) {
	utf16le := func(s string) []byte {
		out := []byte{0xFF, 0xFE}
		for _, u := range utf16.Encode([]rune(s)) {
			out = binary.LittleEndian.AppendUint16(out, u)
		}
		return out
	}
	for _, c := range []struct {
		name    string
		content []byte
		ok      bool
	}{
		{"plain values", []byte("จังหวัด,จำนวน,ผลต่าง,ร้อยละ\nชลบุรี,1,234,-12,+3.5\nระยอง,\"1,000\",-0.5,12%\n"), true},
		{"text with = inside", []byte("a,b\nx = y,\"สูตร =1+1\"\n"), true},
		{"utf-8 bom", []byte("\ufeffa,b\n1,2\n"), true},
		{"utf-16 plain", utf16le("a,b\r\n1,2\r\n"), true},
		{"equals", []byte("a,b\n1,=1+1\n"), false},
		{"quoted formula", []byte("a,b\n1,\"=HYPERLINK(\"\"http://x\"\")\"\n"), false},
		{"plus", []byte("a\n+cmd|' /C calc'!A0\n"), false},
		{"minus", []byte("a\n-2+3+cmd|' /C calc'!A0\n"), false},
		{"at", []byte("a\n@SUM(A1)\n"), false},
		{"tab", []byte("a\n\"\t=1+1\"\n"), false},
		{"first cell", []byte("=cmd,b\n"), false},
		{"sep line", []byte("sep=;\na;b\n1;=1+1\n"), false},
		{"utf-16 formula", utf16le("a,b\r\n1,=1+1\r\n"), false},
		{"binary", []byte("a,b\n\x00\x01\x02,3\n"), false},
	} {
		err := checkBytes(t, ".csv", c.content)
		if (err == nil) != c.ok {
			t.Errorf("%s: err = %v, want ok %v", c.name, err, c.ok)
		}
		if err != nil && !c.ok && c.name == "equals" && (errors.Is(err, errWrongContent) || !strings.Contains(err.Error(), "row 2, column 2")) {
			t.Errorf("formula error does not name the cell: %v", err)
		}
	}
}
