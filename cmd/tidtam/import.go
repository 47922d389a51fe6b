package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/config"
	"github.com/tidtam/tidtam/internal/store"
)

// importCSV loads units or holidays from a CSV file, printing progress.
func importCSV(ctx context.Context, cfg *config.Config, kind, path string, out io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	db, err := openDB(ctx, cfg, true)
	if err != nil {
		return err
	}
	progress := func(done, total int) {
		fmt.Fprintf(out, "\r%s: %d/%d", kind, done, total)
		if done == total {
			fmt.Fprintln(out)
		}
	}
	var res store.ImportResult
	switch kind {
	case "units":
		res, err = store.ImportUnits(ctx, db, f, progress)
	case "holidays":
		res, err = store.ImportHolidays(ctx, db, f, progress)
	default:
		return fmt.Errorf("unknown import kind %q: use units or holidays", kind)
	}
	if err != nil {
		if e := apperr.As(err); e != nil && e.Details != nil {
			fmt.Fprintf(out, "\nไม่ได้นำเข้าข้อมูลใดเลย (nothing was imported): %s\n", e.Message)
			fmt.Fprintf(out, "%v\n", e.Details)
		}
		return err
	}
	fmt.Fprintf(out, "นำเข้าเสร็จ (done) %s: เพิ่ม %d, ปรับปรุง %d, ไม่เปลี่ยนแปลง %d (inserted, updated, unchanged)\n",
		path, res.Inserted, res.Updated, res.Unchanged)
	return nil
}
