// Package export writes tables for spreadsheets: the one small API behind
// every "download as Excel / CSV" of tidtam (directive matrix, assignments,
// audit trail, KPI scores, attendance statistics).
//
// An export is a Table: column headers in Thai (and English), and the rows
// as an iterator that the writer consumes while it writes, so a caller
// reads its rows from the database in batches inside the iterator and
// nothing holds the whole export in memory:
//
//	t := export.Table{
//		Name:  "tidtam-assignments",
//		Sheet: "งาน",
//		Columns: []export.Column{
//			{TH: "รหัสหน่วยงาน", EN: "Unit code"},
//			{TH: "วันครบกำหนด", EN: "Due", BE: true}, // adds "วันครบกำหนด (พ.ศ.)"
//		},
//		Rows: func(yield func([]any, error) bool) {
//			for batch := range … { for _, r := range batch { if !yield([]any{r.Code, r.Due}, nil) { return } } }
//		},
//	}
//	err := export.Write(w, export.XLSX, t)
//
// (download.Export sends a Table as an HTTP download.)
//
// Formats:
//   - CSV (internal/csvout): UTF-8 with a byte-order mark so that Excel
//     shows Thai, CRLF line ends, every cell that a spreadsheet could take
//     for a formula neutralised with a leading apostrophe. Written row by
//     row as the iterator yields.
//   - XLSX (excelize's StreamWriter): one sheet, the header row bold and
//     frozen, column widths set, times as date cells. Rows stream into the
//     sheet (excelize keeps at most 16 MB of it in memory and spills the
//     rest to a temporary file); the workbook, a zip file, is written to w
//     when the rows end. Strings are stored as text cells, never as
//     formulas.
//
// Cell values are string, bool, the integer types, float32, float64,
// time.Time, *time.Time and nil (an empty cell); anything else is written
// with fmt.Sprint. Times are shown in Bangkok.
package export

import (
	"errors"
	"fmt"
	"io"
	"iter"
	"mime"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/thaidate"
)

// Format is a file format of an export.
type Format string

// The export formats.
const (
	CSV  Format = "csv"
	XLSX Format = "xlsx"
)

// ParseFormat reads the format query parameter of a list or report route:
// "" and "json" are no export (the empty Format, nil), "csv" and "xlsx"
// (any case, spaces trimmed) are those formats, anything else is an
// apperr Invalid error on the field "format".
func ParseFormat(s string) (Format, error) {
	switch f := strings.ToLower(strings.TrimSpace(s)); f {
	case "", "json":
		return "", nil
	case string(CSV), string(XLSX):
		return Format(f), nil
	}
	return "", apperr.Field("format", "รูปแบบ %q ไม่รองรับ: ใช้ json, csv หรือ xlsx (unsupported format %q: json, csv or xlsx)", s, s)
}

