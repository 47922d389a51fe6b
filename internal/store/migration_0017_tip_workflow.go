package store

import (
	"gorm.io/gorm"
)

func init() {
	Register(Migration{Version: 17, Name: "tip_workflow", Up: migrateTipWorkflow})
}

// migrateTipWorkflow adds to tips (models.Tip) what the officers' workflow
// of a tip (workflows.TipWorkflow, issue #15) writes: whether the workflow
// was started (workflow_started: false until the start reached Temporal,
// so that a sweep starts the ones a Temporal outage left behind), the
// pending deadline (due_at: acknowledgement, then first action; NULL when
// none is pending), when and by whom it was acknowledged, the first action,
// the agency a tip was referred to, whether a province referred it up to
// the secretariat, the highest escalation level reached and the workflow's
// version (an older write never overwrites a newer one). Existing tips
// count as not started. Conventions as in 0001–0016.
func migrateTipWorkflow(tx *gorm.DB) error {
	ts := timestampType(tx)
	stmts := []string{
		`ALTER TABLE tips ADD COLUMN workflow_started BOOLEAN NOT NULL DEFAULT FALSE`,
		`ALTER TABLE tips ADD COLUMN due_at ` + ts + ` NULL`,
		`ALTER TABLE tips ADD COLUMN acknowledged_at ` + ts + ` NULL`,
		`ALTER TABLE tips ADD COLUMN acknowledged_by VARCHAR(100) NOT NULL DEFAULT ''`,
		`ALTER TABLE tips ADD COLUMN first_action_at ` + ts + ` NULL`,
		`ALTER TABLE tips ADD COLUMN agency VARCHAR(200) NOT NULL DEFAULT ''`,
		`ALTER TABLE tips ADD COLUMN referred_up BOOLEAN NOT NULL DEFAULT FALSE`,
		`ALTER TABLE tips ADD COLUMN escalation_level INTEGER NOT NULL DEFAULT 0`,
		`ALTER TABLE tips ADD COLUMN version BIGINT NOT NULL DEFAULT 0`,
		`CREATE INDEX idx_tips_workflow_started ON tips (workflow_started)`,
	}
	for _, s := range stmts {
		if err := tx.Exec(s).Error; err != nil {
			return err
		}
	}
	return nil
}
