package store

import (
	"fmt"

	"gorm.io/gorm"
)

func init() {
	Register(Migration{Version: 2, Name: "directives", Up: migrateDirectives})
}

// migrateDirectives creates the tables of models/directive.go: directives
// and their items, the per-unit assignments with their items, reports,
// escalations and their actions, the assignment event log, the
// notification outbox, and named target sets.
//
// Every row the workflows write is keyed by something the workflow supplies
// (a business key, a workflow ID, or a deterministic event key), so the
// activities write with INSERT … ON CONFLICT and a retried activity changes
// nothing twice. assignments and assignment_items carry the workflow's
// event sequence number as version: an upsert only overwrites an older
// version.
//
// Conventions as in 0001: non-pointer Go strings are NOT NULL with an empty
// default, index names are the ones GORM derives from the struct tags, DDL
// indented with spaces. Deleting a directive deletes everything under it.
func migrateDirectives(tx *gorm.DB) error {
	ts := timestampType(tx)
	statements := []string{
		fmt.Sprintf(`CREATE TABLE directives (
  id VARCHAR(128) NOT NULL PRIMARY KEY,
  source VARCHAR(32) NOT NULL DEFAULT '',
  issuer_code VARCHAR(32) NOT NULL DEFAULT '',
  doc_number VARCHAR(128) NOT NULL DEFAULT '',
  doc_number_norm VARCHAR(128) NOT NULL DEFAULT '',
  issue_date VARCHAR(10) NOT NULL,
  urgency VARCHAR(16) NOT NULL,
  subject TEXT NOT NULL DEFAULT '',
  body TEXT NOT NULL DEFAULT '',
  meeting_id VARCHAR(64) NULL,
  status VARCHAR(16) NOT NULL,
  status_reason TEXT NOT NULL DEFAULT '',
  units_total INTEGER NOT NULL DEFAULT 0,
  units_assigned INTEGER NOT NULL DEFAULT 0,
  created_by VARCHAR(64) NOT NULL DEFAULT '',
  created_at %[1]s NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at %[1]s NOT NULL DEFAULT CURRENT_TIMESTAMP
)`, ts),
		`CREATE UNIQUE INDEX idx_directives_doc ON directives (issuer_code, doc_number_norm) WHERE doc_number_norm <> ''`,
		`CREATE INDEX idx_directives_status ON directives (status)`,

		`CREATE TABLE directive_items (
  directive_id VARCHAR(128) NOT NULL,
  number INTEGER NOT NULL,
  text TEXT NOT NULL DEFAULT '',
  target TEXT NOT NULL DEFAULT '',
  due_date VARCHAR(10) NULL,
  due_working_days INTEGER NULL,
  due_within VARCHAR(32) NULL,
  recurrence TEXT NULL,
  evidence_required BOOLEAN NOT NULL DEFAULT FALSE,
  report_into TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (directive_id, number),
  CONSTRAINT fk_directive_items_directive FOREIGN KEY (directive_id) REFERENCES directives (id) ON DELETE CASCADE
)`,

		fmt.Sprintf(`CREATE TABLE assignments (
  id VARCHAR(255) NOT NULL PRIMARY KEY,
  directive_id VARCHAR(128) NOT NULL,
  unit_code VARCHAR(32) NOT NULL,
  parent_code VARCHAR(32) NOT NULL DEFAULT '',
  region INTEGER NOT NULL DEFAULT 0,
  status VARCHAR(16) NOT NULL,
  ack_due_at %[1]s NOT NULL,
  acknowledged_at %[1]s NULL,
  acknowledged_by VARCHAR(64) NOT NULL DEFAULT '',
  overdue BOOLEAN NOT NULL DEFAULT FALSE,
  escalation_level INTEGER NOT NULL DEFAULT 0,
  close_reason TEXT NOT NULL DEFAULT '',
  version BIGINT NOT NULL DEFAULT 0,
  created_at %[1]s NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at %[1]s NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT fk_assignments_directive FOREIGN KEY (directive_id) REFERENCES directives (id) ON DELETE CASCADE
)`, ts),
		`CREATE UNIQUE INDEX idx_assignments_directive_unit ON assignments (directive_id, unit_code)`,
		`CREATE INDEX idx_assignments_unit_code ON assignments (unit_code)`,
		`CREATE INDEX idx_assignments_parent_code ON assignments (parent_code)`,
		`CREATE INDEX idx_assignments_region ON assignments (region)`,

		fmt.Sprintf(`CREATE TABLE assignment_items (
  assignment_id VARCHAR(255) NOT NULL,
  item_number INTEGER NOT NULL,
  cycle INTEGER NOT NULL,
  status VARCHAR(16) NOT NULL,
  due_at %[1]s NULL,
  reported_at %[1]s NULL,
  escalation_level INTEGER NOT NULL DEFAULT 0,
  reason TEXT NOT NULL DEFAULT '',
  version BIGINT NOT NULL DEFAULT 0,
  updated_at %[1]s NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (assignment_id, item_number, cycle),
  CONSTRAINT fk_assignment_items_assignment FOREIGN KEY (assignment_id) REFERENCES assignments (id) ON DELETE CASCADE
)`, ts),

		fmt.Sprintf(`CREATE TABLE reports (
  id VARCHAR(128) NOT NULL PRIMARY KEY,
  assignment_id VARCHAR(255) NOT NULL,
  item_number INTEGER NOT NULL,
  cycle INTEGER NOT NULL,
  text TEXT NOT NULL DEFAULT '',
  evidence TEXT NOT NULL DEFAULT '[]',
  submitted_by VARCHAR(64) NOT NULL DEFAULT '',
  submitted_at %[1]s NOT NULL,
  decision VARCHAR(16) NULL,
  decided_by VARCHAR(64) NULL,
  decided_at %[1]s NULL,
  reason TEXT NOT NULL DEFAULT '',
  CONSTRAINT fk_reports_assignment FOREIGN KEY (assignment_id) REFERENCES assignments (id) ON DELETE CASCADE
)`, ts),
		`CREATE INDEX idx_reports_item ON reports (assignment_id, item_number, cycle)`,

		fmt.Sprintf(`CREATE TABLE escalations (
  id VARCHAR(255) NOT NULL PRIMARY KEY,
  assignment_id VARCHAR(255) NOT NULL,
  item_number INTEGER NOT NULL,
  cycle INTEGER NOT NULL,
  level INTEGER NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  recipients TEXT NOT NULL DEFAULT '{}',
  region INTEGER NOT NULL DEFAULT 0,
  unit_code VARCHAR(32) NOT NULL DEFAULT '',
  opened_at %[1]s NOT NULL,
  closed_at %[1]s NULL,
  close_reason TEXT NOT NULL DEFAULT '',
  CONSTRAINT fk_escalations_assignment FOREIGN KEY (assignment_id) REFERENCES assignments (id) ON DELETE CASCADE
)`, ts),
		`CREATE INDEX idx_escalations_assignment_id ON escalations (assignment_id)`,
		`CREATE INDEX idx_escalations_region ON escalations (region)`,

		fmt.Sprintf(`CREATE TABLE escalation_actions (
  id VARCHAR(255) NOT NULL PRIMARY KEY,
  escalation_id VARCHAR(255) NOT NULL,
  kind VARCHAR(16) NOT NULL,
  actor VARCHAR(64) NOT NULL DEFAULT '',
  reason TEXT NOT NULL DEFAULT '',
  new_due %[1]s NULL,
  at %[1]s NOT NULL,
  CONSTRAINT fk_escalation_actions_escalation FOREIGN KEY (escalation_id) REFERENCES escalations (id) ON DELETE CASCADE
)`, ts),
		`CREATE INDEX idx_escalation_actions_escalation_id ON escalation_actions (escalation_id)`,

		fmt.Sprintf(`CREATE TABLE assignment_events (
  id VARCHAR(255) NOT NULL PRIMARY KEY,
  assignment_id VARCHAR(255) NOT NULL,
  seq BIGINT NOT NULL,
  actor VARCHAR(64) NOT NULL DEFAULT '',
  action VARCHAR(64) NOT NULL,
  before TEXT NOT NULL DEFAULT '',
  after TEXT NOT NULL DEFAULT '',
  at %[1]s NOT NULL,
  CONSTRAINT fk_assignment_events_assignment FOREIGN KEY (assignment_id) REFERENCES assignments (id) ON DELETE CASCADE
)`, ts),
		`CREATE UNIQUE INDEX idx_assignment_events_seq ON assignment_events (assignment_id, seq)`,

		fmt.Sprintf(`CREATE TABLE notifications (
  id VARCHAR(255) NOT NULL PRIMARY KEY,
  kind VARCHAR(64) NOT NULL,
  recipients TEXT NOT NULL DEFAULT '{}',
  template VARCHAR(128) NOT NULL DEFAULT '',
  language VARCHAR(8) NOT NULL DEFAULT 'th',
  data TEXT NOT NULL DEFAULT '{}',
  status VARCHAR(16) NOT NULL DEFAULT 'pending',
  created_at %[1]s NOT NULL
)`, ts),
		`CREATE INDEX idx_notifications_status ON notifications (status, created_at)`,

		`CREATE TABLE target_sets (
  code VARCHAR(64) NOT NULL PRIMARY KEY,
  name_th VARCHAR(255) NOT NULL,
  name_en VARCHAR(255) NOT NULL
)`,
		`CREATE TABLE target_set_members (
  set_code VARCHAR(64) NOT NULL,
  unit_code VARCHAR(32) NOT NULL,
  PRIMARY KEY (set_code, unit_code),
  CONSTRAINT fk_target_set_members_set FOREIGN KEY (set_code) REFERENCES target_sets (code) ON DELETE CASCADE,
  CONSTRAINT fk_target_set_members_unit FOREIGN KEY (unit_code) REFERENCES units (code)
)`,
		`CREATE INDEX idx_target_set_members_unit_code ON target_set_members (unit_code)`,
	}
	for _, s := range statements {
		if err := tx.Exec(s).Error; err != nil {
			return fmt.Errorf("%w\n%s", err, s)
		}
	}
	return nil
}