// ContentType is the media type of a file of format f.
func (f Format) ContentType() string {
	if f == XLSX {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

// Column describes one column of a Table.
type Column struct {
	// TH is the header in Thai (the header row); EN the header in English
	// (used when Table.English is set; TH when empty).
	TH, EN string
	// Width is the column's width in the xlsx sheet, in characters; 0
	// derives it from the header (at least 10).
	Width float64
	// BE marks a time column (time.Time or *time.Time values): the writers
	// add a column right after it, headed TH + " (พ.ศ.)" (EN + " (BE)"),
	// with the same moment as a Thai reads it, e.g. "17 ธ.ค. 2567 14:05"
	// (DateOnly: "17 ธ.ค. 2567"), Arabic digits.
	BE bool
	// DateOnly shows a time column's day without the time of day.
	DateOnly bool
	// Layout is the Go time layout of the column's times in CSV (in
	// Bangkok); empty means ISO 8601, "2006-01-02T15:04:05+07:00" (or
	// "2006-01-02" with DateOnly). XLSX writes times as date cells.
	Layout string
}

// Table is an export: its columns and its rows.
type Table struct {
	// Name is the file name without its extension, e.g.
	// "tidtam-matrix-MOI-1234"; Filename cleans it.
	Name string
	// Sheet names the xlsx sheet (at most 31 characters are kept); empty
	// means "tidtam".
	Sheet string
	// English heads the columns with Column.EN instead of TH.
	English bool
	Columns []Column
	// Rows yields one slice of values per row, one value per Column (a
	// shorter row leaves the rest empty, a longer one is cut). The writers
	// do not keep a slice after the next iteration, so the iterator may
	// reuse it. An error ends the rows: the writer adds a last row saying
	// the export is incomplete (IncompleteText), finishes the file, and
	// returns the error.
	Rows iter.Seq2[[]any, error]
}

// IncompleteText is the cell of the last row of an export whose rows
// ended with an error.
const IncompleteText = "การส่งออกไม่สมบูรณ์ (export incomplete): อ่านข้อมูลไม่ได้ (the data could not be read)"

// ErrIncomplete wraps the error that ended a table's rows early (the file
// written ends with an IncompleteText row).
var ErrIncomplete = errors.New("export incomplete")

// Write writes t to w in format f (CSV or XLSX).
func Write(w io.Writer, f Format, t Table) error {
	switch f {
	case CSV:
		return WriteCSV(w, t)
	case XLSX:
		return WriteXLSX(w, t)
	}
	return fmt.Errorf("export: unknown format %q", f)
}

// Filename is t's file name for format f: Name (default "tidtam-export")
// with characters that do not belong in a file name (path separators,
// control and quoting characters) replaced by '-', and the extension.
// Thai letters stay.
func (t Table) Filename(f Format) string {
	name := strings.Map(func(r rune) rune {
		switch {
		case r < 0x20 || r == 0x7f, strings.ContainsRune(`/\:*?"<>|;%`, r), unicode.IsSpace(r):
			return '-'
		}
		return r
	}, strings.TrimSpace(t.Name))
	if strings.Trim(name, "-.") == "" {
		name = "tidtam-export"
	}
	return name + "." + string(f)
}

// ContentDisposition is the Content-Disposition header value that sends t
// as a download named Filename(f): RFC 6266, with filename* in UTF-8 when
// the name is not ASCII.
func (t Table) ContentDisposition(f Format) string {
	if v := mime.FormatMediaType("attachment", map[string]string{"filename": t.Filename(f)}); v != "" {
		return v
	}
	return "attachment"
}

// BE formats the moment tm in Bangkok as a Thai reads it, with the
// abbreviated month, the Buddhist Era year and the time: "17 ธ.ค. 2567
// 14:05"; with dateOnly "17 ธ.ค. 2567". The zero time is "".
func BE(tm time.Time, dateOnly bool) string {
	if tm.IsZero() {
		return ""
	}
	tm = tm.In(thaidate.Bangkok)
	d := thaidate.FromTime(tm)
	s := fmt.Sprintf("%d %s %d", d.Day, thaidate.MonthNameTHShort(d.Month), thaidate.YearBE(d))
	if dateOnly {
		return s
	}
	return fmt.Sprintf("%s %02d:%02d", s, tm.Hour(), tm.Minute())
}

// layout is c's CSV time layout.
func (c Column) layout() string {
	switch {
	case c.Layout != "":
		return c.Layout
	case c.DateOnly:
		return "2006-01-02"
	}
	return "2006-01-02T15:04:05-07:00"
}

// header is the header row of t, BE columns included.
func (t Table) header() []string {
	var out []string
	for _, c := range t.Columns {
		h := c.TH
		if t.English && c.EN != "" {
			h = c.EN
		}
		out = append(out, h)
		if c.BE {
			if t.English {
				out = append(out, h+" (BE)")
			} else {
				out = append(out, h+" (พ.ศ.)")
			}
		}
	}
	return out
}

// timeOf returns v as a time when it is one (nil pointer: the zero time).
func timeOf(v any) (time.Time, bool) {
	switch v := v.(type) {
	case time.Time:
		return v, true
	case *time.Time:
		if v == nil {
			return time.Time{}, true
		}
		return *v, true
	}
	return time.Time{}, false
}

// expand maps a row of values (one per column) to the cells written (BE
// columns included), calling cell for each: c is the column the value
// belongs to, be reports the BE companion cell.
func (t Table) expand(row []any, cell func(c Column, v any, be bool) error) error {
	for i, c := range t.Columns {
		var v any
		if i < len(row) {
			v = row[i]
		}
		if err := cell(c, v, false); err != nil {
			return err
		}
		if c.BE {
			var s string
			if tm, ok := timeOf(v); ok {
				s = BE(tm, c.DateOnly)
			}
			if err := cell(c, s, true); err != nil {
				return err
			}
		}
	}
	return nil
}

// width is the xlsx width of column c (or of its BE companion).
func (c Column) width(header string, be bool) float64 {
	if c.Width > 0 && !be {
		return c.Width
	}
	n := 0
	for _, r := range header {
		// Thai vowel and tone marks take no width of their own.
		if !unicode.Is(unicode.Mn, r) {
			n++
		}
	}
	w := float64(n) + 2
	if be || c.BE && !c.DateOnly {
		w = max(w, 20)
	} else if c.BE {
		w = max(w, 13)
	}
	return min(max(w, 10), 80)
}

// text is v as CSV text.
func (c Column) text(v any) string {
	if tm, ok := timeOf(v); ok {
		if tm.IsZero() {
			return ""
		}
		return tm.In(thaidate.Bangkok).Format(c.layout())
	}
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case []byte:
		if utf8.Valid(v) {
			return string(v)
		}
	}
	return fmt.Sprint(v)
}
