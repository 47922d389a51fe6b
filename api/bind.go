package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/listing"
	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/internal/validate"
	"github.com/tidtam/tidtam/models"
)

const principalKey = "tidtam.principal"

// principal returns the authenticated caller; requireAuth guarantees one.
func principal(c *fiber.Ctx) *auth.Principal {
	p, _ := c.Locals(principalKey).(*auth.Principal)
	return p
}

// requireAuth resolves the bearer token into a Principal or answers 401.
func requireAuth(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		h := c.Get(fiber.HeaderAuthorization)
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || strings.TrimSpace(token) == "" {
			return apperr.New(apperr.Unauthorized, "กรุณาเข้าสู่ระบบ: ต้องมีส่วนหัว Authorization: Bearer <token> (sign in first)")
		}
		p, err := d.Auth.Authenticate(c.UserContext(), strings.TrimSpace(token))
		if err != nil {
			return err
		}
		c.Locals(principalKey, p)
		return c.Next()
	}
}

// requireRole lets only the given roles through (after requireAuth).
func requireRole(roles ...models.Role) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := principal(c).Require(roles...); err != nil {
			return err
		}
		return c.Next()
	}
}

// decodeJSON reads the request body into v strictly: malformed JSON is 400;
// unknown fields and wrong types are 422 naming the field; then every field
// is checked against its limits and for control characters
// (internal/validate), a violation being 422 naming the field and the limit.
func decodeJSON(c *fiber.Ctx, v any) error {
	body := c.Body()
	if len(bytes.TrimSpace(body)) == 0 {
		return apperr.New(apperr.BadRequest, "ต้องส่งข้อมูล JSON ในเนื้อหาคำขอ (request body must be JSON)")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var typeErr *json.UnmarshalTypeError
		var syntaxErr *json.SyntaxError
		switch {
		case errors.As(err, &typeErr):
			return apperr.Field(typeErr.Field, "ชนิดข้อมูลไม่ถูกต้อง ต้องเป็น %s (wrong type, expected %s)", typeErr.Type, typeErr.Type)
		case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF):
			return apperr.New(apperr.BadRequest, "JSON ไม่ถูกต้อง (malformed JSON): %v", err)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return apperr.Field(f, "ไม่รู้จักช่องข้อมูลนี้ (unknown field)")
		}
		return apperr.New(apperr.BadRequest, "อ่าน JSON ไม่ได้ (cannot read JSON): %v", err)
	}
	if dec.More() {
		return apperr.New(apperr.BadRequest, "มีข้อมูลเกินหลัง JSON (trailing data after JSON)")
	}
	return validate.Struct(v)
}

// queryInt reads an optional integer query parameter; Thai digits are
// accepted. ok is false when the parameter is absent.
func queryInt(c *fiber.Ctx, name string, lo, hi int) (n int, ok bool, err error) {
	raw := strings.TrimSpace(c.Query(name))
	if raw == "" {
		return 0, false, nil
	}
	n, perr := thaidate.ParseInt(raw)
	if perr != nil || n < lo || n > hi {
		return 0, false, apperr.Field(name, "ต้องเป็นตัวเลข %d–%d (must be a number from %d to %d)", lo, hi, lo, hi)
	}
	return n, true, nil
}

// window reads the limit (1–500, default 50) and offset query parameters.
func window(c *fiber.Ctx) (listing.Window, error) {
	limit, offset, err := limitOffset(c, 50, 500)
	return listing.Window{Limit: limit, Offset: offset}, err
}

// queryBool reads an optional true/false query parameter (also 1/0, any
// case). ok is false when the parameter is absent.
func queryBool(c *fiber.Ctx, name string) (value, ok bool, err error) {
	raw := strings.TrimSpace(c.Query(name))
	if raw == "" {
		return false, false, nil
	}
	v, perr := strconv.ParseBool(strings.ToLower(raw))
	if perr != nil {
		return false, false, apperr.Field(name, "ต้องเป็น true หรือ false (must be true or false)")
	}
	return v, true, nil
}

// decodeOptionalJSON is decodeJSON for a body that may be empty (v then
// keeps its zero value).
func decodeOptionalJSON(c *fiber.Ctx, v any) error {
	if len(bytes.TrimSpace(c.Body())) == 0 {
		return nil
	}
	return decodeJSON(c, v)
}

func limitOffset(c *fiber.Ctx, def, maxLimit int) (int, int, error) {
	limit, ok, err := queryInt(c, "limit", 1, maxLimit)
	if err != nil {
		return 0, 0, err
	}
	if !ok {
		limit = def
	}
	offset, _, err := queryInt(c, "offset", 0, 1<<30)
	if err != nil {
		return 0, 0, err
	}
	return limit, offset, nil
}

func quoteList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}
