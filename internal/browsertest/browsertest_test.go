package browsertest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

const cleanPage = `<!doctype html>
<html lang="th"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ทดสอบ</title>
<style>body{font-family:sans-serif;margin:1rem} .tall{height:1500px;background:linear-gradient(#fff,#ccd)}</style>
</head><body>
<h1 id="title">สวัสดี ติดตาม</h1>
<p><a id="next" href="/next?x=1">ถัดไป</a></p>
<p><button id="load" type="button">โหลด</button> <span id="out">ยัง</span></p>
<div class="tall"></div>
<p id="bottom">ท้ายหน้า</p>
<script>
document.getElementById("load").addEventListener("click", async () => {
  const r = await fetch("/slow");
  document.getElementById("out").textContent = await r.text();
});
</script>
</body></html>`

const nextPage = `<!doctype html><html lang="th"><head><meta charset="utf-8"><title>ถัดไป</title></head>
<body><h1 id="title">หน้าถัดไป</h1></body></html>`

const consolePage = `<!doctype html><html><head><meta charset="utf-8"><title>console</title></head><body>
<p>console</p>
<script>console.error("x")</script>
<script>throw new Error("boom")</script>
</body></html>`

const outsidePage = `<!doctype html><html><head><meta charset="utf-8"><title>outside</title></head><body>
<p>outside</p>
<img src="http://example.invalid/x.png" alt="">
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw==" alt="">
</body></html>`

// assetsPage uses the vendored htmx and Sarabun from web/static.
const assetsPage = `<!doctype html>
<html lang="th"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/fonts/sarabun.css">
<style>body{font-family:Sarabun,sans-serif;margin:1rem}</style>
<script src="/static/vendor/htmx.min.js"></script>
<title>Sarabun</title>
</head><body>
<h1>หนังสือสั่งการ 12/2568</h1>
<p>ปกติ <b>ตัวหนา</b> Latin 0123456789</p>
<button id="hx" hx-get="/slow" hx-target="#out">โหลด</button>
<div id="out">ยัง</div>
</body></html>`

func server(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	page := func(body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, body)
		}
	}
	mux.HandleFunc("GET /{$}", page(cleanPage))
	mux.HandleFunc("GET /next", page(nextPage))
	mux.HandleFunc("GET /console", page(consolePage))
	mux.HandleFunc("GET /outside", page(outsidePage))
	mux.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(300 * time.Millisecond)
		fmt.Fprint(w, "โหลดแล้ว")
	})
	mux.HandleFunc("GET /assets", page(assetsPage))
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServer(http.Dir("../../web/static"))))
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// errorRecorder is a testing.TB that records Errorf calls instead of failing.
type errorRecorder struct {
	testing.TB
	errors []string
}

func (r *errorRecorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *errorRecorder) Helper() {}

