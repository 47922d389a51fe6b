package store

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/refdata"
	"github.com/tidtam/tidtam/models"
)

// NationalUnitNameTH and NationalUnitNameEN are the names SeedBase gives the
// national unit models.NationalUnitCode.
const (
	NationalUnitNameTH = "ศปก.ครส."
	NationalUnitNameEN = "National Drug Control Operations Centre (ONCB secretariat)"
)

// The CSV columns of the two unit file formats.
var (
	districtColumns        = []string{"code", "province_code", "name_th", "name_en"}
	generalColumns         = []string{"code", "type", "parent_code", "name_th", "name_en"}
	generalOptionalColumns = []string{"inspection_region", "iso_code", "email"}
)

// unitCodePattern is what a unit code may look like: DOPA digits or a
// short free code such as "ONCB" or "MOI.DOPA".
var unitCodePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`)

// knownUnitTypes are the values the type column accepts.
var knownUnitTypes = []models.UnitType{
	models.UnitNational, models.UnitMinistry, models.UnitProvince, models.UnitDistrict, models.UnitOther,
}

// baseUnits returns the national unit and the 77 province centres of
// refdata.Provinces, the national unit first.
func baseUnits() []models.Unit {
	national := models.NationalUnitCode
	units := []models.Unit{{
		Code: national, Type: models.UnitNational, NameTH: NationalUnitNameTH, NameEN: NationalUnitNameEN,
	}}
	for _, p := range refdata.Provinces {
		region := p.Region
		units = append(units, models.Unit{
			Code: p.Code, Type: models.UnitProvince, NameTH: p.NameTH, NameEN: p.NameEN,
			ParentCode: &national, ISOCode: p.ISO, InspectionRegion: &region,
		})
	}
	return units
}

// SeedBase makes sure the national unit and the 77 province centres exist
// with the type, parent, names, ISO code and inspection region of
// refdata.Provinces (a province unit is named after its province, e.g.
// "เชียงใหม่" / "Chiang Mai"; display prefixes such as "ศอ.ปส.จ." are the
// API's business). It is idempotent: rows that already match are not
// written, and columns it does not own (e.g. email) are kept.
func SeedBase(ctx context.Context, db *gorm.DB) error {
	units := baseUnits()
	columns := []string{"type", "parent_code", "name_th", "name_en", "iso_code", "inspection_region"}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		existing, err := loadUnits(tx)
		if err != nil {
			return err
		}
		_, err = upsertUnits(tx, units, columns, existing, nil)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: seed base units: %w", err)
	}
	return nil
}

// ImportUnits reads units from a CSV file and upserts them by code, all in
// one transaction. The file is UTF-8 (a byte order mark is allowed) and
// starts with a header row naming its format:
//
//   - district: code,province_code,name_th,name_en — district centres
//     (type district) under an existing province unit; a 4-digit DOPA code
//     must start with its province's code.
//   - general: code,type,parent_code,name_th,name_en, optionally followed
//     by inspection_region, iso_code and email — any unit; parent_code must
//     name a unit in the database or earlier or later in the same file, and
//     is empty only for a national unit.
//
// Thai digits in codes are accepted. An import sets only the columns its
// header names (the district format leaves email, ISO code and region
// alone), and never changes the type of an existing unit.
//
// Every row is validated before anything is written. If any row is wrong
// the result is a single apperr.Invalid whose Details is a []RowError
// listing every problem with its line, and the database is untouched.
// progress, if not nil, is called as rows are applied, finally with done
// equal to total (the number of data rows). Re-importing the same file
// reports every row Unchanged.
func ImportUnits(ctx context.Context, db *gorm.DB, r io.Reader, progress func(done, total int)) (ImportResult, error) {
	f, problems, err := readCSVFile(r)
	if err != nil {
		return ImportResult{}, err
	}
	district := f.has("province_code")
	if district {
		err = f.checkHeader(districtColumns, nil)
	} else {
		err = f.checkHeader(generalColumns, generalOptionalColumns)
	}
	if err != nil {
		return ImportResult{}, err
	}

	columns := []string{"type", "parent_code", "name_th", "name_en"}
	if !district {
		for _, c := range generalOptionalColumns {
			if f.has(c) {
				columns = append(columns, c)
			}
		}
	}

	var result ImportResult
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		existing, err := loadUnits(tx)
		if err != nil {
			return err
		}
		units, rowProblems := parseUnitRows(f, district, existing)
		problems = append(problems, rowProblems...)
		if len(problems) > 0 {
			slices.SortStableFunc(problems, func(a, b RowError) int { return cmp.Compare(a.Line, b.Line) })
			return rejectImport(problems)
		}
		result, err = upsertUnits(tx, units, columns, existing, progress)
		return err
	})
	if err != nil {
		if apperr.As(err) != nil {
			return ImportResult{}, err
		}
		return ImportResult{}, fmt.Errorf("store: import units: %w", err)
	}
	return result, nil
}

// parseUnitRows turns the rows of a unit file into units and checks each
// on its own and against the others and the database (existing).
func parseUnitRows(f *csvFile, district bool, existing map[string]models.Unit) ([]models.Unit, []RowError) {
	var (
		problems []RowError
		units    []models.Unit
		lines    []int
		lineOf   = map[string]int{} // code → first line that has it
	)
	for _, row := range f.rows {
		add := func(field, format string, args ...any) {
			problems = append(problems, RowError{Line: row.line, Field: field, Message: fmt.Sprintf(format, args...)})
		}
		u := models.Unit{
			Code:   asciiDigits(f.get(row, "code")),
			NameTH: f.get(row, "name_th"),
			NameEN: f.get(row, "name_en"),
		}
		var parent string
		if district {
			u.Type = models.UnitDistrict
			parent = asciiDigits(f.get(row, "province_code"))
		} else {
			u.Type = models.UnitType(strings.ToLower(f.get(row, "type")))
			parent = asciiDigits(f.get(row, "parent_code"))
		}
		if parent != "" {
			u.ParentCode = &parent
		}

		codeOK := checkUnitCode(u.Code, add)
		checkName("name_th", u.NameTH, add)
		checkName("name_en", u.NameEN, add)
		if !district && !slices.Contains(knownUnitTypes, u.Type) {
			add("type", "ไม่รู้จักประเภทหน่วย %q (ใช้ได้: national, ministry, province, district, other) / unknown unit type %q", u.Type, u.Type)
		}
		if !district {
			parseOptionalUnitColumns(f, row, &u, add)
			if u.InspectionRegion != nil && u.Type != models.UnitProvince {
				add("inspection_region", "ระบุเขตตรวจราชการได้เฉพาะหน่วยระดับจังหวัด / only province units have an inspection region")
			}
		}
		if codeOK {
			if first, dup := lineOf[u.Code]; dup {
				add("code", "รหัส %s ซ้ำกับบรรทัด %d / code %s also appears on line %d", u.Code, first, u.Code, first)
				continue
			}
			lineOf[u.Code] = row.line
			if old, ok := existing[u.Code]; ok && old.Type != u.Type && slices.Contains(knownUnitTypes, u.Type) {
				add("code", "หน่วยรหัส %s มีอยู่แล้วเป็นประเภท %s การนำเข้าเปลี่ยนประเภทหน่วยไม่ได้ / unit %s already exists as a %s unit; an import cannot change its type",
					u.Code, old.Type, u.Code, old.Type)
			}
		}
		units = append(units, u)
		lines = append(lines, row.line)
	}

	// Parents are checked once every code of the file is known, because a
	// row may name a parent defined further down.
	inFile := make(map[string]models.Unit, len(units))
	for _, u := range units {
		inFile[u.Code] = u
	}
	parentOf := func(code string) (string, bool) {
		if u, ok := inFile[code]; ok {
			if u.ParentCode == nil {
				return "", false
			}
			return *u.ParentCode, true
		}
		if u, ok := existing[code]; ok && u.ParentCode != nil {
			return *u.ParentCode, true
		}
		return "", false
	}
	for i, u := range units {
		add := func(field, format string, args ...any) {
			problems = append(problems, RowError{Line: lines[i], Field: field, Message: fmt.Sprintf(format, args...)})
		}
		if district {
			checkDistrictParent(u, existing, add)
			continue
		}
		parent := ""
		if u.ParentCode != nil {
			parent = *u.ParentCode
		}
		switch {
		case u.Type == models.UnitNational && parent != "":
			add("parent_code", "หน่วยระดับชาติต้องไม่มีหน่วยแม่ / a national unit has no parent")
		case u.Type == models.UnitNational:
		case parent == "":
			add("parent_code", "ต้องระบุรหัสหน่วยแม่ / parent_code is required")
		case parent == u.Code:
			add("parent_code", "หน่วยเป็นแม่ของตัวเองไม่ได้ / a unit cannot be its own parent")
		default:
			_, inDB := existing[parent]
			_, inFileToo := inFile[parent]
			if !inDB && !inFileToo {
				add("parent_code", "ไม่พบหน่วยแม่รหัส %q ทั้งในระบบและในไฟล์ / unknown parent unit %q", parent, parent)
				continue
			}
			if u.Type == models.UnitDistrict {
				checkDistrictCodePrefix(u.Code, parent, "code", add)
			}
			// Walk up from the parent; meeting the unit again is a cycle.
			// The walk is bounded in case the data already holds a cycle
			// that does not involve this unit.
			cur, ok := parent, true
			for steps := 0; ok && steps <= len(inFile)+len(existing); steps++ {
				if cur == u.Code {
					add("parent_code", "หน่วยแม่ %s ทำให้สายบังคับบัญชาวนกลับมาที่หน่วยนี้ / parent %s would make the hierarchy circular", parent, parent)
					break
				}
				cur, ok = parentOf(cur)
			}
		}
	}
	return units, problems
}

// checkUnitCode reports whether code is a syntactically valid unit code,
// adding a problem when it is not.
func checkUnitCode(code string, add func(field, format string, args ...any)) bool {
	switch {
	case code == "":
		add("code", "ต้องระบุรหัสหน่วย / code is required")
	case !unitCodePattern.MatchString(code):
		add("code", "รหัส %q ไม่ถูกต้อง: ใช้ได้เฉพาะตัวอักษรอังกฤษ ตัวเลข . _ - ไม่เกิน 32 ตัว / invalid code %q: letters, digits, '.', '_' and '-' only, at most 32", code, code)
	default:
		return true
	}
	return false
}

// checkName requires a non-empty name of at most 255 characters.
func checkName(field, name string, add func(field, format string, args ...any)) {
	switch {
	case name == "":
		add(field, "ต้องระบุชื่อ / name is required")
	case utf8.RuneCountInString(name) > 255:
		add(field, "ชื่อยาวเกิน 255 ตัวอักษร / name longer than 255 characters")
	}
}

// parseOptionalUnitColumns reads the optional columns of the general
// format into u.
func parseOptionalUnitColumns(f *csvFile, row csvRow, u *models.Unit, add func(field, format string, args ...any)) {
	if s := asciiDigits(f.get(row, "inspection_region")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 18 {
			add("inspection_region", "เขตตรวจราชการ %q ไม่ถูกต้อง ต้องเป็น 0–18 (0 = กรุงเทพฯ) / inspection region must be 0–18", s)
		} else {
			u.InspectionRegion = &n
		}
	}
	u.ISOCode = strings.ToUpper(f.get(row, "iso_code"))
	if len(u.ISOCode) > 16 {
		add("iso_code", "รหัส ISO ยาวเกิน 16 ตัวอักษร / ISO code longer than 16 characters")
	}
	u.Email = f.get(row, "email")
	if u.Email != "" {
		addr, err := mail.ParseAddress(u.Email)
		if err != nil || addr.Address != u.Email || len(u.Email) > 255 {
			add("email", "อีเมล %q ไม่ถูกต้อง / invalid email address %q", u.Email, u.Email)
		}
	}
}

// checkDistrictParent checks the province of a district-format row.
func checkDistrictParent(u models.Unit, existing map[string]models.Unit, add func(field, format string, args ...any)) {
	if u.ParentCode == nil {
		add("province_code", "ต้องระบุรหัสจังหวัด / province_code is required")
		return
	}
	province := *u.ParentCode
	if p, ok := existing[province]; !ok || p.Type != models.UnitProvince {
		add("province_code", "ไม่พบจังหวัดรหัส %q ในระบบ (ตั้งค่าหน่วยพื้นฐานด้วย seed ก่อน) / unknown province code %q", province, province)
		return
	}
	checkDistrictCodePrefix(u.Code, province, "code", add)
}

// checkDistrictCodePrefix enforces the DOPA numbering: district 5001 is in
// province 50. Free-form codes are not checked.
func checkDistrictCodePrefix(code, province, field string, add func(field, format string, args ...any)) {
	if isDigits(code) && len(code) == 4 && isDigits(province) && len(province) == 2 && !strings.HasPrefix(code, province) {
		add(field, "รหัสอำเภอ %s ต้องขึ้นต้นด้วยรหัสจังหวัด %s / district code %s must start with its province code %s",
			code, province, code, province)
	}
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// loadUnits returns every unit by code.
func loadUnits(tx *gorm.DB) (map[string]models.Unit, error) {
	var all []models.Unit
	if err := tx.Find(&all).Error; err != nil {
		return nil, err
	}
	byCode := make(map[string]models.Unit, len(all))
	for _, u := range all {
		byCode[u.Code] = u
	}
	return byCode, nil
}

// upsertUnits writes the units that differ from existing in any of columns,
// parents before children, in batched INSERT … ON CONFLICT (code) DO
// UPDATE statements that set only columns (and updated_at). It counts
// every unit once and reports progress after each batch.
func upsertUnits(tx *gorm.DB, units []models.Unit, columns []string, existing map[string]models.Unit, progress func(done, total int)) (ImportResult, error) {
	units = parentsFirst(units)
	var result ImportResult
	total := len(units)
	reportProgress(progress, 0, total)
	onConflict := clause.OnConflict{
		Columns:   []clause.Column{{Name: "code"}},
		DoUpdates: clause.AssignmentColumns(append(slices.Clone(columns), "updated_at")),
	}
	for start := 0; start < total; start += importBatchSize {
		batch := units[start:min(start+importBatchSize, total)]
		var write []models.Unit
		for _, u := range batch {
			old, ok := existing[u.Code]
			switch {
			case !ok:
				result.Inserted++
			case sameUnitColumns(old, u, columns):
				result.Unchanged++
				continue
			default:
				result.Updated++
			}
			write = append(write, u)
		}
		if len(write) > 0 {
			if err := tx.Clauses(onConflict).Create(&write).Error; err != nil {
				return ImportResult{}, err
			}
		}
		reportProgress(progress, start+len(batch), total)
	}
	return result, nil
}

// parentsFirst orders units so that a unit whose parent is also in the list
// comes after it; the foreign key on parent_code is checked per statement.
// Otherwise the order is kept. Cycles must have been rejected before.
func parentsFirst(units []models.Unit) []models.Unit {
	index := make(map[string]int, len(units))
	for i, u := range units {
		index[u.Code] = i
	}
	depth := make([]int, len(units))
	for i := range units {
		d := 0
		for cur := units[i]; cur.ParentCode != nil && d <= len(units); d++ {
			j, ok := index[*cur.ParentCode]
			if !ok {
				break
			}
			cur = units[j]
		}
		depth[i] = d
	}
	order := make([]int, len(units))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(depth[a], depth[b]) })
	sorted := make([]models.Unit, len(units))
	for i, j := range order {
		sorted[i] = units[j]
	}
	return sorted
}

// sameUnitColumns reports whether a and b agree on every one of columns.
func sameUnitColumns(a, b models.Unit, columns []string) bool {
	for _, c := range columns {
		var same bool
		switch c {
		case "type":
			same = a.Type == b.Type
		case "parent_code":
			same = equalPtr(a.ParentCode, b.ParentCode)
		case "name_th":
			same = a.NameTH == b.NameTH
		case "name_en":
			same = a.NameEN == b.NameEN
		case "iso_code":
			same = a.ISOCode == b.ISOCode
		case "inspection_region":
			same = equalPtr(a.InspectionRegion, b.InspectionRegion)
		case "email":
			same = a.Email == b.Email
		default:
			panic("store: sameUnitColumns: unknown column " + c)
		}
		if !same {
			return false
		}
	}
	return true
}

func equalPtr[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
