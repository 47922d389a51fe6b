package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/models"
)

// ClaimIdempotencyKey records that account accountID started the request
// fingerprinted by requestHash under key. It returns (nil, nil) when the
// key was free and is now claimed; otherwise the row that holds the key
// (from an earlier request: completed when its StatusCode is not 0) and
// nothing is written.
func ClaimIdempotencyKey(ctx context.Context, db *gorm.DB, row models.IdempotencyKey) (*models.IdempotencyKey, error) {
	db = db.WithContext(ctx)
	err := db.Create(&row).Error
	if err == nil {
		return nil, nil
	}
	if !errors.Is(err, gorm.ErrDuplicatedKey) {
		return nil, err
	}
	var prev models.IdempotencyKey
	if err := db.Where("account_id = ? AND idem_key = ?", row.AccountID, row.Key).First(&prev).Error; err != nil {
		return nil, err
	}
	return &prev, nil
}

// CompleteIdempotencyKey stores the answer (status and body) of the request
// that claimed key, for replays.
func CompleteIdempotencyKey(ctx context.Context, db *gorm.DB, accountID int64, key string, status int, body []byte, at time.Time) error {
	return db.WithContext(ctx).Model(&models.IdempotencyKey{}).Where("account_id = ? AND idem_key = ?", accountID, key).
		Updates(map[string]any{"status_code": status, "response_body": string(body), "completed_at": &at}).Error
}

// ReleaseIdempotencyKey forgets a claim, so that a retry of a request that
// failed on the server's side runs again.
func ReleaseIdempotencyKey(ctx context.Context, db *gorm.DB, accountID int64, key string) error {
	return db.WithContext(ctx).Delete(&models.IdempotencyKey{}, "account_id = ? AND idem_key = ?", accountID, key).Error
}
