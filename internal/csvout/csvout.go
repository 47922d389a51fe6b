// Package csvout writes CSV files meant to be opened in a spreadsheet
// (Excel, LibreOffice Calc, Google Sheets): UTF-8 with a byte-order mark so
// that Excel shows Thai instead of mojibake, CRLF line ends, and every cell
// neutralised against formula injection (CWE-1236): a cell that a
// spreadsheet would read as a formula gets a leading apostrophe, which the
// spreadsheet shows as text and does not display. Every export of the
// product writes through it.
package csvout

import (
	"encoding/csv"
	"io"
)

// BOM is the UTF-8 byte-order mark written before the first row.
const BOM = "\ufeff"

// FormulaLike reports whether a spreadsheet may take cell for a formula
// (or a DDE command): it starts with '=', '+', '-' or '@', or with a tab
// or carriage return, after which some spreadsheets look for one (the
// OWASP "CSV injection" list).
func FormulaLike(cell string) bool {
	if cell == "" {
		return false
	}
	switch cell[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}

// Neutralize returns cell as it is, or with a leading apostrophe when it
// is FormulaLike, so that a spreadsheet shows it as text.
func Neutralize(cell string) string {
	if FormulaLike(cell) {
		return "'" + cell
	}
	return cell
}

// Writer writes rows of neutralised cells. Create it with NewWriter; call
// Flush (or check Error) at the end.
type Writer struct {
	w       *csv.Writer
	started bool
	out     io.Writer
	cells   []string
}

// NewWriter returns a Writer on w. Nothing is written until the first row
// (the byte-order mark goes before it).
func NewWriter(w io.Writer) *Writer {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	return &Writer{w: cw, out: w}
}

// Write writes one row, each cell passed through Neutralize and quoted as
// RFC 4180 needs. The first call writes the byte-order mark first. Rows
// are buffered: Flush sends them on.
func (w *Writer) Write(row []string) error {
	if !w.started {
		w.started = true
		if _, err := io.WriteString(w.out, BOM); err != nil {
			return err
		}
	}
	w.cells = w.cells[:0]
	for _, c := range row {
		w.cells = append(w.cells, Neutralize(c))
	}
	return w.w.Write(w.cells)
}

// Flush writes the buffered rows to the underlying writer and returns the
// first error met writing any row.
func (w *Writer) Flush() error {
	w.w.Flush()
	return w.w.Error()
}
