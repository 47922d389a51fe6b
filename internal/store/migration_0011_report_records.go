package store

import "gorm.io/gorm"

func init() {
	Register(Migration{Version: 11, Name: "report_records", Up: migrateReportRecords})
}

// migrateReportRecords adds to reports the record a unit may name in a
// national system: record_system (NISPA, บสต., MOI Drugs GIS) and
// record_number, both ” when none. Conventions as in 0001–0010.
func migrateReportRecords(tx *gorm.DB) error {
	for _, s := range []string{
		`ALTER TABLE reports ADD COLUMN record_system VARCHAR(32) NOT NULL DEFAULT ''`,
		`ALTER TABLE reports ADD COLUMN record_number VARCHAR(64) NOT NULL DEFAULT ''`,
	} {
		if err := tx.Exec(s).Error; err != nil {
			return err
		}
	}
	return nil
}
