package store

import (
	"fmt"

	"gorm.io/gorm"
)

func init() {
	Register(Migration{Version: 5, Name: "meetings", Up: migrateMeetings})
}

// migrateMeetings creates the tables of models/meeting.go: meeting series,
// their meetings (unique by series, Buddhist-era year and number, so a
// number is never given twice), RSVPs, attendance, versioned minutes and
// the per-unit iCalendar feed tokens. Rows are written by the meeting
// workflows with upserts keyed by the IDs they supply. Conventions as in
// 0001–0004: non-pointer strings NOT NULL DEFAULT ”, DDL indented with
// spaces. Deleting a meeting deletes its RSVPs, attendance and minutes.
func migrateMeetings(tx *gorm.DB) error {
	ts := timestampType(tx)
	statements := []string{
		fmt.Sprintf(`CREATE TABLE meeting_series (
  id VARCHAR(32) NOT NULL PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '',
  organiser_code VARCHAR(32) NOT NULL DEFAULT '',
  participants TEXT NOT NULL DEFAULT '[]',
  cadence TEXT NOT NULL DEFAULT '[]',
  link TEXT NOT NULL DEFAULT '',
  numbering VARCHAR(16) NOT NULL DEFAULT 'calendar',
  holiday_rule VARCHAR(16) NOT NULL DEFAULT 'move',
  policy TEXT NOT NULL DEFAULT '{}',
  start_date VARCHAR(10) NOT NULL DEFAULT '',
  created_by VARCHAR(64) NOT NULL DEFAULT '',
  created_at %[1]s NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at %[1]s NOT NULL DEFAULT CURRENT_TIMESTAMP
)`, ts),
		fmt.Sprintf(`CREATE TABLE meetings (
  id VARCHAR(64) NOT NULL PRIMARY KEY,
  series_id VARCHAR(32) NOT NULL,
  year_be INTEGER NOT NULL,
  number INTEGER NOT NULL,
  title TEXT NOT NULL DEFAULT '',
  starts_at %[1]s NOT NULL,
  ends_at %[1]s NOT NULL,
  link TEXT NOT NULL DEFAULT '',
  extra BOOLEAN NOT NULL DEFAULT FALSE,
  status VARCHAR(16) NOT NULL,
  sequence INTEGER NOT NULL DEFAULT 0,
  participants TEXT NOT NULL DEFAULT '[]',
  agenda TEXT NOT NULL DEFAULT '[]',
  reason TEXT NOT NULL DEFAULT '',
  minutes_due_at %[1]s NULL,
  notice_sent_at %[1]s NULL,
  version BIGINT NOT NULL DEFAULT 0,
  created_at %[1]s NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at %[1]s NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT fk_meetings_series FOREIGN KEY (series_id) REFERENCES meeting_series (id)
)`, ts),
		`CREATE UNIQUE INDEX idx_meetings_number ON meetings (series_id, year_be, number)`,
		`CREATE INDEX idx_meetings_starts_at ON meetings (starts_at)`,
		fmt.Sprintf(`CREATE TABLE meeting_rsvps (
  meeting_id VARCHAR(64) NOT NULL,
  unit_code VARCHAR(32) NOT NULL,
  declined BOOLEAN NOT NULL DEFAULT FALSE,
  reason TEXT NOT NULL DEFAULT '',
  attendees TEXT NOT NULL DEFAULT '[]',
  responded_by VARCHAR(64) NOT NULL DEFAULT '',
  responded_at %[1]s NOT NULL,
  PRIMARY KEY (meeting_id, unit_code),
  CONSTRAINT fk_meeting_rsvps_meeting FOREIGN KEY (meeting_id) REFERENCES meetings (id) ON DELETE CASCADE
)`, ts),
		fmt.Sprintf(`CREATE TABLE meeting_attendance (
  meeting_id VARCHAR(64) NOT NULL,
  unit_code VARCHAR(32) NOT NULL,
  present BOOLEAN NOT NULL DEFAULT FALSE,
  by_head BOOLEAN NOT NULL DEFAULT FALSE,
  under_represented BOOLEAN NOT NULL DEFAULT FALSE,
  attendees TEXT NOT NULL DEFAULT '[]',
  recorded_by VARCHAR(64) NOT NULL DEFAULT '',
  recorded_at %[1]s NOT NULL,
  PRIMARY KEY (meeting_id, unit_code),
  CONSTRAINT fk_meeting_attendance_meeting FOREIGN KEY (meeting_id) REFERENCES meetings (id) ON DELETE CASCADE
)`, ts),
		`CREATE INDEX idx_meeting_attendance_unit_code ON meeting_attendance (unit_code)`,
		fmt.Sprintf(`CREATE TABLE meeting_minutes (
  meeting_id VARCHAR(64) NOT NULL,
  version INTEGER NOT NULL,
  text TEXT NOT NULL DEFAULT '',
  published_by VARCHAR(64) NOT NULL DEFAULT '',
  published_at %[1]s NOT NULL,
  PRIMARY KEY (meeting_id, version),
  CONSTRAINT fk_meeting_minutes_meeting FOREIGN KEY (meeting_id) REFERENCES meetings (id) ON DELETE CASCADE
)`, ts),
		fmt.Sprintf(`CREATE TABLE meeting_feed_tokens (
  unit_code VARCHAR(32) NOT NULL PRIMARY KEY,
  token_hash VARCHAR(64) NOT NULL,
  created_by VARCHAR(64) NOT NULL DEFAULT '',
  created_at %[1]s NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT fk_meeting_feed_tokens_unit FOREIGN KEY (unit_code) REFERENCES units (code)
)`, ts),
	}
	for _, s := range statements {
		if err := tx.Exec(s).Error; err != nil {
			return fmt.Errorf("%w\n%s", err, s)
		}
	}
	return nil
}
