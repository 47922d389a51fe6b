package formbody_test

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/formbody"
)

// app is a server configured as tidtam's: streaming bodies, a small
// in-memory limit, Middleware with a total of max bytes. Its handler
// reports what it got.
func app(max int64) (*fiber.App, *[]string) {
	a := fiber.New(fiber.Config{BodyLimit: formbody.InMemoryLimit, StreamRequestBody: true, DisablePreParseMultipartForm: true, DisableStartupMessage: true,
		ErrorHandler: func(c *fiber.Ctx, err error) error {
			if e := apperr.As(err); e != nil {
				return c.Status(e.Code.HTTPStatus()).SendString(e.Error())
			}
			return fiber.DefaultErrorHandler(c, err)
		}})
	a.Use(formbody.Middleware(formbody.Config{MaxBytes: max, KeepInMemory: func(c *fiber.Ctx) int64 {
		if c.Path() == "/secret" {
			return 1 << 20
		}
		return 0
	}}))
	var onDisk []string
	a.Post("/secret", func(c *fiber.Ctx) error {
		if formbody.TooLarge(c) {
			return c.SendString("too large")
		}
		fh, err := formbody.File(c, "file")
		if err != nil {
			return err
		}
		r, err := fh.Open()
		if err != nil {
			return err
		}
		defer r.Close()
		if _, ok := r.(*os.File); ok {
			onDisk = append(onDisk, "secret")
		}
		return c.SendString("in memory")
	})
	a.Post("/", func(c *fiber.Ctx) error {
		f := formbody.Form(c)
		if f == nil {
			return c.SendString("no form; body " + fmt.Sprint(len(c.Body())))
		}
		fh, err := formbody.File(c, "file")
		if err != nil {
			return err
		}
		r, err := fh.Open()
		if err != nil {
			return err
		}
		defer r.Close()
		if osf, ok := r.(*os.File); ok {
			onDisk = append(onDisk, osf.Name())
		}
		h := sha256.New()
		n, _ := io.Copy(h, r)
		return c.SendString(fmt.Sprintf("%s %d %x", formbody.Value(c, "text"), n, h.Sum(nil)))
	})
	return a, &onDisk
}

func multipartBody(t *testing.T, size int) (*bytes.Buffer, string, [32]byte) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if err := w.WriteField("text", "รายงานผล"); err != nil {
		t.Fatal(err)
	}
	fw, err := w.CreateFormFile("file", "evidence.txt")
	if err != nil {
		t.Fatal(err)
	}
	content := bytes.Repeat([]byte("หลักฐาน 0123456789\n"), size/27+1)[:size]
	if _, err := fw.Write(content); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf, w.FormDataContentType(), sha256.Sum256(content)
}

// TestLargeUploadGoesToDisk: a 10 MB file part reaches the handler as a
// temporary file (not in memory), whole, with the text field beside it;
// the temporary file is gone once the request has ended.
func TestLargeUploadGoesToDisk(t *testing.T) {
	a, onDisk := app(20 << 20)
	body, ct, sum := multipartBody(t, 10<<20)
	req := httptest.NewRequest(http.MethodPost, "/", body)
	req.Header.Set("Content-Type", ct)
	res, err := a.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(res.Body)
	if want := fmt.Sprintf("รายงานผล %d %x", 10<<20, sum); res.StatusCode != 200 || string(got) != want {
		t.Fatalf("answered %d %q, want 200 %q", res.StatusCode, got, want)
	}
	if len(*onDisk) != 1 {
		t.Fatalf("the file part was held in memory, want it in a temporary file")
	}
	if _, err := os.Stat((*onDisk)[0]); !os.IsNotExist(err) {
		t.Errorf("temporary file %s still there after the request (%v)", (*onDisk)[0], err)
	}
}

