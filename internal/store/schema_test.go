package store_test

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
)

// allModels are the structs the migrations create tables for; every new
// model must be added here so its tags are checked against its migration.
var allModels = []any{
	&models.Unit{}, &models.Holiday{}, &models.Account{}, &models.AccountRegion{},
	&models.APIToken{}, &models.AuditEvent{}, &models.IdempotencyKey{}, &models.DirectiveAttachment{},
	&models.Directive{}, &models.DirectiveItem{}, &models.Assignment{}, &models.AssignmentItem{},
	&models.Report{}, &models.Escalation{}, &models.EscalationAction{}, &models.AssignmentEvent{},
	&models.Notification{}, &models.TargetSet{}, &models.TargetSetMember{},
	&models.Delivery{}, &models.InboxItem{}, &models.Webhook{}, &models.DevMail{},
	&models.MeetingSeries{}, &models.Meeting{}, &models.MeetingRSVP{}, &models.MeetingAttendance{},
	&models.MeetingMinutes{}, &models.MeetingFeedToken{}, &models.ReferenceSeed{},
	&models.LoginFailure{}, &models.AuditChainHead{}, &models.FreeText{}, &models.ProgressCount{},
	&models.KPIScheme{}, &models.KPICriterion{}, &models.KPIIndicator{}, &models.KPIEntry{}, &models.KPIEvidence{},
	&models.Tip{}, &models.TipMessage{}, &models.TipFile{},
}

// TestSchemaMatchesModels compares what GORM derives from the struct tags
// with what the migrated database reports through GORM's Migrator: table
// names, column names, primary keys, nullability and indexes, on both
// databases.
func TestSchemaMatchesModels(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		for _, model := range allModels {
			stmt := &gorm.Statement{DB: db}
			if err := stmt.Parse(model); err != nil {
				t.Fatal(err)
			}
			s := stmt.Schema
			t.Run(s.Table, func(t *testing.T) {
				if !db.Migrator().HasTable(model) {
					t.Fatalf("table %s missing", s.Table)
				}
				cols, err := db.Migrator().ColumnTypes(model)
				if err != nil {
					t.Fatal(err)
				}
				dbCols := map[string]gorm.ColumnType{}
				for _, c := range cols {
					dbCols[c.Name()] = c
				}
				var structCols []string
				for _, f := range s.Fields {
					if f.DBName == "" {
						continue // relation such as Account.Regions
					}
					structCols = append(structCols, f.DBName)
					c, ok := dbCols[f.DBName]
					if !ok {
						t.Errorf("field %s.%s: column %s missing", s.Name, f.Name, f.DBName)
						continue
					}
					if pk, ok := c.PrimaryKey(); ok && pk != f.PrimaryKey {
						t.Errorf("column %s: primary key %v in database, %v in struct", f.DBName, pk, f.PrimaryKey)
					}
					wantNullable := !f.NotNull && !f.PrimaryKey
					if nullable, ok := c.Nullable(); ok && nullable != wantNullable {
						t.Errorf("column %s: nullable %v in database, %v in struct tags", f.DBName, nullable, wantNullable)
					}
					if f.Size > 0 && f.DataType == schema.String {
						if length, ok := c.Length(); ok && length > 0 && int(length) != f.Size {
							t.Errorf("column %s: length %d in database, size %d in struct", f.DBName, length, f.Size)
						}
					}
				}
				var extra []string
				for name := range dbCols {
					if !slices.Contains(structCols, name) {
						extra = append(extra, name)
					}
				}
				if len(extra) > 0 {
					t.Errorf("columns %v have no struct field", extra)
				}

				dbIndexes, err := db.Migrator().GetIndexes(model)
				if err != nil {
					t.Fatal(err)
				}
				for _, idx := range s.ParseIndexes() {
					var found gorm.Index
					for _, di := range dbIndexes {
						if di.Name() == idx.Name {
							found = di
						}
					}
					if found == nil {
						t.Errorf("index %s missing", idx.Name)
						continue
					}
					var wantCols []string
					for _, f := range idx.Fields {
						wantCols = append(wantCols, f.DBName)
					}
					if got := found.Columns(); !slices.Equal(got, wantCols) {
						t.Errorf("index %s on %v, want %v", idx.Name, got, wantCols)
					}
					wantUnique := idx.Class == "UNIQUE"
					if unique, ok := found.Unique(); ok && unique != wantUnique {
						t.Errorf("index %s: unique %v in database, %v in struct", idx.Name, unique, wantUnique)
					}
				}
			})
		}
	})
}