func TestBrowser(t *testing.T) {
	srv := server(t)
	shots := t.TempDir()
	t.Setenv(EnvScreenshots, shots)
	b := New(t, srv.URL)

	for _, size := range Sizes {
		t.Run("clean/"+size.Name, func(t *testing.T) {
			tab := b.Tab(t, size)
			tab.Open(t, "/")
			if got := tab.Location(t); got != "/" {
				t.Errorf("Location = %q, want /", got)
			}
			if got := tab.Text(t, "#title"); got != "สวัสดี ติดตาม" {
				t.Errorf("Text(#title) = %q", got)
			}
			if !tab.Exists(t, "#bottom") || tab.Exists(t, "#nothing") {
				t.Errorf("Exists: #bottom should exist and #nothing not")
			}
			if w := tabInt(t, tab, "window.innerWidth"); w != size.Width {
				t.Errorf("innerWidth = %d, want %d", w, size.Width)
			}

			tab.Shot(t, "home page")
			want := filepath.Join(shots, sanitize(t.Name()), size.Name+"-01-home_page.png")
			fi, err := os.Stat(want)
			if err != nil || fi.Size() == 0 {
				t.Fatalf("screenshot %s: %v (size %v)", want, err, fi)
			}
			// A full-page shot is taller than the viewport.
			if h := pngHeight(t, want); h <= size.Height {
				t.Errorf("screenshot height %d, want more than the viewport's %d", h, size.Height)
			}

			// A click that starts a slow fetch: Click waits for it.
			tab.Click(t, "#load")
			if got := tab.Text(t, "#out"); got != "โหลดแล้ว" {
				t.Errorf("after clicking #load, #out = %q, want โหลดแล้ว", got)
			}
			// A click that navigates.
			tab.Click(t, "#next")
			if got := tab.Location(t); got != "/next?x=1" {
				t.Errorf("after clicking #next, Location = %q", got)
			}
			if got := tab.Text(t, "h1"); got != "หน้าถัดไป" {
				t.Errorf("after clicking #next, h1 = %q", got)
			}
			if tab.Clicks != 2 {
				t.Errorf("Clicks = %d, want 2", tab.Clicks)
			}
			tab.Shot(t, "next")
			if _, err := os.Stat(filepath.Join(shots, sanitize(t.Name()), size.Name+"-02-next.png")); err != nil {
				t.Error(err)
			}
			tab.AssertClean(t)
			if lang := tabString(t, tab, "navigator.language"); !strings.HasPrefix(lang, "th") {
				t.Errorf("navigator.language = %q, want th-TH", lang)
			}
		})
	}

	t.Run("console", func(t *testing.T) {
		tab := b.Tab(t, Desktop)
		tab.Open(t, "/console")
		errs := tab.ConsoleErrors()
		if !slices.ContainsFunc(errs, func(e string) bool { return strings.HasPrefix(e, "console.error: x") }) {
			t.Errorf("ConsoleErrors() = %q, want a console.error x", errs)
		}
		if !slices.ContainsFunc(errs, func(e string) bool { return strings.HasPrefix(e, "exception: ") && strings.Contains(e, "boom") }) {
			t.Errorf("ConsoleErrors() = %q, want the exception boom", errs)
		}
		rec := &errorRecorder{TB: t}
		tab.AssertClean(rec)
		if len(rec.errors) != len(errs) {
			t.Errorf("AssertClean reported %q, want one error per console error %q", rec.errors, errs)
		}
	})

	t.Run("outside request", func(t *testing.T) {
		tab := b.Tab(t, Phone)
		tab.Open(t, "/outside")
		reqs := tab.Requests()
		if !slices.Contains(reqs, "http://example.invalid/x.png") {
			t.Errorf("Requests() = %q, want http://example.invalid/x.png", reqs)
		}
		if !slices.Contains(reqs, srv.URL+"/outside") {
			t.Errorf("Requests() = %q, want the page %s/outside", reqs, srv.URL)
		}
		rec := &errorRecorder{TB: t}
		tab.AssertClean(rec)
		var outside int
		for _, e := range rec.errors {
			if strings.Contains(e, "another origin") {
				outside++
				if !strings.Contains(e, "example.invalid") {
					t.Errorf("AssertClean: unexpected %s", e)
				}
			}
		}
		if outside != 1 {
			t.Errorf("AssertClean reported %q, want exactly one request to another origin", rec.errors)
		}
	})

	t.Run("vendored assets", func(t *testing.T) {
		tab := b.Tab(t, Phone)
		tab.Open(t, "/assets")
		if v := tabString(t, tab, "htmx.version"); !strings.HasPrefix(v, "2.0.") {
			t.Errorf("htmx.version = %q, want 2.0.x", v)
		}
		fonts, err := run(tab, chromedp.Evaluate[[]string](`document.fonts.ready.then(() =>
			[...document.fonts].filter(f => f.status === "loaded").map(f => f.family + " " + f.weight))`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"Sarabun 400", "Sarabun 700"} {
			if !slices.Contains(fonts, want) {
				t.Errorf("loaded fonts %q: no %s", fonts, want)
			}
		}
		reqs := tab.Requests()
		for _, f := range []string{"sarabun-thai-400-normal.woff2", "sarabun-thai-700-normal.woff2", "sarabun-latin-400-normal.woff2"} {
			if !slices.ContainsFunc(reqs, func(r string) bool { return strings.HasSuffix(r, "/static/fonts/"+f) }) {
				t.Errorf("Requests() = %q: no %s", reqs, f)
			}
		}
		tab.Click(t, "#hx")
		if got := tab.Text(t, "#out"); got != "โหลดแล้ว" {
			t.Errorf("after the htmx click, #out = %q, want โหลดแล้ว", got)
		}
		tab.Shot(t, "sarabun")
		tab.AssertClean(t)
	})

	t.Run("no browser skips", func(t *testing.T) {
		t.Setenv(EnvChromium, filepath.Join(t.TempDir(), "no-such-browser"))
		t.Setenv(EnvSkip, "1")
		skipped := false
		t.Run("inner", func(t *testing.T) {
			defer func() { skipped = t.Skipped() }()
			New(t, srv.URL)
		})
		if !skipped {
			t.Error("New did not skip the test without a browser and with TIDTAM_TEST_SKIP_BROWSER=1")
		}
	})
}

func tabInt(t *testing.T, tab *Tab, expr string) int64 {
	t.Helper()
	v, err := run(tab, chromedp.Evaluate[int64](expr))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func tabString(t *testing.T, tab *Tab, expr string) string {
	t.Helper()
	v, err := run(tab, chromedp.Evaluate[string](expr))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// pngHeight reads the height from a PNG's IHDR chunk.
func pngHeight(t *testing.T, path string) int64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil || len(b) < 24 || string(b[1:4]) != "PNG" {
		t.Fatalf("%s is not a PNG (%v)", path, err)
	}
	return int64(b[20])<<24 | int64(b[21])<<16 | int64(b[22])<<8 | int64(b[23])
}
