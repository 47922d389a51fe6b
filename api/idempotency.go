package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/formbody"
	"github.com/tidtam/tidtam/internal/store"
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
//
// No secret reaches the store: a request whose body carries a password
// field (secretRequestFields) is not claimed at all, and the fields a handler
// marks as secret in its answer (secretFieldsKey: a new API token) are
// removed from the answer kept for replays, so a replay shows the token's
// ID and metadata but never the token itself.
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
		if formbody.Form(c) == nil && carriesSecret(c.Body()) {
			// The request carries a password, which no fingerprint may
			// keep; without it two requests with different passwords would
			// look alike and the second would get the first's answer (a
			// stale 422, or a 204 for a reset that never happened). Such
			// requests (password change and reset) are idempotent by
			// nature and run every time.
			return c.Next()
		}
		// The body by its digest: a multipart body with evidence files
		// was streamed to disk and is no longer in memory.
		sum := sha256.Sum256(append([]byte(c.Method()+" "+c.Path()+"\n"), formbody.BodyDigest(c)...))
		hash := hex.EncodeToString(sum[:])
		ctx := c.UserContext()
		prev, err := store.ClaimIdempotencyKey(ctx, d.DB, models.IdempotencyKey{AccountID: p.AccountID, Key: key, Method: c.Method(),
			Path: c.Path(), RequestHash: hash, CreatedAt: d.now()})
		if err != nil {
			return err
		}
		if prev != nil {
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
		err = c.Next()
		if err != nil {
			if herr := c.App().ErrorHandler(c, err); herr != nil {
				return herr
			}
		}
		status := c.Response().StatusCode()
		if status >= 500 {
			// Release the key so the client's retry runs again.
			return store.ReleaseIdempotencyKey(ctx, d.DB, p.AccountID, key)
		}
		body := c.Response().Body()
		if secret, ok := c.Locals(secretFieldsKey).([]string); ok {
			body = withoutFields(body, secret)
		}
		return store.CompleteIdempotencyKey(ctx, d.DB, p.AccountID, key, status, body, time.Now())
	}
}

// secretRequestFields are the request fields that carry passwords: a
// request with one is never kept by the idempotency store.
var secretRequestFields = []string{"password", "current_password", "new_password"}

// carriesSecret reports whether body is a JSON object with a top-level
// field named in secretRequestFields (in any case, as encoding/json
// matches names).
func carriesSecret(body []byte) bool {
	t := bytes.TrimSpace(body)
	if len(t) == 0 || t[0] != '{' || !bytes.Contains(bytes.ToLower(t), []byte("password")) {
		return false
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(t, &obj) != nil {
		return false
	}
	for k := range obj {
		for _, f := range secretRequestFields {
			if strings.EqualFold(k, f) {
				return true
			}
		}
	}
	return false
}

// withoutFields returns body, a JSON object, without its top-level fields
// named in fields (in any case: encoding/json matches names so). A body
// that mentions none of them comes back unchanged; one that does but is not
// a JSON object comes back empty, so that a secret is dropped rather than
// kept whole.
func withoutFields(body []byte, fields []string) []byte {
	lower := bytes.ToLower(body)
	found := false
	for _, f := range fields {
		found = found || bytes.Contains(lower, []byte(f))
	}
	if !found {
		return body
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil {
		return nil
	}
	for k := range obj {
		for _, f := range fields {
			if strings.EqualFold(k, f) {
				delete(obj, k)
			}
		}
	}
	out, err := json.Marshal(obj)
	if err != nil {
		return nil
	}
	return out
}
