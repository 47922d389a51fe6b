package main

import (
	"context"
	"fmt"
	"io"

	"github.com/tidtam/tidtam/internal/config"
	"github.com/tidtam/tidtam/internal/store"
)

// auditCmd runs `tidtam audit verify`: it walks the audit trail's hash
// chain (store.VerifyAudit) and prints the rows checked and the last hash,
// or the first broken row and why, returning an error (exit status 1) when
// the chain is broken. It reads only; an out-of-date schema is refused.
func auditCmd(ctx context.Context, cfg *config.Config, args []string, out io.Writer) error {
	if len(args) != 1 || args[0] != "verify" {
		return fmt.Errorf("usage: tidtam audit verify")
	}
	db, err := openDB(ctx, cfg, false)
	if err != nil {
		return err
	}
	if sqlDB, err := db.DB(); err == nil {
		defer sqlDB.Close()
	}
	rep, err := store.VerifyAudit(ctx, db)
	if err != nil {
		return err
	}
	if b := rep.Broken; b != nil {
		fmt.Fprintf(out, "%s: สายแฮชขาดที่แถวรหัส %d (hash chain broken at row %d): %s\n", store.AuditChain, b.ID, b.ID, b.Reason)
		fmt.Fprintf(out, "%s: %d แถวก่อนหน้าตรวจผ่าน (rows before it verified)\n", store.AuditChain, rep.Rows)
		return fmt.Errorf("audit trail hash chain broken at row %d", b.ID)
	}
	fmt.Fprintf(out, "%s: สายแฮชครบถ้วน ตรวจแล้ว %d แถว (hash chain intact: %d rows verified); last id %d, last hash %s\n",
		store.AuditChain, rep.Rows, rep.Rows, rep.LastID, rep.LastHash)
	return nil
}
