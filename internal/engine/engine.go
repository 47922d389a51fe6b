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

// Update sends the Update name with arg to the running workflow workflowID,
// waits until it completed (at most UpdateTimeout) and decodes its result
// into result (a pointer, or nil). A nil client is ErrUnavailable; a
// workflow that is closed or was never started is apperr.Conflict; an
// Update rejected by its validator or handler comes back as the domain
// error the workflow raised (workflows.AppError).
func Update(ctx context.Context, c client.Client, workflowID, name string, arg, result any) error {
	if c == nil {
		return ErrUnavailable()
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
