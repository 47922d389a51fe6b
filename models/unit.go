package models

import "time"

// UnitType names a level of the drug-control organisation hierarchy.
type UnitType string

// The unit levels tidtam knows. The hierarchy may be deeper than these: any
// unit can have children, and UnitOther covers levels added later.
const (
	UnitNational UnitType = "national" // ศปก.ครส. and its secretariat at ป.ป.ส.
	UnitMinistry UnitType = "ministry" // a ministry or department
	UnitProvince UnitType = "province" // ศอ.ปส.จ., one per province
	UnitDistrict UnitType = "district" // ศป.ปส.อ., one per อำเภอ / เขต
	UnitOther    UnitType = "other"    // deeper or ad-hoc levels
)

// ValidUnitType reports whether t is one of the unit levels above.
func ValidUnitType(t UnitType) bool {
	switch t {
	case UnitNational, UnitMinistry, UnitProvince, UnitDistrict, UnitOther:
		return true
	}
	return false
}

// NationalUnitCode is the stable code of the national operations centre
// ศปก.ครส.; every province centre is its child.
const NationalUnitCode = "ONCB"

// Unit is one organisation unit. Code is its stable business key: DOPA
// 2-digit codes for provinces ("10" … "96"), DOPA 4-digit codes for districts
// ("1001" … "9613"), and free codes for other levels.
type Unit struct {
	Code       string   `gorm:"primaryKey;size:32"`
	Type       UnitType `gorm:"size:16;not null;index"`
	NameTH     string   `gorm:"column:name_th;size:255;not null"`
	NameEN     string   `gorm:"column:name_en;size:255;not null"`
	ParentCode *string  `gorm:"size:32;index"`
	// ISOCode is the ISO 3166-2 code of a province ("TH-10"); empty otherwise.
	ISOCode string `gorm:"column:iso_code;size:16;not null"`
	// InspectionRegion is the MOI inspection region (เขตตรวจราชการ) of a
	// province: 0 for Bangkok, 1–18 otherwise. Nil for non-province units;
	// a district's region is its province's.
	InspectionRegion *int `gorm:"index"`
	// Email is where unit-level notifications go when set.
	Email     string    `gorm:"size:255;not null"`
	CreatedAt time.Time `gorm:"not null"`
	UpdatedAt time.Time `gorm:"not null"`
}

// DisplayNameTH is how a unit is named in Thai documents: the centre's
// prefix (ศอ.ปส.จ. for a province, ศป.ปส.อ. for a district) before the
// place name; other units by their Thai name.
func (u Unit) DisplayNameTH() string {
	switch u.Type {
	case UnitProvince:
		return "ศอ.ปส.จ." + u.NameTH
	case UnitDistrict:
		return "ศป.ปส.อ." + u.NameTH
	}
	return u.NameTH
}

// Holiday is one Thai government holiday. Date is a civil date in
// Asia/Bangkok written as YYYY-MM-DD (Gregorian), the primary key.
type Holiday struct {
	Date      string    `gorm:"primaryKey;size:10"`
	NameTH    string    `gorm:"column:name_th;size:255;not null"`
	NameEN    string    `gorm:"column:name_en;size:255;not null"`
	UpdatedAt time.Time `gorm:"not null"`
}

// ReferenceSeed records that one embedded reference dataset ("units",
// "holidays") was seeded: SHA256 is the hex digest of the content applied
// and Inserted the number of rows it added. A dataset whose digest is
// already recorded is not seeded again.
type ReferenceSeed struct {
	Name     string    `gorm:"primaryKey;size:64"`
	SHA256   string    `gorm:"column:sha256;size:64;not null"`
	Inserted int       `gorm:"not null"`
	SeededAt time.Time `gorm:"not null"`
}
