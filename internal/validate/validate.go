// Package validate is the one mechanism that bounds and checks every request
// field, whichever handler or page it arrives through. Struct runs the
// `validate` tags of github.com/go-playground/validator (explicit limits such
// as `validate:"max=500"`, `dive`, `httpurl`) and then walks every string and
// slice of the value, so that a field without a tag is still bounded:
//
//   - no string may hold a NUL byte or another control character; tab,
//     line feed and carriage return are allowed except where the tag says
//     "singleline" (subjects, titles, names and links reach mail headers and
//     iCalendar, where a line break would inject a property) — an httpurl
//     field is always single-line;
//   - a string without a max tag is at most DefaultMaxRunes characters, a
//     slice without one at most DefaultMaxItems elements.
//
// A violation is one *apperr.Error of code Invalid (422) whose Field is the
// JSON path of the field ("items[2].text") and whose Details give the limit,
// with a Thai-then-English message.
package validate

import (
	"reflect"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/go-playground/validator/v10"

	"github.com/tidtam/tidtam/internal/apperr"
)

// DefaultMaxRunes bounds a string field that carries no max tag.
const DefaultMaxRunes = 2000

// DefaultMaxItems bounds a list field that carries no max tag.
const DefaultMaxItems = 1000

var engine = newEngine()

func newEngine() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(jsonName)
	_ = v.RegisterValidation("httpurl", func(fl validator.FieldLevel) bool { return HTTPURL(fl.Field().String()) })
	_ = v.RegisterValidation("singleline", func(validator.FieldLevel) bool { return true })
	return v
}

// jsonName is the name a field has in JSON, "" for a skipped field.
func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	switch name {
	case "-":
		return ""
	case "":
		return f.Name
	}
	return name
}

// HTTPURL reports whether s is an absolute http or https URL with a host,
// no user information and no whitespace or control characters.
func HTTPURL(s string) bool {
	if s == "" {
		return true
	}
	low := strings.ToLower(s)
	if !strings.HasPrefix(low, "https://") && !strings.HasPrefix(low, "http://") {
		return false
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f || unicode.IsSpace(r) {
			return false
		}
	}
	rest := s[strings.Index(s, "://")+3:]
	host, _, _ := strings.Cut(rest, "/")
	return host != "" && !strings.Contains(host, "@")
}

// Struct checks v (a struct or a pointer to one) as described in the
// package comment and returns nil or the first violation.
func Struct(v any) error {
	if err := engine.Struct(v); err != nil {
		if errs, ok := err.(validator.ValidationErrors); ok && len(errs) > 0 {
			return fieldError(errs[0])
		}
		if _, ok := err.(*validator.InvalidValidationError); !ok {
			return err
		}
	}
	return walk(reflect.ValueOf(v), "", "")
}

// fieldError turns a validator error into the domain error.
func fieldError(fe validator.FieldError) error {
	field := fe.Namespace()
	if _, rest, ok := strings.Cut(field, "."); ok {
		field = rest // drop the root struct's name
	}
	limit := fe.Param()
	var e *apperr.Error
	switch fe.Tag() {
	case "max", "lte":
		if fe.Kind() == reflect.String {
			e = apperr.Field(field, "ยาวเกิน %s ตัวอักษร (longer than %s characters)", limit, limit)
		} else if fe.Kind() == reflect.Slice || fe.Kind() == reflect.Map {
			e = apperr.Field(field, "มีได้ไม่เกิน %s รายการ (at most %s items)", limit, limit)
		} else {
			e = apperr.Field(field, "ต้องไม่เกิน %s (must be at most %s)", limit, limit)
		}
	case "min", "gte":
		e = apperr.Field(field, "ต้องไม่น้อยกว่า %s (must be at least %s)", limit, limit)
	case "httpurl":
		e = apperr.Field(field, "ต้องเป็นลิงก์ http:// หรือ https:// ที่ไม่มีช่องว่างหรือขึ้นบรรทัดใหม่ (must be an http or https URL without spaces or line breaks)")
	case "required":
		e = apperr.Field(field, "กรุณาระบุ (required)")
	case "oneof":
		e = apperr.Field(field, "ต้องเป็นหนึ่งใน %s (must be one of %s)", limit, limit)
	default:
		e = apperr.Field(field, "ไม่ถูกต้อง (%s %s)", fe.Tag(), limit)
	}
	if limit != "" {
		e = e.WithDetails(map[string]string{"rule": fe.Tag(), "limit": limit})
	}
	return e
}

// walk checks every string and slice below v that no tag bounded: control
// characters and the default sizes. tag is the validate tag of the field
// holding v.
func walk(v reflect.Value, path, tag string) error {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return walk(v.Elem(), path, tag)
	case reflect.String:
		s := v.String()
		if !hasMax(tag) && utf8.RuneCountInString(s) > DefaultMaxRunes {
			return apperr.Field(path, "ยาวเกิน %d ตัวอักษร (longer than %d characters)", DefaultMaxRunes, DefaultMaxRunes).
				WithDetails(map[string]string{"rule": "max", "limit": strconv.Itoa(DefaultMaxRunes)})
		}
		single := strings.Contains(tag, "singleline") || strings.Contains(tag, "httpurl")
		for _, r := range s {
			if r == 0 || (r < ' ' && (single || (r != '\n' && r != '\r' && r != '\t'))) || r == 0x7f {
				return apperr.Field(path, "มีอักขระควบคุมที่ไม่อนุญาต เช่น NUL หรือการขึ้นบรรทัดใหม่ (contains a control character such as NUL or a line break)")
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
			return nil // raw bytes (json.RawMessage) are checked by their decoder
		}
		if !hasMax(tag) && v.Len() > DefaultMaxItems {
			return apperr.Field(path, "มีได้ไม่เกิน %d รายการ (at most %d items)", DefaultMaxItems, DefaultMaxItems).
				WithDetails(map[string]string{"rule": "max", "limit": strconv.Itoa(DefaultMaxItems)})
		}
		elemTag := diveTag(tag)
		for i := range v.Len() {
			if err := walk(v.Index(i), path+"["+strconv.Itoa(i)+"]", elemTag); err != nil {
				return err
			}
		}
	case reflect.Map:
		if !hasMax(tag) && v.Len() > DefaultMaxItems {
			return apperr.Field(path, "มีได้ไม่เกิน %d รายการ (at most %d items)", DefaultMaxItems, DefaultMaxItems)
		}
		it := v.MapRange()
		for it.Next() {
			if err := walk(it.Value(), path+"."+it.Key().String(), diveTag(tag)); err != nil {
				return err
			}
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name := jsonName(f)
			if name == "" {
				continue
			}
			p := name
			if f.Anonymous && f.Tag.Get("json") == "" {
				p = path // embedded: same level
			} else if path != "" {
				p = path + "." + name
			}
			if err := walk(v.Field(i), p, f.Tag.Get("validate")); err != nil {
				return err
			}
		}
	}
	return nil
}

// hasMax reports whether a validate tag (before any dive) sets a maximum.
func hasMax(tag string) bool {
	head, _, _ := strings.Cut(tag, "dive")
	for _, part := range strings.Split(head, ",") {
		if strings.HasPrefix(part, "max=") || strings.HasPrefix(part, "lte=") || strings.HasPrefix(part, "len=") {
			return true
		}
	}
	return false
}

// diveTag is the part of a tag that applies to a list's elements.
func diveTag(tag string) string {
	_, after, ok := strings.Cut(tag, "dive")
	if !ok {
		return ""
	}
	return strings.TrimPrefix(after, ",")
}
