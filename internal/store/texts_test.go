package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
)

// TestSaveAndLoadTexts stores texts by their SHA-256 and reads them back on
// both databases: saving the same text twice keeps one row, the empty text
// has the empty ref and no row, and an unknown ref is ErrTextMissing.
func TestSaveAndLoadTexts(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		long := strings.Repeat("ผลการดำเนินงาน ", 3000)
		refs, err := store.SaveTexts(ctx, db, "ข้อ ๑ ให้ทุกจังหวัดรายงาน", "", long, "ข้อ ๑ ให้ทุกจังหวัดรายงาน")
		if err != nil {
			t.Fatal(err)
		}
		if refs[1] != "" || refs[0] != refs[3] || !refs[0].Valid() || !refs[2].Valid() || refs[0] == refs[2] {
			t.Fatalf("refs = %q", refs)
		}
		if refs[2] != models.RefOf(long) {
			t.Errorf("ref of the long text = %s; want its SHA-256 %s", refs[2], models.RefOf(long))
		}
		if _, err := store.SaveTexts(ctx, db, long); err != nil {
			t.Fatalf("saving a stored text again: %v", err)
		}
		var n int64
		if err := db.Model(&models.FreeText{}).Count(&n).Error; err != nil || n != 2 {
			t.Fatalf("free_texts rows = %d, %v; want 2", n, err)
		}
		got, err := store.LoadTexts(ctx, db, refs...)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[refs[0]] != "ข้อ ๑ ให้ทุกจังหวัดรายงาน" || got[refs[2]] != long {
			t.Errorf("LoadTexts = %d texts; want the two stored", len(got))
		}
		_, err = store.LoadTexts(ctx, db, refs[0], models.RefOf("never stored"))
		if !errors.Is(err, store.ErrTextMissing) {
			t.Errorf("LoadTexts of an unknown ref: %v; want ErrTextMissing", err)
		}
	})
}

// TestFillTexts puts texts back in place by ref and leaves elements
// without a ref alone.
func TestFillTexts(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	refs, err := store.SaveTexts(ctx, db, "ข้อความที่เก็บไว้")
	if err != nil {
		t.Fatal(err)
	}
	type item struct {
		Ref  models.TextRef
		Text string
	}
	items := []item{{Ref: refs[0]}, {Text: "ส่งมาตรง ๆ"}}
	fields := func(it *item) (*models.TextRef, *string) { return &it.Ref, &it.Text }
	if err := store.FillTexts(ctx, db, items, fields); err != nil {
		t.Fatal(err)
	}
	if items[0] != (item{Text: "ข้อความที่เก็บไว้"}) || items[1] != (item{Text: "ส่งมาตรง ๆ"}) {
		t.Errorf("filled %+v", items)
	}
	missing := []item{{Ref: models.RefOf("ไม่เคยเก็บ")}}
	if err := store.FillTexts(ctx, db, missing, fields); !errors.Is(err, store.ErrTextMissing) || missing[0].Ref == "" {
		t.Errorf("an unknown ref: %v, %+v; want ErrTextMissing and the element unchanged", err, missing)
	}
}

// TestLoadTextsCachesByRef: a text read once is answered from memory
// afterwards (its row gone, the query would find nothing), because a ref
// is the hash of its text and cannot go stale; a row whose body does not
// hash to its ref is returned as stored but never cached.
func TestLoadTextsCachesByRef(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	text := "ข้อ ๒ ให้ติดป้ายประชาสัมพันธ์ช่องทางแจ้งเบาะแส " + t.Name()
	refs, err := store.SaveTexts(ctx, db, text)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := store.LoadTexts(ctx, db, refs[0]); err != nil || got[refs[0]] != text {
		t.Fatalf("first load: %v %q", err, got)
	}
	if err := db.Exec("DELETE FROM free_texts").Error; err != nil {
		t.Fatal(err)
	}
	if got, err := store.LoadTexts(ctx, db, refs[0]); err != nil || got[refs[0]] != text {
		t.Errorf("second load after the row was removed: %v %q; want the cached text", err, got)
	}
	forged := models.RefOf("another text " + t.Name())
	if err := db.Create(&models.FreeText{Ref: forged, Body: "not the text of the ref"}).Error; err != nil {
		t.Fatal(err)
	}
	if got, _ := store.LoadTexts(ctx, db, forged); got[forged] != "not the text of the ref" {
		t.Fatalf("forged row read as %q", got[forged])
	}
	if err := db.Exec("DELETE FROM free_texts").Error; err != nil {
		t.Fatal(err)
	}
	if _, err := store.LoadTexts(ctx, db, forged); !errors.Is(err, store.ErrTextMissing) {
		t.Errorf("a row whose body does not match its ref was cached: %v", err)
	}
}
