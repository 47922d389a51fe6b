package directives

import (
	"os"
	"testing"
)

// FuzzUploadChecks feeds arbitrary bytes to the content check of every
// accepted extension: a check may refuse anything, but never panic, hang
// or accept a file its type's parser cannot read (the PDF parser is ours).
func FuzzUploadChecks(f *testing.F) {
	f.Add([]byte("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"))
	f.Add(pdfWithXref([]string{"<< /Type /Catalog >>", "<< /Length 3 >>\nstream\nabc\nendstream"}, 0))
	f.Add([]byte("a,b\n1,=1+1\n"))
	f.Add([]byte("sep=;\na;b\n"))
	f.Add([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"))
	if b, err := os.ReadFile("testdata/gopher.lossless.webp"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, ext := range []string{".pdf", ".png", ".jpg", ".webp", ".csv"} {
			_ = checkBytes(t, ext, b)
		}
	})
}
