package tips

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/engine"
	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
)

// ActionDaysVar is the environment variable that sets how many working
// days after its receipt a tip's first action is due (default 3).
const ActionDaysVar = "TIDTAM_TIP_ACTION_DAYS"

// ActionDaysFromEnv returns the working days of ActionDaysVar: 3 when it
// is unset, an error naming the variable when it is not a whole number
// from 1 to 60.
func ActionDaysFromEnv() (int, error) {
	v := strings.TrimSpace(os.Getenv(ActionDaysVar))
	if v == "" {
		return 3, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 60 {
		return 0, fmt.Errorf("%s=%q: want a whole number of working days from 1 to 60", ActionDaysVar, v)
	}
	return n, nil
}

// startTimeout bounds one workflow start at submission, so that an
// unreachable Temporal delays a tip by this much at most (the sweep starts
// it later).
const startTimeout = 3 * time.Second

// Starter starts the officers' workflow of tips (workflows.TipWorkflow,
// ID workflows.TipWorkflowID) that have none yet. The tips service starts
// each tip's workflow when it is submitted; when Temporal cannot be
// reached then, the tip is saved all the same with workflow_started false,
// and a Starter started with Run in every worker process (cmd/tidtam)
// starts it within Interval. Starting is idempotent: the workflow ID is
// the tip's, a running workflow is reused, a finished one never started
// again.
type Starter struct {
	DB        *gorm.DB
	Temporal  client.Client
	TaskQueue string
	// Policy is the deadlines of new tips' workflows; zero means
	// workflows.DefaultTipPolicy(ActionDaysFromEnv()).
	Policy workflows.TipPolicy
	// Interval between sweeps; 0 means 30 seconds.
	Interval time.Duration
	Logger   *slog.Logger
}

func (st *Starter) policy() workflows.TipPolicy {
	if !st.Policy.AckWithin.IsZero() {
		return st.Policy
	}
	days, err := ActionDaysFromEnv()
	if err != nil {
		days = 3 // cmd/tidtam refuses to start with a bad value
	}
	return workflows.DefaultTipPolicy(days)
}

func (st *Starter) log() *slog.Logger {
	if st.Logger != nil {
		return st.Logger
	}
	return slog.Default()
}

// Start starts tip's workflow (or finds it started) and marks the row.
// Unavailable when Temporal is missing or does not answer.
func (st *Starter) Start(ctx context.Context, tip models.Tip) error {
	if st.Temporal == nil {
		return engine.ErrUnavailable()
	}
	in := workflows.TipInput{TipID: tip.ID, ProvinceCode: tip.ProvinceCode, Route: tip.Route, RouteUnitCode: tip.RouteUnitCode,
		OfficialsInvolved: tip.OfficialsInvolved, Policy: st.policy(), Revision: workflows.TipRevision}
	var p models.Unit
	if err := st.DB.WithContext(ctx).Select("code", "inspection_region").Where("code = ?", tip.ProvinceCode).Take(&p).Error; err != nil {
		return err
	}
	in.Region = p.InspectionRegion
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	_, err := st.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       workflows.TipWorkflowID(tip.ID),
		TaskQueue:                st.TaskQueue,
		WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, workflows.TipWorkflow, in)
	var already *serviceerror.WorkflowExecutionAlreadyStarted
	if err != nil && !errors.As(err, &already) {
		return apperr.Wrap(apperr.Unavailable, err, "เริ่มงานติดตามเบาะแสไม่ได้ (could not start the tip's workflow)")
	}
	return st.DB.WithContext(ctx).Model(&models.Tip{}).Where("id = ?", tip.ID).Update("workflow_started", true).Error
}

// Sweep starts the workflows of up to 500 tips that have none, oldest
// first, and returns how many it started; it stops at the first failure.
func (st *Starter) Sweep(ctx context.Context) (int, error) {
	var rows []models.Tip
	if err := st.DB.WithContext(ctx).Select("id", "province_code", "route", "route_unit_code", "officials_involved").
		Where("workflow_started = ?", false).Order("id").Limit(500).Find(&rows).Error; err != nil {
		return 0, err
	}
	for i, t := range rows {
		if err := st.Start(ctx, t); err != nil {
			return i, err
		}
	}
	return len(rows), nil
}

// Run sweeps at once and then every Interval until ctx ends, logging what
// it could not start.
func (st *Starter) Run(ctx context.Context) {
	every := st.Interval
	if every <= 0 {
		every = 30 * time.Second
	}
	for {
		if n, err := st.Sweep(ctx); err != nil && ctx.Err() == nil {
			st.log().Warn("starting the workflows of tips failed; retrying later", "started", n, "error", err)
		} else if n > 0 {
			st.log().Info("started the workflows of tips saved while Temporal was unreachable", "started", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}