// TestModelsRoundTrip writes one value of every model through GORM and
// reads it back, and checks the foreign keys the migration declares.
func TestModelsRoundTrip(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		region := 15
		national := models.Unit{Code: models.NationalUnitCode, Type: models.UnitNational, NameTH: "ศปก.ครส.", NameEN: "National"}
		parent := national.Code
		province := models.Unit{
			Code: "50", Type: models.UnitProvince, NameTH: "เชียงใหม่", NameEN: "Chiang Mai",
			ParentCode: &parent, ISOCode: "TH-50", InspectionRegion: &region, Email: "cm@example.go.th",
		}
		mustCreate(t, db, &national)
		mustCreate(t, db, &province)
		var gotUnit models.Unit
		mustFirst(t, db, &gotUnit, "code = ?", "50")
		if gotUnit.NameTH != province.NameTH || gotUnit.ISOCode != "TH-50" || gotUnit.Email != province.Email ||
			gotUnit.ParentCode == nil || *gotUnit.ParentCode != parent ||
			gotUnit.InspectionRegion == nil || *gotUnit.InspectionRegion != 15 || gotUnit.CreatedAt.IsZero() {
			t.Errorf("unit read back as %+v", gotUnit)
		}

		unknown := "XX"
		orphan := models.Unit{Code: "5099", Type: models.UnitDistrict, NameTH: "x", NameEN: "x", ParentCode: &unknown}
		if err := db.Create(&orphan).Error; !errors.Is(err, gorm.ErrForeignKeyViolated) {
			t.Errorf("unit with unknown parent: err = %v, want foreign key violation", err)
		}

		holiday := models.Holiday{Date: "2025-12-05", NameTH: "วันพ่อแห่งชาติ", NameEN: "Father's Day"}
		mustCreate(t, db, &holiday)
		var gotHoliday models.Holiday
		mustFirst(t, db, &gotHoliday, "date = ?", "2025-12-05")
		if gotHoliday.NameEN != holiday.NameEN || gotHoliday.UpdatedAt.IsZero() {
			t.Errorf("holiday read back as %+v", gotHoliday)
		}

		unitCode := "50"
		account := models.Account{
			Username: "somchai", PasswordHash: "$argon2id$x", Role: models.RoleInspector, UnitCode: &unitCode,
			DisplayName: "สมชาย", Email: "s@example.go.th", Position: "governor",
			Regions: []models.AccountRegion{{Region: 15}, {Region: 16}},
		}
		mustCreate(t, db, &account)
		if account.ID == 0 {
			t.Fatal("account ID not assigned")
		}
		var gotAccount models.Account
		if err := db.Preload("Regions").First(&gotAccount, account.ID).Error; err != nil {
			t.Fatal(err)
		}
		if gotAccount.Username != "somchai" || gotAccount.Disabled || gotAccount.Position != "governor" || len(gotAccount.Regions) != 2 {
			t.Errorf("account read back as %+v", gotAccount)
		}
		dup := models.Account{Username: "somchai", PasswordHash: "x", Role: models.RoleObserver}
		if err := db.Create(&dup).Error; !errors.Is(err, gorm.ErrDuplicatedKey) {
			t.Errorf("duplicate username: err = %v, want duplicated key", err)
		}

		expires := time.Now().Add(time.Hour).UTC().Truncate(time.Microsecond)
		token := models.APIToken{AccountID: account.ID, Name: "login", Kind: "session", TokenHash: strings.Repeat("a", 64), ExpiresAt: &expires}
		mustCreate(t, db, &token)
		var gotToken models.APIToken
		mustFirst(t, db, &gotToken, "token_hash = ?", token.TokenHash)
		if gotToken.AccountID != account.ID || gotToken.ExpiresAt == nil || !gotToken.ExpiresAt.Equal(expires) || gotToken.RevokedAt != nil {
			t.Errorf("token read back as %+v (expires %v)", gotToken, expires)
		}
		badToken := models.APIToken{AccountID: account.ID + 1000, Kind: "api", TokenHash: strings.Repeat("b", 64)}
		if err := db.Create(&badToken).Error; !errors.Is(err, gorm.ErrForeignKeyViolated) {
			t.Errorf("token of unknown account: err = %v, want foreign key violation", err)
		}

		at := time.Date(2025, 3, 1, 2, 3, 4, 0, time.UTC)
		event := models.AuditEvent{At: at, Actor: "somchai", Action: "unit.update", EntityType: "unit", EntityID: "50", Before: `{"a":1}`, After: `{"a":2}`, RequestID: "r1"}
		mustCreate(t, db, &event)
		var gotEvent models.AuditEvent
		mustFirst(t, db, &gotEvent, "id = ?", event.ID)
		if !gotEvent.At.Equal(at) || gotEvent.After != `{"a":2}` || gotEvent.EntityID != "50" {
			t.Errorf("audit event read back as %+v", gotEvent)
		}

		// Deleting the account takes its regions and tokens with it.
		if err := db.Delete(&models.Account{}, account.ID).Error; err != nil {
			t.Fatal(err)
		}
		for _, table := range []string{"account_regions", "api_tokens"} {
			var n int64
			db.Table(table).Where("account_id = ?", account.ID).Count(&n)
			if n != 0 {
				t.Errorf("%s still has %d rows of the deleted account", table, n)
			}
		}
	})
}

func mustCreate(t *testing.T, db *gorm.DB, v any) {
	t.Helper()
	if err := db.Create(v).Error; err != nil {
		t.Fatalf("create %T: %v", v, err)
	}
}

func mustFirst(t *testing.T, db *gorm.DB, v any, query string, args ...any) {
	t.Helper()
	if err := db.Where(query, args...).First(v).Error; err != nil {
		t.Fatalf("read %T: %v", v, err)
	}
}

// TestEveryModelIsChecked parses models/ and fails when a struct there is
// missing from allModels, so no table escapes the schema check.
func TestEveryModelIsChecked(t *testing.T) {
	listed := map[string]bool{}
	for _, m := range allModels {
		listed[reflect.TypeOf(m).Elem().Name()] = true
	}
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, "../../models", func(fi fs.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, pkg := range pkgs {
		for _, f := range pkg.Files {
			for _, decl := range f.Decls {
				gd, ok := decl.(*ast.GenDecl)
				if !ok || gd.Tok != token.TYPE {
					continue
				}
				for _, spec := range gd.Specs {
					ts := spec.(*ast.TypeSpec)
					if _, isStruct := ts.Type.(*ast.StructType); isStruct && !listed[ts.Name.Name] {
						t.Errorf("models.%s is not in allModels: add it so its migration is checked", ts.Name.Name)
					}
				}
			}
		}
	}
}
