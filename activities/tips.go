package activities

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/tidtam/tidtam/models"
)

// Tips are the activities of the tips' officers' workflow
// (workflows.TipWorkflow, issue #15). Register a pointer to it with a
// worker (workflows.Activities.Tips).
type Tips struct {
	// DB is the application database.
	DB *gorm.DB
}

// TipRow is what a change of a tip's workflow writes to its row (tips):
// the officers' columns only, never the informant's texts. Version is the
// workflow's sequence number; DueAt, AcknowledgedAt and FirstActionAt are
// UTC.
type TipRow struct {
	ID              int64      `json:"id"`
	Status          string     `json:"status"`
	Route           string     `json:"route"`
	RouteUnitCode   string     `json:"route_unit_code"`
	DueAt           *time.Time `json:"due_at,omitempty"`
	AcknowledgedAt  *time.Time `json:"acknowledged_at,omitempty"`
	AcknowledgedBy  string     `json:"acknowledged_by,omitempty"`
	FirstActionAt   *time.Time `json:"first_action_at,omitempty"`
	Agency          string     `json:"agency,omitempty"`
	ReferredUp      bool       `json:"referred_up,omitempty"`
	EscalationLevel int        `json:"escalation_level"`
	Version         int64      `json:"version"`
}

// CommitTipInput is one change of a tip's workflow: its row and the
// notifications it enqueues (IDs derived from the workflow ID and the
// change's sequence number).
type CommitTipInput struct {
	Tip           TipRow              `json:"tip"`
	Notifications []NotificationInput `json:"notifications,omitempty"`
}

// CommitTip writes in one transaction the tip's row (only when Version is
// newer than the stored one, so a late or repeated commit changes
// nothing; it also marks the workflow started) and enqueues the
// notifications (once each: an ID already in the outbox is left alone).
// A tip that does not exist is invalid input, not retried.
func (a *Tips) CommitTip(ctx context.Context, in CommitTipInput) error {
	if a.DB == nil {
		return invalid("activities: no database configured")
	}
	return WriteTipCommit(ctx, a.DB, in)
}

// WriteTipCommit is CommitTip on db, for callers outside a worker.
func WriteTipCommit(ctx context.Context, db *gorm.DB, in CommitTipInput) error {
	if in.Tip.ID <= 0 || in.Tip.Version <= 0 {
		return invalid("CommitTip: tip id and version are required")
	}
	rows := make([]models.Notification, 0, len(in.Notifications))
	for _, n := range in.Notifications {
		r, err := n.Row()
		if err != nil {
			return err
		}
		rows = append(rows, r)
	}
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Table("tips").Where("id = ?", in.Tip.ID).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return invalid("CommitTip: no such tip")
		}
		t := in.Tip
		res := tx.Table("tips").Where("id = ? AND version < ?", t.ID, t.Version).Updates(map[string]any{
			"status": t.Status, "route": t.Route, "route_unit_code": t.RouteUnitCode, "due_at": utc(t.DueAt),
			"acknowledged_at": utc(t.AcknowledgedAt), "acknowledged_by": t.AcknowledgedBy,
			"first_action_at": utc(t.FirstActionAt), "agency": t.Agency, "referred_up": t.ReferredUp,
			"escalation_level": t.EscalationLevel, "version": t.Version, "workflow_started": true,
		})
		if res.Error != nil {
			return res.Error
		}
		for i := range rows {
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&rows[i]).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