// TestBodyLimits: a multipart body over the total, or any other body over
// InMemoryLimit, is 413; a malformed multipart body is 400; a small JSON
// body passes to the handler in memory.
func TestBodyLimits(t *testing.T) {
	a, _ := app(1 << 20)
	body, ct, _ := multipartBody(t, 2<<20)
	for _, tc := range []struct {
		name, ct string
		body     io.Reader
		want     int
	}{
		{"multipart over the total", ct, body, http.StatusRequestEntityTooLarge},
		{"JSON over the in-memory limit", "application/json", strings.NewReader(`"` + strings.Repeat("x", formbody.InMemoryLimit) + `"`), http.StatusRequestEntityTooLarge},
		{"malformed multipart", "multipart/form-data; boundary=xyz", strings.NewReader("--xyz\r\nnonsense"), http.StatusBadRequest},
		{"multipart without a boundary", "multipart/form-data", strings.NewReader("x"), http.StatusBadRequest},
		{"small JSON", "application/json", strings.NewReader(`{"a":1}`), http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/", tc.body)
			req.Header.Set("Content-Type", tc.ct)
			res, err := a.Test(req, -1)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(res.Body)
			if res.StatusCode != tc.want {
				t.Fatalf("answered %d %q, want %d", res.StatusCode, got, tc.want)
			}
			if tc.want == http.StatusOK && string(got) != "no form; body 7" {
				t.Errorf("handler got %q", got)
			}
		})
	}
}

// TestKeepInMemory: on a route whose form must not touch the disk, a file
// within the route's limit stays in memory (even past MemoryPerForm), and
// a larger body is left unread for the handler to refuse.
func TestKeepInMemory(t *testing.T) {
	a, onDisk := app(20 << 20)
	for _, tc := range []struct {
		size int
		want string
	}{{900 << 10, "in memory"}, {2 << 20, "too large"}} {
		body, ct, _ := multipartBody(t, tc.size)
		req := httptest.NewRequest(http.MethodPost, "/secret", body)
		req.Header.Set("Content-Type", ct)
		res, err := a.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 || string(got) != tc.want {
			t.Errorf("%d bytes: answered %d %q, want %q", tc.size, res.StatusCode, got, tc.want)
		}
	}
	if len(*onDisk) != 0 {
		t.Errorf("a file of the in-memory route went to a temporary file")
	}
}

// TestKeepAliveAfterUnreadBody: on a kept-alive connection, what a request
// left of its streamed body unread (here a malformed multipart body, which
// Middleware refuses after its first part header) is never taken for the
// next request: the next request on the connection is answered, and a
// request hidden in the unread body is not. fasthttp before v1.75 left
// those bytes in the connection's reader, so the hidden request ran.
func TestKeepAliveAfterUnreadBody(t *testing.T) {
	a, _ := app(1 << 20)
	var smuggled atomic.Int32
	a.Get("/next", func(c *fiber.Ctx) error { return c.SendString("next") })
	a.Get("/smuggled", func(c *fiber.Ctx) error {
		smuggled.Add(1)
		return c.SendString("smuggled")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = a.Listener(ln) }()
	t.Cleanup(func() { _ = a.Shutdown() })

	// The hidden request starts past the first 8 KiB of the body, beyond
	// what fasthttp reads before the handler.
	head := "--b\r\nnot a header line\r\n\r\n"
	body := head + strings.Repeat("x", 8<<10-len(head)) + "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
	fmt.Fprint(conn, "GET /next HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(conn)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("the malformed body was answered %d, want 400", res.StatusCode)
	}
	closes := res.Close
	res, err = http.ReadResponse(br, nil)
	switch {
	case err != nil && !closes:
		t.Errorf("no answer to the next request on the connection: %v", err)
	case err == nil:
		got, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK || string(got) != "next" {
			t.Errorf("the next request was answered %d %q, want 200 \"next\"", res.StatusCode, got)
		}
	}
	if n := smuggled.Load(); n != 0 {
		t.Errorf("a request hidden in a body ran %d times", n)
	}
}
