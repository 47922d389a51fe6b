package api

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/models"
)

// HeaderIdempotencyKey is the request header that makes a POST safe to
// retry.
const HeaderIdempotencyKey = "Idempotency-Key"

// idempotent makes POSTs carrying an Idempotency-Key header safe to repeat:
// the first request claims the key (a row with status 0); a repeat with the
// same method, path and body gets the stored answer, or 409 while the first
// is still running; a repeat with a different request is 422. Answers of
// 5xx are not kept, so a retry after an outage really retries. Keys are per
// account, so two users cannot collide.
func idempotent(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		key := c.Get(HeaderIdempotencyKey)
		if c.Method() != fiber.MethodPost || key == "" {
			return c.Next()
		}
		if len(key) > 255 {
			return apperr.New(apperr.Invalid, "Idempotency-Key ยาวเกิน 255 ตัวอักษร (too long)").WithDetails(map[string]string{"header": HeaderIdempotencyKey})
		}
		p := principal(c)
		sum := sha256.Sum256(append([]byte(c.Method()+" "+c.Path()+"\n"), c.Body()...))
		hash := hex.EncodeToString(sum[:])
		db := d.DB.WithContext(c.UserContext())
		row := models.IdempotencyKey{AccountID: p.AccountID, Key: key, Method: c.Method(), Path: c.Path(), RequestHash: hash, CreatedAt: d.now()}
		if err := db.Create(&row).Error; err != nil {
			if !errors.Is(err, gorm.ErrDuplicatedKey) {
				return err
			}
			var prev models.IdempotencyKey
			if err := db.Where("account_id = ? AND idem_key = ?", p.AccountID, key).First(&prev).Error; err != nil {
				return err
			}
			switch {
			case prev.RequestHash != hash:
				return apperr.New(apperr.Invalid, "Idempotency-Key นี้ใช้กับคำขออื่นไปแล้ว (this Idempotency-Key was used for a different request)")
			case prev.StatusCode == 0:
				return apperr.New(apperr.Conflict, "คำขอเดียวกันกำลังดำเนินการอยู่ (the same request is still being processed)")
			}
			c.Set("Idempotent-Replayed", "true")
			c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
			return c.Status(prev.StatusCode).SendString(prev.ResponseBody)
		}
		err := c.Next()
		if err != nil {
			if herr := c.App().ErrorHandler(c, err); herr != nil {
				return herr
			}
		}
		status := c.Response().StatusCode()
		if status >= 500 {
			// Release the key so the client's retry runs again.
			return db.Delete(&models.IdempotencyKey{}, "account_id = ? AND idem_key = ?", p.AccountID, key).Error
		}
		now := time.Now()
		return db.Model(&models.IdempotencyKey{}).Where("account_id = ? AND idem_key = ?", p.AccountID, key).
			Updates(map[string]any{"status_code": status, "response_body": string(c.Response().Body()), "completed_at": &now}).Error
	}
}
