package export_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/csvout"
	"github.com/tidtam/tidtam/internal/export"
	"github.com/tidtam/tidtam/internal/thaidate"
)

var due = time.Date(2024, 12, 17, 16, 30, 0, 0, thaidate.Bangkok)

// sample is a table of n rows: a code, a hostile subject, a count, a due
// time with its BE column (empty on odd rows), a flag.
func sample(n int) export.Table {
	return export.Table{
		Name:  "tidtam-ตัวอย่าง/test",
		Sheet: "งาน: ทดสอบ",
		Columns: []export.Column{
			{TH: "รหัสหน่วยงาน", EN: "Unit code"},
			{TH: "เรื่อง", EN: "Subject", Width: 50},
			{TH: "จำนวน", EN: "Count"},
			{TH: "วันครบกำหนด", EN: "Due", BE: true},
			{TH: "เกินกำหนด", EN: "Overdue"},
		},
		Rows: func(yield func([]any, error) bool) {
			row := make([]any, 5)
			for i := range n {
				var d *time.Time
				if i%2 == 0 {
					d = &due
				}
				row[0], row[1], row[2], row[3], row[4] = fmt.Sprintf("%04d", i), `=HYPERLINK("http://evil","คลิก")`, i, d, i%3 == 0
				if !yield(row, nil) {
					return
				}
			}
		},
	}
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]export.Format{"": "", "json": "", "CSV": export.CSV, " xlsx ": export.XLSX} {
		if got, err := export.ParseFormat(in); err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %q, %v", in, got, err)
		}
	}
	_, err := export.ParseFormat("pdf")
	if e := apperr.As(err); e == nil || e.Code != apperr.Invalid || e.Field != "format" {
		t.Errorf("ParseFormat(pdf) = %v", err)
	}
}

func TestFilename(t *testing.T) {
	tb := sample(0)
	if got := tb.Filename(export.XLSX); got != "tidtam-ตัวอย่าง-test.xlsx" {
		t.Errorf("Filename = %q", got)
	}
	if got := tb.ContentDisposition(export.CSV); got != `attachment; filename*=utf-8''tidtam-%E0%B8%95%E0%B8%B1%E0%B8%A7%E0%B8%AD%E0%B8%A2%E0%B9%88%E0%B8%B2%E0%B8%87-test.csv` {
		t.Errorf("ContentDisposition = %q", got)
	}
	if got := (export.Table{Name: " ../ "}).Filename(export.CSV); got != "tidtam-export.csv" {
		t.Errorf("Filename of nothing = %q", got)
	}
}

func TestBE(t *testing.T) {
	if got := export.BE(due.UTC(), false); got != "17 ธ.ค. 2567 16:30" {
		t.Errorf("BE = %q", got)
	}
	if got := export.BE(due, true); got != "17 ธ.ค. 2567" {
		t.Errorf("BE date = %q", got)
	}
	if export.BE(time.Time{}, false) != "" {
		t.Error("zero time not empty")
	}
}

// TestCSV: byte-order mark, Thai header with the BE column, ISO and BE
// dates side by side, the hostile subject neutralised, every row.
func TestCSV(t *testing.T) {
	var buf bytes.Buffer
	if err := export.WriteCSV(&buf, sample(3)); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.HasPrefix(out, csvout.BOM+"รหัสหน่วยงาน,เรื่อง,จำนวน,วันครบกำหนด,วันครบกำหนด (พ.ศ.),เกินกำหนด\r\n") {
		t.Fatalf("header: %q", out)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, csvout.BOM))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 {
		t.Fatalf("%d rows", len(rows))
	}
	want := []string{"0000", `'=HYPERLINK("http://evil","คลิก")`, "0", "2024-12-17T16:30:00+07:00", "17 ธ.ค. 2567 16:30", "true"}
	if strings.Join(rows[1], "|") != strings.Join(want, "|") {
		t.Errorf("row 1 = %q, want %q", rows[1], want)
	}
	if rows[2][3] != "" || rows[2][4] != "" || rows[2][2] != "1" {
		t.Errorf("row 2 = %q", rows[2])
	}
	tb := sample(1)
	tb.English = true
	buf.Reset()
	if err := export.WriteCSV(&buf, tb); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), csvout.BOM+"Unit code,Subject,Count,Due,Due (BE),Overdue\r\n") {
		t.Errorf("English header: %q", buf.String())
	}
}

