package export

import (
	"fmt"
	"io"

	"github.com/tidtam/tidtam/internal/csvout"
)

// WriteCSV writes t to w as CSV through internal/csvout (byte-order mark,
// CRLF, formula-like cells neutralised): the header row, then each row as
// the iterator yields it. Times are written in Bangkok with the column's
// Layout; numbers and booleans as Go prints them. Output reaches w in
// blocks of a few kilobytes while the rows are read.
func WriteCSV(w io.Writer, t Table) error {
	cw := csvout.NewWriter(w)
	err := cw.Write(t.header())
	cells := make([]string, 0, len(t.Columns)*2)
	if err == nil && t.Rows != nil {
		for row, rerr := range t.Rows {
			if rerr != nil {
				if err = cw.Write([]string{IncompleteText}); err == nil {
					err = fmt.Errorf("%w: %w", ErrIncomplete, rerr)
				}
				break
			}
			cells = cells[:0]
			_ = t.expand(row, func(c Column, v any, be bool) error {
				cells = append(cells, c.text(v))
				return nil
			})
			if err = cw.Write(cells); err != nil {
				break
			}
		}
	}
	if ferr := cw.Flush(); err == nil {
		err = ferr
	}
	return err
}
