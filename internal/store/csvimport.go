package store

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/tidtam/tidtam/internal/apperr"
)

// ImportResult counts what an import did to the rows of its file. Every
// data row is counted exactly once.
type ImportResult struct {
	// Inserted rows had no record with their key before.
	Inserted int `json:"inserted"`
	// Updated rows changed at least one column of an existing record.
	Updated int `json:"updated"`
	// Unchanged rows matched their record exactly and were not written.
	Unchanged int `json:"unchanged"`
}

// RowError is one problem found in one line of an imported CSV file. An
// import that finds any returns them all as the Details of a single
// apperr.Invalid error, as a []RowError.
type RowError struct {
	// Line is the 1-based line number in the file; the header is line 1.
	Line int `json:"line"`
	// Field is the CSV column concerned, empty when the whole row is.
	Field string `json:"field,omitempty"`
	// Message says what is wrong, Thai first, English after.
	Message string `json:"message"`
}

// String formats e as "บรรทัด 17: code: message".
func (e RowError) String() string {
	if e.Field == "" {
		return fmt.Sprintf("บรรทัด %d: %s", e.Line, e.Message)
	}
	return fmt.Sprintf("บรรทัด %d: %s: %s", e.Line, e.Field, e.Message)
}

// importBatchSize is how many rows one INSERT … ON CONFLICT statement
// carries: big enough to make a 1,000-row file a handful of statements,
// small enough to stay far below PostgreSQL's 65,535 bind parameters.
const importBatchSize = 200

// maxReportedRowErrors caps the details of a rejected import; a file that
// is wrong everywhere would otherwise produce an unreadable wall of errors.
const maxReportedRowErrors = 200

// csvRow is one data row of an imported file.
type csvRow struct {
	line   int
	fields []string
}

// csvFile is a parsed import file: the header's column positions and the
// data rows.
type csvFile struct {
	columns []string
	index   map[string]int
	rows    []csvRow
}

// has reports whether the header names column.
func (f *csvFile) has(column string) bool {
	_, ok := f.index[column]
	return ok
}

// get returns row's value of column, trimmed, or "" when the header lacks
// the column.
func (f *csvFile) get(row csvRow, column string) string {
	i, ok := f.index[column]
	if !ok || i >= len(row.fields) {
		return ""
	}
	return strings.TrimSpace(row.fields[i])
}

// readCSVFile reads a whole UTF-8 CSV file with a header row. Header names
// are trimmed and lower-cased; a leading byte order mark is dropped; blank
// lines are skipped. Rows whose field count differs from the header's, or
// that are not valid UTF-8, are returned as problems rather than rows. A
// file it cannot parse at all is an apperr.BadRequest; a file without a
// header is an apperr.Invalid.
func readCSVFile(r io.Reader) (*csvFile, []RowError, error) {
	br := bufio.NewReader(r)
	if bom, err := br.Peek(3); err == nil && bytes.Equal(bom, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1 // checked below, to report the line

	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, apperr.Field("file", "ไฟล์ว่าง ต้องมีแถวหัวตาราง / empty file; a header row is required")
	}
	if err != nil {
		return nil, nil, csvReadError(err)
	}
	f := &csvFile{index: map[string]int{}}
	for i, name := range header {
		name = strings.ToLower(strings.TrimSpace(name))
		if _, dup := f.index[name]; dup {
			return nil, nil, apperr.Field("header", "คอลัมน์ %q ซ้ำในแถวหัวตาราง / column %q appears twice in the header", name, name)
		}
		f.index[name] = i
		f.columns = append(f.columns, name)
	}

	var problems []RowError
	for {
		record, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, csvReadError(err)
		}
		line, _ := cr.FieldPos(0)
		if len(record) != len(header) {
			problems = append(problems, RowError{Line: line, Message: fmt.Sprintf(
				"มี %d คอลัมน์ แต่หัวตารางมี %d / has %d fields, the header has %d", len(record), len(header), len(record), len(header))})
			continue
		}
		valid := true
		for i, v := range record {
			if !utf8.ValidString(v) {
				problems = append(problems, RowError{Line: line, Field: f.columns[i], Message: "ไม่ใช่ข้อความ UTF-8 (บันทึกไฟล์เป็น UTF-8) / not UTF-8 text"})
				valid = false
			}
		}
		if valid {
			f.rows = append(f.rows, csvRow{line: line, fields: record})
		}
	}
	return f, problems, nil
}

// checkHeader requires every column of required in f's header and allows
// only those and optional ones, so that a misspelt column is an error
// rather than silently ignored data.
func (f *csvFile) checkHeader(required, optional []string) error {
	allowed := slices.Concat(required, optional)
	for _, name := range f.columns {
		if !slices.Contains(allowed, name) {
			return apperr.Field("header", "ไม่รู้จักคอลัมน์ %q ในแถวหัวตาราง (ใช้ได้: %s) / unknown column %q in the header",
				name, strings.Join(allowed, ","), name)
		}
	}
	for _, name := range required {
		if !f.has(name) {
			return apperr.Field("header", "แถวหัวตารางไม่มีคอลัมน์ %q (ต้องมี: %s) / the header lacks column %q",
				name, strings.Join(required, ","), name)
		}
	}
	return nil
}

// csvReadError reports a CSV syntax error (e.g. an unclosed quote) with its
// line.
func csvReadError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return apperr.Wrap(apperr.BadRequest, err, "บรรทัด %d: อ่านไฟล์ CSV ไม่ได้ (%v) / line %d: not valid CSV", pe.Line, pe.Err, pe.Line)
	}
	return apperr.Wrap(apperr.BadRequest, err, "อ่านไฟล์ไม่ได้ / cannot read the file: %v", err)
}

// rejectImport builds the single error of an import with bad rows.
func rejectImport(problems []RowError) error {
	shown := problems
	if len(shown) > maxReportedRowErrors {
		shown = shown[:maxReportedRowErrors]
	}
	var first []string
	for _, p := range shown[:min(len(shown), 5)] {
		first = append(first, p.String())
	}
	more := ""
	if len(problems) > len(first) {
		more = fmt.Sprintf("; … (+%d)", len(problems)-len(first))
	}
	return apperr.New(apperr.Invalid,
		"ไม่ได้นำเข้าข้อมูลใดเลย เพราะพบข้อผิดพลาด %d รายการ / nothing was imported: %d problems found: %s%s",
		len(problems), len(problems), strings.Join(first, "; "), more).WithDetails(shown)
}

// asciiDigits replaces Thai digits ๐–๙ with 0–9, so that codes and dates
// typed on a Thai keyboard are accepted.
func asciiDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '๐' && r <= '๙' {
			return '0' + (r - '๐')
		}
		return r
	}, s)
}

// reportProgress calls progress when it is set.
func reportProgress(progress func(done, total int), done, total int) {
	if progress != nil {
		progress(done, total)
	}
}
