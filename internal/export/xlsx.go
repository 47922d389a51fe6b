package export

import (
	"errors"
	"fmt"
	"io"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/tidtam/tidtam/internal/thaidate"
)

// maxSheetName is the longest sheet name Excel accepts.
const maxSheetName = 31

// sheetName is t's sheet name as Excel accepts it.
func (t Table) sheetName() string {
	name := []rune(t.Sheet)
	for i, r := range name {
		switch r {
		case '\\', '/', '?', '*', '[', ']', ':':
			name[i] = '-'
		}
	}
	if len(name) > maxSheetName {
		name = name[:maxSheetName]
	}
	if s := string(name); s != "" && s[0] != '\'' {
		return s
	}
	return "tidtam"
}

// WriteXLSX writes t to w as an Excel workbook of one sheet: a bold header
// row, frozen so that it stays in view, column widths from Column.Width or
// the header, then the rows as the iterator yields them, streamed into the
// sheet. Times are date cells in Bangkok (yyyy-mm-dd hh:mm:ss, or
// yyyy-mm-dd for DateOnly columns), BE columns text. Strings are text
// cells: a subject such as =HYPERLINK(…) is shown, never evaluated. The
// zip file is written to w once the rows end.
func WriteXLSX(w io.Writer, t Table) (err error) {
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	sheet := t.sheetName()
	if err := f.SetSheetName(f.GetSheetName(0), sheet); err != nil {
		return err
	}
	f.SetDocProps(&excelize.DocProperties{Creator: "tidtam", Title: t.Name})
	headStyle, err := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E7EEF7"}},
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true},
		Border:    []excelize.Border{{Type: "bottom", Color: "7F8FA6", Style: 1}},
	})
	if err != nil {
		return err
	}
	dateTime := "yyyy-mm-dd hh:mm:ss"
	dateTimeStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateTime})
	if err != nil {
		return err
	}
	date := "yyyy-mm-dd"
	dateStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &date})
	if err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	header := t.header()
	col := 0
	_ = t.expand(nil, func(c Column, _ any, be bool) error {
		col++
		return sw.SetColWidth(col, col, c.width(header[col-1], be))
	})
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}); err != nil {
		return err
	}
	cells := make([]any, 0, len(header))
	for _, h := range header {
		cells = append(cells, excelize.Cell{StyleID: headStyle, Value: h})
	}
	if err := sw.SetRow("A1", cells, excelize.RowOpts{Height: 30}); err != nil {
		return err
	}
	n := 1
	var rowErr error
	if t.Rows != nil {
		for row, rerr := range t.Rows {
			n++
			axis, _ := excelize.CoordinatesToCellName(1, n)
			if rerr != nil {
				rowErr = fmt.Errorf("%w: %w", ErrIncomplete, rerr)
				if err := sw.SetRow(axis, []any{IncompleteText}); err != nil {
					return errors.Join(rowErr, err)
				}
				break
			}
			cells = cells[:0]
			_ = t.expand(row, func(c Column, v any, be bool) error {
				cells = append(cells, xlsxValue(c, v, be, dateTimeStyle, dateStyle))
				return nil
			})
			if err := sw.SetRow(axis, cells); err != nil {
				return err
			}
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	if _, err := f.WriteTo(w); err != nil {
		return err
	}
	return rowErr
}

// xlsxValue is the cell written for value v of column c.
func xlsxValue(c Column, v any, be bool, dateTimeStyle, dateStyle int) any {
	if be {
		return v
	}
	if tm, ok := timeOf(v); ok {
		if tm.IsZero() {
			return nil
		}
		// excelize writes the wall clock of the time's location.
		style := dateTimeStyle
		if c.DateOnly {
			style = dateStyle
		}
		return excelize.Cell{StyleID: style, Value: tm.In(thaidate.Bangkok)}
	}
	switch v := v.(type) {
	case nil, string, bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
		return v
	case time.Duration:
		return v.String()
	case []byte:
		if utf8.Valid(v) {
			return string(v)
		}
	}
	return fmt.Sprint(v)
}