// TestXLSX reads the workbook back: Thai header, frozen first row, widths,
// date cells beside BE text, the hostile subject a text cell and no
// formula, every row.
func TestXLSX(t *testing.T) {
	var buf bytes.Buffer
	if err := export.WriteXLSX(&buf, sample(250)); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := f.GetSheetName(0)
	if sheet != "งาน- ทดสอบ" {
		t.Errorf("sheet = %q", sheet)
	}
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 251 {
		t.Fatalf("%d rows, want header + 250", len(rows))
	}
	if got := strings.Join(rows[0], "|"); got != "รหัสหน่วยงาน|เรื่อง|จำนวน|วันครบกำหนด|วันครบกำหนด (พ.ศ.)|เกินกำหนด" {
		t.Errorf("header = %q", got)
	}
	if got := strings.Join(rows[1], "|"); got != `0000|=HYPERLINK("http://evil","คลิก")|0|2024-12-17 16:30:00|17 ธ.ค. 2567 16:30|TRUE` {
		t.Errorf("row 1 = %q", got)
	}
	if formula, _ := f.GetCellFormula(sheet, "B2"); formula != "" {
		t.Errorf("B2 is a formula: %q", formula)
	}
	if typ, _ := f.GetCellType(sheet, "B2"); typ != excelize.CellTypeInlineString && typ != excelize.CellTypeSharedString {
		t.Errorf("B2 type = %v, want a string", typ)
	}
	if typ, _ := f.GetCellType(sheet, "C3"); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		t.Errorf("C3 type = %v, want a number", typ)
	}
	raw, _ := f.GetCellValue(sheet, "D2", excelize.Options{RawCellValue: true})
	if tm, err := excelize.ExcelDateToTime(mustFloat(t, raw), false); err != nil || !tm.Equal(time.Date(2024, 12, 17, 16, 30, 0, 0, time.UTC)) {
		t.Errorf("D2 = %q (%v), want the Bangkok wall clock 2024-12-17 16:30", raw, tm)
	}
	panes, err := f.GetPanes(sheet)
	if err != nil || !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
		t.Errorf("panes = %+v, %v", panes, err)
	}
	for col, min := range map[string]float64{"A": 12, "B": 50, "D": 20, "E": 20} {
		if w, err := f.GetColWidth(sheet, col); err != nil || w < min {
			t.Errorf("width of %s = %v, want ≥ %v (%v)", col, w, min, err)
		}
	}
	if w, _ := f.GetColWidth(sheet, "B"); w != 50 {
		t.Errorf("width of B = %v, want 50", w)
	}
}

func mustFloat(t *testing.T, s string) float64 {
	t.Helper()
	var v float64
	if _, err := fmt.Sscan(s, &v); err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return v
}

// TestIncomplete: an error from the rows ends both files with a row saying
// so, and comes back wrapped in ErrIncomplete.
func TestIncomplete(t *testing.T) {
	boom := errors.New("boom")
	tb := sample(0)
	tb.Rows = func(yield func([]any, error) bool) {
		if yield([]any{"1"}, nil) {
			yield(nil, boom)
		}
	}
	var buf bytes.Buffer
	if err := export.WriteCSV(&buf, tb); !errors.Is(err, export.ErrIncomplete) || !errors.Is(err, boom) {
		t.Errorf("csv err = %v", err)
	}
	if !strings.HasSuffix(buf.String(), "1,,,,,\r\n"+export.IncompleteText+"\r\n") {
		t.Errorf("csv = %q", buf.String())
	}
	buf.Reset()
	if err := export.WriteXLSX(&buf, tb); !errors.Is(err, export.ErrIncomplete) {
		t.Errorf("xlsx err = %v", err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if v, _ := f.GetCellValue(f.GetSheetName(0), "A3"); v != export.IncompleteText {
		t.Errorf("xlsx A3 = %q", v)
	}
}

// TestCSVStreams: the first bytes of a CSV export reach the reader while
// the rows are still being read. The rows stop after 5,000 and wait until
// the reader has seen output; a writer that held the file in memory until
// the end would make them wait in vain.
func TestCSVStreams(t *testing.T) {
	pr, pw := io.Pipe()
	seen := make(chan struct{})
	tb := sample(0)
	waited := false
	tb.Rows = func(yield func([]any, error) bool) {
		for i := range 10000 {
			if i == 5000 {
				select {
				case <-seen:
					waited = true
				case <-time.After(10 * time.Second):
					return
				}
			}
			if !yield([]any{fmt.Sprint(i), "เรื่อง", i, due, false}, nil) {
				return
			}
		}
	}
	done := make(chan error, 1)
	go func() {
		err := export.WriteCSV(pw, tb)
		pw.CloseWithError(err)
		done <- err
	}()
	first := make([]byte, 1)
	if _, err := io.ReadFull(pr, first); err != nil {
		t.Fatal(err)
	}
	close(seen)
	rest, err := io.ReadAll(pr)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !waited {
		t.Fatal("no output before the rows ended")
	}
	if n := bytes.Count(rest, []byte("\r\n")); n != 10001 {
		t.Errorf("%d lines, want 10001", n)
	}
}
