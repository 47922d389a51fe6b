// Package engine is the narrow path from the domain packages to the Temporal
// workflow engine: starting a workflow by business key, sending an Update
// and waiting for its result, querying, and mapping the engine's errors to
// domain errors (internal/apperr). It also tells a dependency outage (an
// unreachable database or Temporal frontend) from a bug, so that callers
// answer 503 "retry" rather than 500.
package engine

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/workflows"
)

// UpdateTimeout bounds how long Update waits for a workflow to accept and
// complete an Update.
const UpdateTimeout = 30 * time.Second

// ErrUnavailable is the domain error for a missing or unreachable workflow
// engine; it maps to 503 and means nothing was changed.
func ErrUnavailable() error {
	return apperr.New(apperr.Unavailable, "ระบบงาน (Temporal) ไม่พร้อม (workflow engine unavailable)")
}

// MaxUpdateBytes bounds the encoded argument of one Update. The server
// fails a workflow task whose payloads pass its blob limit (2 MiB by
// default, warning from 512 KiB), which leaves the workflow stuck; input
// limits keep every request far below this, and the guard makes sure no
// path can send more.
const MaxUpdateBytes = 256 << 10

// MaxStartBytes bounds the encoded input of a workflow started from a
// request (a directive with its items), below the server's 2 MiB blob
// limit.
const MaxStartBytes = 1536 << 10

// checkPayload refuses an Update argument whose encoding exceeds
// MaxUpdateBytes, before it reaches the server.
func checkPayload(name string, arg any) error {
	return CheckSize(name, arg, MaxUpdateBytes)
}

// CheckSize refuses v, a workflow input or Update argument, when its
// encoding exceeds limit bytes: apperr.Invalid (nothing is sent), so the
// caller learns to send less instead of leaving a workflow that the server
// cannot load.
func CheckSize(what string, v any, limit int) error {
	p, err := converter.GetDefaultDataConverter().ToPayload(v)
	if err != nil {
		return err
	}
	if n := len(p.GetData()); n > limit {
		return apperr.New(apperr.Invalid, "ข้อมูลที่ส่งใหญ่เกินกำหนด %d ไบต์ (the %s is %d bytes, more than %d)", limit, what, n, limit)
	}
	return nil
}

// Update sends the Update name with arg to the running workflow workflowID,
// waits until it completed (at most UpdateTimeout) and decodes its result
// into result (a pointer, or nil). An argument encoding to more than
// MaxUpdateBytes is apperr.Invalid and is not sent. A nil client is
// ErrUnavailable; a
// workflow that is closed or was never started is apperr.Conflict; an
// Update rejected by its validator or handler comes back as the domain
// error the workflow raised (workflows.AppError).
func Update(ctx context.Context, c client.Client, workflowID, name string, arg, result any) error {
	if c == nil {
		return ErrUnavailable()
	}
	if err := checkPayload(name, arg); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, UpdateTimeout)
	defer cancel()
	h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflowID, UpdateName: name, Args: []any{arg}, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = h.Get(ctx, result)
	}
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return apperr.New(apperr.Conflict, "รายการนี้ปิดแล้วหรือยังไม่เริ่ม (this record is closed or not started yet)")
	}
	return workflows.AppError(err)
}
