// Package formbody reads request bodies for tidtam's HTTP server without
// holding large ones in memory: each multipart form once, with its files
// on disk, and nothing over its limit.
//
// The server runs with fasthttp's request body streaming on
// (fiber.Config.StreamRequestBody, see api/server.go), so a body reaches
// the handlers as a stream of which fasthttp has read at most the first
// 8 KiB. Middleware reads every multipart/form-data body once, from that
// stream (or from memory, on a server that does not stream), keeping at
// most MemoryPerForm bytes of the form in memory: file parts beyond that
// go to temporary files, which are removed when the request ends. Any
// other body is read whole before the handler, up to InMemoryLimit; one
// over it is refused with 413 before it is read. Handlers and other
// middleware get the form with Form and a field with Value, never with
// fiber's MultipartForm or FormValue, which would parse the body again
// (and keep its files in memory).
package formbody

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/tidtam/tidtam/internal/apperr"
)

// InMemoryLimit is the largest body accepted that is not
// multipart/form-data (JSON, a urlencoded form); the server passes it as
// fiber.Config.BodyLimit, the size up to which fasthttp would read a body
// of known length whole were it not streaming.
const InMemoryLimit = 4 << 20

// MemoryPerForm is how much of one multipart form is kept in memory; file
// parts beyond it are written to temporary files.
const MemoryPerForm = 256 << 10

const (
	localsKey   = "tidtam.formbody.form"
	digestKey   = "tidtam.formbody.digest"
	tooLargeKey = "tidtam.formbody.too-large"
)

// Config configures Middleware.
type Config struct {
	// MaxBytes bounds a multipart body.
	MaxBytes int64
	// KeepInMemory, when set, returns for a request whose form must never
	// touch the disk (a tip's files, which are stored only encrypted) the
	// largest such body, else 0. Such a form is parsed wholly in memory; a
	// larger body is not read at all and TooLarge reports it, for the
	// handler to answer in its own words.
	KeepInMemory func(c *fiber.Ctx) int64
}

// Middleware parses a multipart/form-data body of at most cfg.MaxBytes
// into a form for Form and Value, with file parts beyond MemoryPerForm on
// disk (or wholly in memory, see Config.KeepInMemory), and removes those
// files once the rest of the chain has run. It answers 413 when a
// multipart body exceeds cfg.MaxBytes or any other body exceeds
// InMemoryLimit, and 400 for a malformed multipart body. Other requests
// pass untouched.
func Middleware(cfg Config) fiber.Handler {
	return func(c *fiber.Ctx) error {
		req := c.Request()
		maxBytes, memory := cfg.MaxBytes, int64(MemoryPerForm)
		if cfg.KeepInMemory != nil {
			if n := cfg.KeepInMemory(c); n > 0 {
				maxBytes, memory = n, n
			}
		}
		mt, params, _ := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
		if mt != fiber.MIMEMultipartForm {
			// With streaming on, fasthttp hands every body over as a
			// stream; one within InMemoryLimit of known length is in
			// memory already.
			switch n := req.Header.ContentLength(); {
			case n > InMemoryLimit:
				return tooLarge(c, InMemoryLimit)
			case !req.IsBodyStream():
				return c.Next()
			case n >= 0:
				// Read it whole now (with streaming, fasthttp has read only
				// its first 8 KiB), so that handlers find it in memory.
				req.Body()
				return c.Next()
			}
			// Chunked: read it, up to the limit.
			data, err := io.ReadAll(io.LimitReader(req.BodyStream(), InMemoryLimit+1))
			if err != nil {
				return apperr.New(apperr.BadRequest, "อ่านข้อมูลที่ส่งมาไม่ได้ (could not read the request body): %v", err)
			}
			if len(data) > InMemoryLimit {
				return tooLarge(c, InMemoryLimit)
			}
			req.SetBody(data)
			return c.Next()
		}
		boundary := params["boundary"]
		if boundary == "" {
			return apperr.New(apperr.BadRequest, "multipart/form-data ต้องมี boundary (a multipart body needs a boundary)")
		}
		inMemory := memory == maxBytes
		if n := int64(req.Header.ContentLength()); n > maxBytes {
			if inMemory {
				c.Locals(tooLargeKey, true)
				c.Context().SetConnectionClose() // the body stays unread
				return c.Next()
			}
			return tooLarge(c, maxBytes)
		}
		var body io.Reader
		if req.IsBodyStream() {
			body = req.BodyStream() // never req.Body(): it reads the stream whole
		} else {
			body = bytes.NewReader(req.Body())
		}
		limited := &io.LimitedReader{R: body, N: maxBytes + 1}
		digest := sha256.New()
		form, err := multipart.NewReader(io.TeeReader(limited, digest), boundary).ReadForm(memory)
		if form != nil {
			defer func() { _ = form.RemoveAll() }()
		}
		if err == nil {
			// Read what follows the closing boundary (an epilogue, the end
			// of a chunked body), so the connection is ready for the next
			// request.
			_, err = io.Copy(io.Discard, io.TeeReader(limited, digest))
		}
		switch {
		case (limited.N <= 0 || errors.Is(err, multipart.ErrMessageTooLarge)) && inMemory:
			c.Locals(tooLargeKey, true)
			c.Context().SetConnectionClose() // the rest stays unread
			return c.Next()
		case limited.N <= 0 || errors.Is(err, multipart.ErrMessageTooLarge):
			return tooLarge(c, maxBytes)
		case err != nil:
			return apperr.New(apperr.BadRequest, "อ่านข้อมูล multipart/form-data ไม่ได้ (malformed multipart body): %v", err)
		}
		c.Locals(localsKey, form)
		c.Locals(digestKey, digest.Sum(nil))
		return c.Next()
	}
}

