package store

import (
	"fmt"

	"gorm.io/gorm"
)

func init() {
	Register(Migration{Version: 14, Name: "kpi", Up: migrateKPI})
}

// migrateKPI creates the tables of models/kpi.go: KPI schemes (a name and
// an assessment period), their criteria (points, computed by a named
// formula or entered by provinces), the criteria's indicators, the scores
// provinces enter for entered criteria with their review, and the
// evidence files of those entries (content-addressed like report
// evidence). Computed scores are not stored: they are computed when read.
// Every text column has a bound. Deleting a scheme deletes its criteria,
// indicators and entries; deleting an entry deletes its evidence rows (the
// files may be shared and are left alone). Conventions as in 0001–0012.
func migrateKPI(tx *gorm.DB) error {
	ts, id := timestampType(tx), autoIDType(tx)
	stmts := []string{
		fmt.Sprintf(`CREATE TABLE kpi_schemes (
  id %[2]s,
  name VARCHAR(200) NOT NULL DEFAULT '',
  period_from VARCHAR(10) NOT NULL,
  period_to VARCHAR(10) NOT NULL,
  template VARCHAR(64) NOT NULL DEFAULT '',
  created_by VARCHAR(64) NOT NULL DEFAULT '',
  created_at %[1]s NOT NULL DEFAULT CURRENT_TIMESTAMP
)`, ts, id),
		`CREATE TABLE kpi_criteria (
  scheme_id BIGINT NOT NULL,
  number INTEGER NOT NULL,
  title_th VARCHAR(500) NOT NULL DEFAULT '',
  title_en VARCHAR(500) NOT NULL DEFAULT '',
  points INTEGER NOT NULL,
  kind VARCHAR(16) NOT NULL,
  formula VARCHAR(32) NOT NULL DEFAULT '',
  PRIMARY KEY (scheme_id, number),
  CONSTRAINT fk_kpi_criteria_scheme FOREIGN KEY (scheme_id) REFERENCES kpi_schemes (id) ON DELETE CASCADE
)`,
		`CREATE TABLE kpi_indicators (
  scheme_id BIGINT NOT NULL,
  criterion_number INTEGER NOT NULL,
  number INTEGER NOT NULL,
  text_th VARCHAR(500) NOT NULL DEFAULT '',
  text_en VARCHAR(500) NOT NULL DEFAULT '',
  PRIMARY KEY (scheme_id, criterion_number, number),
  CONSTRAINT fk_kpi_indicators_criterion FOREIGN KEY (scheme_id, criterion_number) REFERENCES kpi_criteria (scheme_id, number) ON DELETE CASCADE
)`,
		fmt.Sprintf(`CREATE TABLE kpi_entries (
  id %[2]s,
  scheme_id BIGINT NOT NULL,
  unit_code VARCHAR(32) NOT NULL,
  criterion_number INTEGER NOT NULL,
  score DOUBLE PRECISION NOT NULL,
  value VARCHAR(200) NOT NULL DEFAULT '',
  note VARCHAR(2000) NOT NULL DEFAULT '',
  status VARCHAR(16) NOT NULL,
  submitted_by VARCHAR(64) NOT NULL DEFAULT '',
  submitted_at %[1]s NOT NULL,
  reviewed_by VARCHAR(64) NOT NULL DEFAULT '',
  reviewed_at %[1]s NULL,
  reason VARCHAR(2000) NOT NULL DEFAULT '',
  CONSTRAINT fk_kpi_entries_criterion FOREIGN KEY (scheme_id, criterion_number) REFERENCES kpi_criteria (scheme_id, number) ON DELETE CASCADE,
  CONSTRAINT fk_kpi_entries_unit FOREIGN KEY (unit_code) REFERENCES units (code)
)`, ts, id),
		`CREATE INDEX idx_kpi_entries_cell ON kpi_entries (scheme_id, unit_code, criterion_number)`,
		`CREATE TABLE kpi_evidence (
  entry_id BIGINT NOT NULL,
  seq INTEGER NOT NULL,
  name VARCHAR(255) NOT NULL DEFAULT '',
  size BIGINT NOT NULL DEFAULT 0,
  sha256 VARCHAR(64) NOT NULL,
  content_type VARCHAR(128) NOT NULL DEFAULT '',
  PRIMARY KEY (entry_id, seq),
  CONSTRAINT fk_kpi_evidence_entry FOREIGN KEY (entry_id) REFERENCES kpi_entries (id) ON DELETE CASCADE
)`,
		`CREATE INDEX idx_kpi_evidence_sha256 ON kpi_evidence (sha256)`,
	}
	for _, s := range stmts {
		if err := tx.Exec(s).Error; err != nil {
			return err
		}
	}
	return nil
}
