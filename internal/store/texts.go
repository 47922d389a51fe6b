package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/tidtam/tidtam/models"
)

// ErrTextMissing is wrapped by LoadTexts when a TextRef names no stored
// text.
var ErrTextMissing = fmt.Errorf("store: text not stored")

// SaveTexts stores each non-empty text of texts in free_texts (once: a text
// stored before is left as it is) and returns their TextRefs in the same
// order, "" for an empty text. It must run before any workflow input,
// signal or Update carrying the refs is sent.
func SaveTexts(ctx context.Context, db *gorm.DB, texts ...string) ([]models.TextRef, error) {
	refs := make([]models.TextRef, len(texts))
	rows := make([]models.FreeText, 0, len(texts))
	seen := map[models.TextRef]bool{}
	now := time.Now().UTC()
	for i, t := range texts {
		refs[i] = models.RefOf(t)
		if refs[i] == "" || seen[refs[i]] {
			continue
		}
		seen[refs[i]] = true
		rows = append(rows, models.FreeText{Ref: refs[i], Body: t, CreatedAt: now})
	}
	if len(rows) == 0 {
		return refs, nil
	}
	err := db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(rows, 200).Error
	if err != nil {
		return nil, err
	}
	return refs, nil
}

// textCache keeps recently loaded texts by ref. A ref is the hash of its
// text (models.RefOf), so an entry can never go stale; only texts whose
// ref checks out are kept. Item texts are read on every acknowledgement's
// answer and every assignment page, and they are few and short. At most
// textCacheEntries texts of at most maxCachedText bytes: 32 MiB at worst.
var textCache = func() *lru.Cache[models.TextRef, string] {
	c, err := lru.New[models.TextRef, string](textCacheEntries)
	if err != nil {
		panic(err) // only for a size below 1
	}
	return c
}()

const (
	textCacheEntries = 2048
	maxCachedText    = 16 << 10
)

// LoadTexts returns the stored text of every non-empty ref in refs. A ref
// that names no stored text is an error wrapping ErrTextMissing: the text
// was saved before the ref was sent, so a missing one means data loss, not
// a retryable condition.
func LoadTexts(ctx context.Context, db *gorm.DB, refs ...models.TextRef) (map[models.TextRef]string, error) {
	want := make([]models.TextRef, 0, len(refs))
	seen := make(map[models.TextRef]bool, len(refs))
	for _, r := range refs {
		if r != "" && !seen[r] {
			seen[r] = true
			want = append(want, r)
		}
	}
	out := make(map[models.TextRef]string, len(want))
	missing := want[:0:0]
	for _, r := range want {
		if t, ok := textCache.Get(r); ok {
			out[r] = t
		} else {
			missing = append(missing, r)
		}
	}
	for chunk := range slices.Chunk(missing, 500) {
		var rows []models.FreeText
		if err := db.WithContext(ctx).Where("ref IN ?", chunk).Find(&rows).Error; err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[r.Ref] = r.Body
			if len(r.Body) <= maxCachedText && models.RefOf(r.Body) == r.Ref {
				textCache.Add(r.Ref, r.Body)
			}
		}
	}
	for _, r := range want {
		if _, ok := out[r]; !ok {
			return nil, fmt.Errorf("%w: %s", ErrTextMissing, r)
		}
	}
	return out, nil
}

// FillTexts puts back the stored text of every element of items that
// carries a ref, in place: fields returns pointers to an element's ref and
// text; where the ref is set, the text is filled in and the ref cleared.
// Elements without a ref are left as they are. One query for all.
func FillTexts[T any](ctx context.Context, db *gorm.DB, items []T, fields func(*T) (*models.TextRef, *string)) error {
	refs := make([]models.TextRef, 0, len(items))
	for i := range items {
		ref, _ := fields(&items[i])
		refs = append(refs, *ref)
	}
	texts, err := LoadTexts(ctx, db, refs...)
	if err != nil {
		return err
	}
	for i := range items {
		if ref, text := fields(&items[i]); *ref != "" {
			*text, *ref = texts[*ref], ""
		}
	}
	return nil
}
