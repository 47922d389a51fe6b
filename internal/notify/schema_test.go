package notify_test

import (
	"slices"
	"testing"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
)

// TestNotificationSchemaMatchesModels compares the struct tags of
// models/notification.go with what migration 0003 created, on both
// databases, the way internal/store's schema test does for the others
// (add these models to its list and this test can go).
func TestNotificationSchemaMatchesModels(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		for _, model := range []any{&models.Delivery{}, &models.InboxItem{}, &models.Webhook{}, &models.DevMail{}} {
			stmt := &gorm.Statement{DB: db}
			if err := stmt.Parse(model); err != nil {
				t.Fatal(err)
			}
			s := stmt.Schema
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
				structCols = append(structCols, f.DBName)
				c, ok := dbCols[f.DBName]
				if !ok {
					t.Errorf("%s.%s: column missing", s.Table, f.DBName)
					continue
				}
				if pk, ok := c.PrimaryKey(); ok && pk != f.PrimaryKey {
					t.Errorf("%s.%s: primary key %v in database, %v in struct", s.Table, f.DBName, pk, f.PrimaryKey)
				}
				if nullable, ok := c.Nullable(); ok && nullable != (!f.NotNull && !f.PrimaryKey) {
					t.Errorf("%s.%s: nullable %v in database", s.Table, f.DBName, nullable)
				}
				if length, ok := c.Length(); ok && length > 0 && f.Size > 0 && f.DataType == schema.String && int(length) != f.Size {
					t.Errorf("%s.%s: length %d in database, size %d in struct", s.Table, f.DBName, length, f.Size)
				}
			}
			for name := range dbCols {
				if !slices.Contains(structCols, name) {
					t.Errorf("%s.%s has no struct field", s.Table, name)
				}
			}
			indexes, err := db.Migrator().GetIndexes(model)
			if err != nil {
				t.Fatal(err)
			}
			for _, idx := range s.ParseIndexes() {
				var want []string
				for _, f := range idx.Fields {
					want = append(want, f.DBName)
				}
				found := false
				for _, di := range indexes {
					if di.Name() == idx.Name {
						found = true
						if !slices.Equal(di.Columns(), want) {
							t.Errorf("index %s on %v, want %v", idx.Name, di.Columns(), want)
						}
					}
				}
				if !found {
					t.Errorf("index %s missing", idx.Name)
				}
			}
		}
	})
}
