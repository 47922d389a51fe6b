package activities

import (
	"slices"
	"testing"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
)

// TestDirectiveSchemaMatchesModels checks migration 0002 against the
// structs of models/directive.go as the store package does for 0001:
// columns, primary keys, nullability, lengths and indexes on both
// databases. (The store package's own test can take over by listing these
// models.)
func TestDirectiveSchemaMatchesModels(t *testing.T) {
	all := []any{&models.Directive{}, &models.DirectiveItem{}, &models.Assignment{}, &models.AssignmentItem{},
		&models.Report{}, &models.Escalation{}, &models.EscalationAction{}, &models.AssignmentEvent{},
		&models.Notification{}, &models.TargetSet{}, &models.TargetSetMember{}}
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		for _, model := range all {
			stmt := &gorm.Statement{DB: db}
			if err := stmt.Parse(model); err != nil {
				t.Fatal(err)
			}
			s := stmt.Schema
			t.Run(s.Table, func(t *testing.T) {
				cols, err := db.Migrator().ColumnTypes(model)
				if err != nil {
					t.Fatal(err)
				}
				dbCols := map[string]gorm.ColumnType{}
				for _, c := range cols {
					dbCols[c.Name()] = c
				}
				var names []string
				for _, f := range s.Fields {
					if f.DBName == "" {
						continue
					}
					names = append(names, f.DBName)
					c, ok := dbCols[f.DBName]
					if !ok {
						t.Errorf("column %s missing", f.DBName)
						continue
					}
					if pk, ok := c.PrimaryKey(); ok && pk != f.PrimaryKey {
						t.Errorf("column %s: primary key %v in database, %v in struct", f.DBName, pk, f.PrimaryKey)
					}
					if nullable, ok := c.Nullable(); ok && nullable != (!f.NotNull && !f.PrimaryKey) {
						t.Errorf("column %s: nullable %v in database", f.DBName, nullable)
					}
					if f.Size > 0 && f.DataType == schema.String {
						if l, ok := c.Length(); ok && l > 0 && int(l) != f.Size {
							t.Errorf("column %s: length %d in database, size %d in struct", f.DBName, l, f.Size)
						}
					}
				}
				for name := range dbCols {
					if !slices.Contains(names, name) {
						t.Errorf("column %s has no struct field", name)
					}
				}
				idxs, err := db.Migrator().GetIndexes(model)
				if err != nil {
					t.Fatal(err)
				}
				for _, idx := range s.ParseIndexes() {
					var found gorm.Index
					for _, di := range idxs {
						if di.Name() == idx.Name {
							found = di
						}
					}
					if found == nil {
						t.Errorf("index %s missing", idx.Name)
						continue
					}
					var want []string
					for _, f := range idx.Fields {
						want = append(want, f.DBName)
					}
					if got := found.Columns(); !slices.Equal(got, want) {
						t.Errorf("index %s on %v, want %v", idx.Name, got, want)
					}
					if u, ok := found.Unique(); ok && u != (idx.Class == "UNIQUE") {
						t.Errorf("index %s unique %v", idx.Name, u)
					}
				}
			})
		}
	})
}
