package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/tidtam/tidtam/internal/refdata"
	"github.com/tidtam/tidtam/models"
)

// The datasets SeedReference applies, as named in reference_seeds.
const (
	SeedUnits    = "units"
	SeedHolidays = "holidays"
)

// SeedReference makes sure the database holds the reference data shipped
// inside the binary (package refdata): the national unit, the 77 province
// centres, the 928 district centres (878 อำเภอ and Bangkok's 50 เขต) and
// the government holidays. `tidtam serve` and `tidtam migrate` call it on
// every start.
//
// Each dataset is applied once per version of its embedded content, as
// recorded in reference_seeds by SHA-256: it inserts the rows that are
// missing (by unit code, by holiday date) and leaves every existing row as
// it is, so an admin's later edit of a unit or holiday is never
// overwritten and a row an admin deleted does not come back while the
// shipped data is unchanged. A binary with changed data inserts every row it
// ships that the database lacks (a deleted one included: delete it again, or
// correct the data); corrections to existing rows are applied explicitly
// with `tidtam import`. Safe to run
// concurrently (inserts skip conflicts) and idempotent.
func SeedReference(ctx context.Context, db *gorm.DB) error {
	if err := SeedReferenceUnits(ctx, db); err != nil {
		return err
	}
	return seedOnce(db.WithContext(ctx), SeedHolidays, digestOf(refdata.File(refdata.HolidaysFile)), referenceHolidays())
}

// SeedReferenceUnits is the units half of SeedReference (national unit,
// provinces, districts; no holidays), by the same once-per-version,
// insert-only rule. Tests use it for an organisation without a holiday
// calendar.
func SeedReferenceUnits(ctx context.Context, db *gorm.DB) error {
	digest := digestOf([]byte(models.NationalUnitCode+NationalUnitNameTH+NationalUnitNameEN),
		refdata.File(refdata.ProvincesFile), refdata.File(refdata.DistrictsFile))
	return seedOnce(db.WithContext(ctx), SeedUnits, digest, referenceUnits())
}

// referenceUnits returns the national unit, the provinces and the
// districts of refdata, parents before children.
func referenceUnits() []models.Unit {
	units := baseUnits()
	for _, d := range refdata.Districts() {
		parent := d.ProvinceCode
		units = append(units, models.Unit{Code: d.Code, Type: models.UnitDistrict, NameTH: d.NameTH, NameEN: d.NameEN, ParentCode: &parent})
	}
	return units
}

// referenceHolidays returns the embedded holidays as rows.
func referenceHolidays() []models.Holiday {
	var out []models.Holiday
	for _, h := range refdata.Holidays() {
		out = append(out, models.Holiday{Date: h.Date, NameTH: h.NameTH, NameEN: h.NameEN})
	}
	return out
}

// seedOnce inserts the missing rows of one dataset (a slice of models) in a
// transaction, unless reference_seeds already records digest for it.
func seedOnce[T any](db *gorm.DB, name, digest string, rows []T) error {
	err := db.Transaction(func(tx *gorm.DB) error {
		var seen models.ReferenceSeed
		err := tx.Where("name = ?", name).Take(&seen).Error
		switch {
		case err == nil && seen.SHA256 == digest:
			return nil
		case err != nil && !errors.Is(err, gorm.ErrRecordNotFound):
			return err
		}
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(rows, 200)
		if res.Error != nil {
			return res.Error
		}
		mark := models.ReferenceSeed{Name: name, SHA256: digest, Inserted: int(res.RowsAffected), SeededAt: time.Now().UTC()}
		return tx.Clauses(clause.OnConflict{UpdateAll: true}).Create(&mark).Error
	})
	if err != nil {
		return fmt.Errorf("store: seed %s: %w", name, err)
	}
	return nil
}

// digestOf is the hex SHA-256 of the parts, each length-prefixed.
func digestOf(parts ...[]byte) string {
	h := sha256.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%d:", len(p))
		h.Write(p)
	}
	return hex.EncodeToString(h.Sum(nil))
}