// tooLarge is the 413 the server answers for a body over limit (the
// error handler words it for the user, as for fiber's own limit). The
// connection closes after the answer: the rest of the body is not read.
func tooLarge(c *fiber.Ctx, limit int64) error {
	c.Context().SetConnectionClose()
	return fiber.NewError(http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes", limit))
}

// Form returns the multipart form Middleware parsed for c, or nil when the
// request has none (not multipart/form-data, or Middleware not on its
// route). The form and its files live until the request ends.
func Form(c *fiber.Ctx) *multipart.Form {
	f, _ := c.Locals(localsKey).(*multipart.Form)
	return f
}

// Value returns the first value of form field name: from the multipart
// form when there is one, else from a urlencoded body or the query
// (fiber's FormValue, which reads only an in-memory body).
func Value(c *fiber.Ctx, name string) string {
	if f := Form(c); f != nil {
		if v := f.Value[name]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	return c.FormValue(name)
}

// BodyDigest returns the SHA-256 of the request body as sent: of the
// multipart body Middleware read (which is no longer in memory), else of
// the in-memory body.
func BodyDigest(c *fiber.Ctx) []byte {
	if d, ok := c.Locals(digestKey).([]byte); ok {
		return d
	}
	sum := sha256.Sum256(c.Body())
	return sum[:]
}

// TooLarge reports whether the request's multipart body exceeded its
// Config.KeepInMemory limit and was left unread.
func TooLarge(c *fiber.Ctx) bool {
	v, _ := c.Locals(tooLargeKey).(bool)
	return v
}

// Parsed is Form for call sites that need a multipart form: an error when
// the request carried none.
func Parsed(c *fiber.Ctx) (*multipart.Form, error) {
	if f := Form(c); f != nil {
		return f, nil
	}
	return nil, errNoForm
}

// File returns the first file of part name of the multipart form, or an
// error when there is no such part (or no form).
func File(c *fiber.Ctx, name string) (*multipart.FileHeader, error) {
	f := Form(c)
	if f == nil {
		return nil, errNoForm
	}
	if fs := f.File[name]; len(fs) > 0 {
		return fs[0], nil
	}
	return nil, http.ErrMissingFile
}

var errNoForm = errors.New("the request carries no multipart/form-data body")
