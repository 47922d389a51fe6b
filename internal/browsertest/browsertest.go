// Package browsertest drives the web pages of tidtam in a real headless
// Chromium from Go tests, at the sizes that matter (a phone and a desktop),
// and records what a person's browser would show a developer: console errors,
// uncaught exceptions and every request the page makes.
//
// It is a normal package, not a _test file, so that the tests of other
// packages import it:
//
//	srv := httptest.NewServer(handler)
//	defer srv.Close()
//	b := browsertest.New(t, srv.URL)
//	for _, size := range browsertest.Sizes {
//		tab := b.Tab(t, size)
//		tab.Open(t, "/")
//		tab.Shot(t, "home")
//		tab.Click(t, "a.next")
//		if got := tab.Location(t); got != "/next" { ... }
//		tab.AssertClean(t)
//	}
//
// The browser is Debian's chromium (apt-get install chromium; .ci/run installs
// it, with fonts-thai-tlwg for Thai text). TIDTAM_CHROMIUM names another
// executable. Without a browser the tests fail, unless
// TIDTAM_TEST_SKIP_BROWSER=1, which skips them.
//
// Screenshots go to <repo root>/screenshots (ignored by git), or to the
// directory that TIDTAM_SCREENSHOTS names.
package browsertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Environment variables read by the package.
const (
	// EnvChromium names the browser executable to use instead of the first of
	// chromium, chromium-browser and google-chrome found on PATH.
	EnvChromium = "TIDTAM_CHROMIUM"
	// EnvSkip, set to "1", makes New skip the test when no browser is found,
	// instead of failing it.
	EnvSkip = "TIDTAM_TEST_SKIP_BROWSER"
	// EnvScreenshots names the directory where Shot writes its files, instead
	// of <repo root>/screenshots.
	EnvScreenshots = "TIDTAM_SCREENSHOTS"
)

// DefaultTimeout is the time that Run (and so every method of Tab that talks
// to the browser) allows its actions, unless Tab.Timeout says otherwise.
const DefaultTimeout = 20 * time.Second

// Size is a viewport size in CSS pixels. Name appears in screenshot file
// names. A Size narrower than 600 pixels is emulated as a mobile device
// (mobile viewport rules, touch, portrait), a wider one as a desktop window.
type Size struct {
	Name          string
	Width, Height int64
}

// Phone is a common phone viewport (390×844 CSS pixels), emulated as a
// mobile device.
var Phone = Size{"phone", 390, 844}

// Desktop is a small desktop or laptop window (1280×800 CSS pixels).
var Desktop = Size{"desktop", 1280, 800}

// Sizes lists the sizes every page is checked at: Phone, then Desktop.
var Sizes = []Size{Phone, Desktop}

// mobile reports whether the size is emulated as a mobile device.
func (s Size) mobile() bool { return s.Width < 600 }

// Browser is one headless Chromium process, shared by the tabs that Tab opens,
// and the base URL that Tab.Open resolves paths against. Make it with New.
type Browser struct {
	baseURL string
	origin  string // scheme://host[:port] of baseURL
	ctx     context.Context

	mu      sync.Mutex
	written map[string]bool // screenshot paths written by this browser's tabs
}

// New starts a headless Chromium for the test, with the Thai locale (th-TH),
// and returns it; baseURL (for example an httptest.Server's URL) is what
// Tab.Open puts before a path and what AssertClean takes as the page's own
// origin. The browser is the executable named by TIDTAM_CHROMIUM, else the
// first of chromium, chromium-browser and google-chrome on PATH. When there is
// none, New skips the test if TIDTAM_TEST_SKIP_BROWSER=1 and fails it (Fatal)
// otherwise; it also fails the test if the browser does not start. The browser
// is closed when the test and its subtests end (t.Cleanup).
func New(t testing.TB, baseURL string) *Browser {
	t.Helper()
	u, err := url.Parse(baseURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		t.Fatalf("browsertest: base URL %q is not an absolute URL", baseURL)
	}
	execPath, err := findBrowser()
	if err != nil {
		if os.Getenv(EnvSkip) == "1" {
			t.Skipf("browsertest: %v (%s=1: skipping)", err, EnvSkip)
		}
		t.Fatalf("browsertest: %v: install Debian's chromium (apt-get install -y chromium fonts-thai-tlwg; .ci/run does this), "+
			"set %s to a Chromium executable, or set %s=1 to skip browser tests", err, EnvChromium, EnvSkip)
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(execPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("lang", "th-TH"),
		chromedp.Flag("accept-lang", "th-TH,th"),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		// Close the browser gracefully, but do not wait for ever.
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_ = chromedp.Cancel(cctx)
		cancel()
		cancelBrowser()
		cancelAlloc()
	})
	// The first Do starts the browser; it must not run with a timeout, which
	// would end the browser with it.
	start := make(chan error, 1)
	go func() { start <- chromedp.Do(ctx) }()
	select {
	case err = <-start:
	case <-time.After(DefaultTimeout):
		err = errors.New("timed out")
	}
	if err != nil {
		t.Fatalf("browsertest: starting %s: %v", execPath, err)
	}
	return &Browser{
		baseURL: strings.TrimSuffix(baseURL, "/"),
		origin:  u.Scheme + "://" + u.Host,
		ctx:     ctx,
		written: map[string]bool{},
	}
}

// findBrowser returns the browser executable: $TIDTAM_CHROMIUM, or the first
// of chromium, chromium-browser and google-chrome on PATH.
func findBrowser() (string, error) {
	if p := os.Getenv(EnvChromium); p != "" {
		path, err := exec.LookPath(p)
		if err != nil {
			return "", fmt.Errorf("%s=%q is not an executable: %v", EnvChromium, p, err)
		}
		return path, nil
	}
	names := []string{"chromium", "chromium-browser", "google-chrome"}
	for _, name := range names {
		if path, err := exec.LookPath(name); err == nil {
			return path, nil
		}
	}
	return "", fmt.Errorf("no browser found (%s is unset and none of %s is on PATH)", EnvChromium, strings.Join(names, ", "))
}

// Tab is one browser tab with a fixed viewport size. It records, from the
// moment it opens, the console errors and uncaught exceptions of its pages
// and the URL of every request they make. Make it with Browser.Tab. A Tab is
// not safe for use by several goroutines at once.
type Tab struct {
	// Clicks counts the clicks made with Click.
	Clicks int
	// Timeout limits each Run, each method that talks to the browser and the
	// wait for the page to settle in Open, Click and AssertClean;
	// Browser.Tab sets it to DefaultTimeout.
	Timeout time.Duration

	b     *Browser
	size  Size
	ctx   context.Context
	shots int

	mu       sync.Mutex
	expected []string                      // console errors AssertClean lets pass (Expect)
	console  []string                      // console errors and exceptions
	requests []string                      // every request URL, in order
	pending  map[network.RequestID]request // requests not finished yet
	loading  map[cdp.FrameID]bool          // frames that are loading
}

// Tab opens a new tab of the browser with the viewport set to size (a mobile
// device below 600 pixels wide; see Size) and returns it. The tab is closed
// when the test ends (t.Cleanup); t may be a subtest of the one given to New.
func (b *Browser) Tab(t testing.TB, size Size) *Tab {
	t.Helper()
	tab := &Tab{
		Timeout: DefaultTimeout,
		b:       b,
		size:    size,
		pending: map[network.RequestID]request{},
		loading: map[cdp.FrameID]bool{},
	}
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithListener(tab.event))
	tab.ctx = ctx
	t.Cleanup(cancel)
	var opts []chromedp.EmulateViewportOption
	if size.mobile() {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)
	}
	// The first action opens the tab: it must run on the tab's own context,
	// not on one with a timeout, which would close the tab with it.
	done := make(chan error, 1)
	go func() { done <- chromedp.Do(ctx, chromedp.EmulateViewport(size.Width, size.Height, opts...)) }()
	var err error
	select {
	case err = <-done:
	case <-time.After(tab.Timeout):
		err = errors.New("timed out")
	}
	if err != nil {
		t.Fatalf("browsertest: opening a %s tab (%dx%d): %v", size.Name, size.Width, size.Height, err)
	}
	return tab
}

// request is a request of the tab's pages that has not finished: its URL,
// and the frame and document (loader) that made it.
type request struct {
	url    string
	frame  cdp.FrameID
	loader cdp.LoaderID
}

// event records one event of the tab. It runs on chromedp's reader goroutine,
// so it only stores.
func (tab *Tab) event(ev any) {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	switch e := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeAssert {
			tab.console = append(tab.console, "console."+string(e.Type)+": "+argsText(e.Args)+stackPlace(e.StackTrace))
		}
	case *runtime.EventExceptionThrown:
		d := e.ExceptionDetails
		if d == nil {
			break
		}
		msg := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			desc, _, _ := strings.Cut(d.Exception.Description, "\n    at ")
			msg += " " + desc
		}
		where := d.URL
		if where == "" {
			where = stackPlace(d.StackTrace)
		} else {
			where = fmt.Sprintf(" (%s:%d)", where, d.LineNumber+1)
		}
		tab.console = append(tab.console, "exception: "+msg+where)
	case *log.EventEntryAdded:
		if en := e.Entry; en != nil && en.Level == log.EntryLevelError {
			msg := "log " + string(en.Source) + ": " + en.Text
			if en.URL != "" {
				msg += " (" + en.URL + ")"
			}
			tab.console = append(tab.console, msg)
		}
	case *network.EventRequestWillBeSent:
		if e.Request == nil {
			break
		}
		u := e.Request.URL + e.Request.URLFragment
		tab.requests = append(tab.requests, u)
		if e.Type != network.ResourceTypeEventSource && e.Type != network.ResourceTypeWebSocket {
			tab.pending[e.RequestID] = request{url: u, frame: e.FrameID, loader: e.LoaderID}
		}
	case *network.EventLoadingFinished:
		delete(tab.pending, e.RequestID)
	case *network.EventLoadingFailed:
		delete(tab.pending, e.RequestID)
	case *page.EventFrameNavigated:
		// A new document replaced the frame's: the requests of the old one
		// can no longer matter to the page, and Chromium does not always
		// report their end (an XHR whose response was arriving as the
		// navigation committed gets neither loadingFinished nor
		// loadingFailed), so they are not waited for.
		if f := e.Frame; f != nil {
			for id, r := range tab.pending {
				if r.frame == f.ID && r.loader != f.LoaderID {
					delete(tab.pending, id)
				}
			}
		}
	case *page.EventFrameStartedLoading:
		tab.loading[e.FrameID] = true
	case *page.EventFrameStoppedLoading:
		delete(tab.loading, e.FrameID)
	case *page.EventFrameDetached:
		delete(tab.loading, e.FrameID)
	}
}

// argsText renders console arguments: strings as they are, other values by
// their description.
func argsText(args []*runtime.RemoteObject) string {
	parts := make([]string, 0, len(args))
	for _, a := range args {
		switch {
		case a == nil:
			parts = append(parts, "null")
		case a.Type == runtime.RemoteObjectTypeString && len(a.Value) >= 2:
			s := string(a.Value)
			if uq, err := unquoteJSON(s); err == nil {
				s = uq
			}
			parts = append(parts, s)
		case a.UnserializableValue != "":
			parts = append(parts, string(a.UnserializableValue))
		case a.Description != "":
			d, _, _ := strings.Cut(a.Description, "\n    at ")
			parts = append(parts, d)
		case len(a.Value) > 0:
			parts = append(parts, string(a.Value))
		default:
			parts = append(parts, string(a.Type))
		}
	}
	return strings.Join(parts, " ")
}

// stackPlace returns " (url:line)" for the top frame of the stack, or "".
func stackPlace(st *runtime.StackTrace) string {
	if st == nil || len(st.CallFrames) == 0 {
		return ""
	}
	f := st.CallFrames[0]
	return fmt.Sprintf(" (%s:%d)", f.URL, f.LineNumber+1)
}

// Run runs the actions in the tab, in order, within tab.Timeout, and fails
// the test (Fatal) with the actions' error if one fails. Use it for what the
// other methods do not cover, for example
// tab.Run(t, chromedp.SendKeys(chromedp.CSS("#q"), "ค้นหา")).
func (tab *Tab) Run(t testing.TB, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := tab.do(actions...); err != nil {
		t.Fatalf("browsertest: %s tab at %s: %v", tab.size.Name, tab.where(), err)
	}
}

// do runs the actions within tab.Timeout.
func (tab *Tab) do(actions ...chromedp.Action[chromedp.Void]) error {
	_, err := run(tab, chromedp.Steps(actions...))
	return err
}

// run runs one action with a value within tab.Timeout.
func run[T any](tab *Tab, a chromedp.Action[T]) (T, error) {
	timeout := tab.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(tab.ctx, timeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil && errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("%w (timeout %s)", err, timeout)
	}
	return v, err
}

// where returns the tab's current URL for error messages, without failing.
func (tab *Tab) where() string {
	ctx, cancel := context.WithTimeout(tab.ctx, 2*time.Second)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "(unknown URL)"
	}
	return loc
}

// Open navigates the tab to the base URL followed by path (for example
// "/directives?page=2"), waits for the page to load, for its body to be
// ready and for the page to settle as after Click (requests that the page
// made on load, such as htmx's hx-trigger="load", have finished), and fails
// the test (Fatal) if that does not happen within tab.Timeout. An HTTP error status does not fail it (Chromium still shows a
// page); check the page's content.
func (tab *Tab) Open(t testing.TB, path string) {
	t.Helper()
	u := tab.b.baseURL + path
	if !strings.HasPrefix(path, "/") {
		u = tab.b.baseURL + "/" + path
	}
	if err := tab.do(chromedp.Navigate(u), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
		t.Fatalf("browsertest: %s tab: opening %s: %v", tab.size.Name, u, err)
	}
	if err := tab.settle(); err != nil {
		t.Fatalf("browsertest: %s tab: after opening %s: %v", tab.size.Name, u, err)
	}
}

// settleJS is true when the document has loaded and htmx has no request,
// swap or settle under way.
const settleJS = `document.readyState === "complete" && !document.querySelector(".htmx-request, .htmx-swapping, .htmx-settling")`

// Click clicks the first element that matches the CSS selector (waiting,
// within tab.Timeout, for it to exist and be visible), adds one to
// tab.Clicks, and then waits for the page to settle: for a navigation or
// htmx request the click started to finish, for the document to be complete
// and for no request of the page (other than event streams and web sockets)
// to be in flight. It fails the test (Fatal) if any of that fails or times
// out.
func (tab *Tab) Click(t testing.TB, selector string) {
	t.Helper()
	if err := tab.do(chromedp.Click(chromedp.CSS(selector))); err != nil {
		t.Fatalf("browsertest: %s tab at %s: clicking %q: %v", tab.size.Name, tab.where(), selector, err)
	}
	tab.Clicks++
	if err := tab.settle(); err != nil {
		t.Fatalf("browsertest: %s tab: after clicking %q: %v", tab.size.Name, selector, err)
	}
}

// settle waits until the page is quiet on two checks in a row, 50 ms apart,
// starting 50 ms from now so that what a click started has begun.
func (tab *Tab) settle() error {
	timeout := tab.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	deadline := time.Now().Add(timeout)
	quiet := 0
	var last string
	for {
		time.Sleep(50 * time.Millisecond)
		last = tab.busy()
		if last == "" {
			ctx, cancel := context.WithTimeout(tab.ctx, 2*time.Second)
			ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](settleJS))
			cancel()
			switch {
			case err != nil:
				// For example the document went away under a navigation.
				last = "evaluating readiness: " + err.Error()
			case !ok:
				last = "document not complete or htmx busy"
			}
		}
		if last == "" {
			quiet++
			if quiet == 2 {
				return nil
			}
		} else {
			quiet = 0
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("page did not settle within %s: %s", timeout, last)
		}
	}
}

// busy describes what the tab is still loading, or returns "".
func (tab *Tab) busy() string {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	if len(tab.loading) > 0 {
		return "a frame is loading"
	}
	if len(tab.pending) > 0 {
		var urls []string
		for _, r := range tab.pending {
			urls = append(urls, r.url)
		}
		return "requests in flight: " + strings.Join(urls, ", ")
	}
	return ""
}

// Shot saves a PNG screenshot of the whole page (not just the viewport) as
// <dir>/<test name>/<size name>-<NN>-<name>.png, where NN counts the tab's
// shots from 01, the test name is t.Name() with every character other than
// letters, digits, '.', '-' and '_' made '_', and dir is $TIDTAM_SCREENSHOTS
// or else <repo root>/screenshots (the repo root is the nearest directory
// above the working directory that holds go.mod). The first shot of a test in
// a process removes the PNG files left in its directory by earlier runs. It
// logs the file's path, and fails the test (Fatal) if the shot or the write
// fails.
func (tab *Tab) Shot(t testing.TB, name string) {
	t.Helper()
	dir, err := screenshotDir()
	if err != nil {
		t.Fatalf("browsertest: screenshot %q: %v", name, err)
	}
	dir = filepath.Join(dir, sanitize(t.Name()))
	if err := prepareDir(dir); err != nil {
		t.Fatalf("browsertest: screenshot %q: %v", name, err)
	}
	tab.shots++
	base := fmt.Sprintf("%s-%02d-%s", sanitize(tab.size.Name), tab.shots, sanitize(name))
	path := tab.b.claim(filepath.Join(dir, base))

	png, err := run(tab, fullPagePNG)
	if err != nil {
		t.Fatalf("browsertest: %s tab at %s: screenshot %q: %v", tab.size.Name, tab.where(), name, err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatalf("browsertest: screenshot %q: %v", name, err)
	}
	t.Logf("browsertest: screenshot %s", path)
}

// PDF prints the page as the browser's "Save as PDF" does, on A4 with the
// page's own CSS page size and margins (@page), saves it next to the
// screenshots as <size name>-<NN>-<name>.pdf (NN counting with Shot),
// logs its path and returns the PDF's bytes. It fails the test (Fatal) if
// printing or the write fails.
func (tab *Tab) PDF(t testing.TB, name string) []byte {
	t.Helper()
	dir, err := screenshotDir()
	if err != nil {
		t.Fatalf("browsertest: pdf %q: %v", name, err)
	}
	dir = filepath.Join(dir, sanitize(t.Name()))
	if err := prepareDir(dir); err != nil {
		t.Fatalf("browsertest: pdf %q: %v", name, err)
	}
	tab.shots++
	path := filepath.Join(dir, fmt.Sprintf("%s-%02d-%s.pdf", sanitize(tab.size.Name), tab.shots, sanitize(name)))
	pdf, err := run(tab, func(ctx context.Context, target *chromedp.Target) ([]byte, error) {
		r, err := cdp.Call(ctx, target, page.PrintToPDF, page.PrintToPDFParams{PaperWidth: 8.27, PaperHeight: 11.69,
			PreferCSSPageSize: ptr(true), PrintBackground: ptr(false)})
		if err != nil {
			return nil, err
		}
		return r.Data, nil
	})
	if err != nil {
		t.Fatalf("browsertest: %s tab at %s: pdf %q: %v", tab.size.Name, tab.where(), name, err)
	}
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatalf("browsertest: pdf %q: %v", name, err)
	}
	t.Logf("browsertest: pdf %s", path)
	return pdf
}

// fullPagePNG captures the whole scrollable page as a PNG.
func fullPagePNG(ctx context.Context, target *chromedp.Target) ([]byte, error) {
	m, err := cdp.Call(ctx, target, page.GetLayoutMetrics, cdp.Empty{})
	if err != nil {
		return nil, err
	}
	params := page.CaptureScreenshotParams{
		Format:                page.CaptureScreenshotFormatPng,
		FromSurface:           ptr(true),
		CaptureBeyondViewport: ptr(true),
	}
	if cs := m.CSSContentSize; cs != nil && cs.Width > 0 && cs.Height > 0 {
		params.Clip = &page.Viewport{X: 0, Y: 0, Width: cs.Width, Height: cs.Height, Scale: 1}
	}
	r, err := cdp.Call(ctx, target, page.CaptureScreenshot, params)
	if err != nil {
		return nil, err
	}
	return r.Data, nil
}

func ptr[T any](v T) *T { return &v }

// claim returns path+".png", or path+"-2.png" and so on when another tab of
// the browser already wrote that file (two tabs of one size in one test).
func (b *Browser) claim(path string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	p := path + ".png"
	for i := 2; b.written[p]; i++ {
		p = fmt.Sprintf("%s-%d.png", path, i)
	}
	b.written[p] = true
	return p
}

var (
	preparedMu sync.Mutex
	prepared   = map[string]bool{} // screenshot directories cleaned in this process
)

// prepareDir creates dir and, the first time in this process, removes the
// PNG files in it.
func prepareDir(dir string) error {
	preparedMu.Lock()
	defer preparedMu.Unlock()
	if prepared[dir] {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	old, err := filepath.Glob(filepath.Join(dir, "*.png"))
	if err != nil {
		return err
	}
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			return err
		}
	}
	prepared[dir] = true
	return nil
}

// screenshotDir returns $TIDTAM_SCREENSHOTS or <repo root>/screenshots.
func screenshotDir() (string, error) {
	if d := os.Getenv(EnvScreenshots); d != "" {
		return d, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; ; {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "screenshots"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above %s: set %s", wd, EnvScreenshots)
		}
		dir = parent
	}
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// sanitize makes s safe as (part of) a file name.
func sanitize(s string) string {
	s = unsafeChars.ReplaceAllString(s, "_")
	if s == "" || s == "." || s == ".." {
		return "_"
	}
	return s
}

// Text returns the visible text (innerText) of the first element that
// matches the CSS selector, waiting within tab.Timeout for one to exist; it
// fails the test (Fatal) if none appears. An element that a live region's
// swap replaced between finding it and reading it is looked up again.
func (tab *Tab) Text(t testing.TB, selector string) string {
	t.Helper()
	s, err := run(tab, chromedp.Text(chromedp.CSS(selector)))
	for try := 0; err != nil && strings.Contains(err.Error(), "No node with given id found") && try < 20; try++ {
		time.Sleep(50 * time.Millisecond)
		s, err = run(tab, chromedp.Text(chromedp.CSS(selector)))
	}
	if err != nil {
		t.Fatalf("browsertest: %s tab at %s: text of %q: %v", tab.size.Name, tab.where(), selector, err)
	}
	return s
}

// Texts returns the visible text (innerText, trimmed) of every element
// that matches the CSS selector right now, in document order, without
// waiting (none: an empty slice). It fails the test (Fatal) if the
// selector is invalid or the browser does not answer.
func (tab *Tab) Texts(t testing.TB, selector string) []string {
	t.Helper()
	expr := "Array.from(document.querySelectorAll(" + quoteJS(selector) + ")).map(e => e.innerText.trim())"
	out, err := run(tab, chromedp.Evaluate[[]string](expr))
	if err != nil {
		t.Fatalf("browsertest: %s tab at %s: texts of %q: %v", tab.size.Name, tab.where(), selector, err)
	}
	return out
}

// Value returns the value of the first form field that matches the CSS
// selector, waiting within tab.Timeout for one to exist; it fails the test
// (Fatal) if none appears.
func (tab *Tab) Value(t testing.TB, selector string) string {
	t.Helper()
	s, err := run(tab, chromedp.Value(chromedp.CSS(selector)))
	if err != nil {
		t.Fatalf("browsertest: %s tab at %s: value of %q: %v", tab.size.Name, tab.where(), selector, err)
	}
	return s
}

// Exists reports whether an element matches the CSS selector right now,
// without waiting. It fails the test (Fatal) if the selector is invalid or
// the browser does not answer.
func (tab *Tab) Exists(t testing.TB, selector string) bool {
	t.Helper()
	expr := "document.querySelector(" + quoteJS(selector) + ") !== null"
	ok, err := run(tab, chromedp.Evaluate[bool](expr))
	if err != nil {
		t.Fatalf("browsertest: %s tab at %s: looking for %q: %v", tab.size.Name, tab.where(), selector, err)
	}
	return ok
}

// Location returns the path and query of the tab's current URL, for example
// "/directives?page=2" ("/" for the root). It fails the test (Fatal) if the
// browser does not answer.
func (tab *Tab) Location(t testing.TB) string {
	t.Helper()
	loc, err := run(tab, chromedp.Location())
	if err != nil {
		t.Fatalf("browsertest: %s tab: location: %v", tab.size.Name, err)
	}
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatalf("browsertest: %s tab: location %q: %v", tab.size.Name, loc, err)
	}
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	return p
}

// ConsoleErrors returns, in order, what the tab's pages reported as errors so
// far: console.error and failed console.assert calls, uncaught exceptions and
// unhandled promise rejections, and the browser log's errors (for example a
// resource that failed to load or answered 404). Each is one line of text
// with its source place when known.
func (tab *Tab) ConsoleErrors() []string {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	return append([]string(nil), tab.console...)
}

// Requests returns the URL of every request the tab's pages made so far, in
// the order they were sent, the documents included; a redirect shows both
// URLs.
func (tab *Tab) Requests() []string {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	return append([]string(nil), tab.requests...)
}

// Expect declares console errors the test causes on purpose (a form the
// server refuses with 422 is logged by Chromium as a failed resource): a
// recorded error containing any of substrings is not reported by
// AssertClean. ConsoleErrors still returns it.
func (tab *Tab) Expect(substrings ...string) {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	tab.expected = append(tab.expected, substrings...)
}

func (tab *Tab) isExpected(e string) bool {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	for _, s := range tab.expected {
		if strings.Contains(e, s) {
			return true
		}
	}
	return false
}

// AssertClean waits for the page to settle (as Click does), then reports
// (t.Error, the test goes on) every console error and exception recorded so
// far (see ConsoleErrors) and every request (see Requests) to another origin
// than the base URL's; data:, blob: and about: URLs are allowed. A page that
// passes loads nothing from a CDN or any other outside host, and none of its
// requests failed or answered with an HTTP error: note that Chromium asks for
// /favicon.ico unless the page links an icon, and a 404 there is an error.
// Errors declared with Expect are let pass.
func (tab *Tab) AssertClean(t testing.TB) {
	t.Helper()
	if err := tab.settle(); err != nil {
		t.Errorf("browsertest: %s tab: %v", tab.size.Name, err)
	}
	for _, e := range tab.ConsoleErrors() {
		if tab.isExpected(e) {
			continue
		}
		t.Errorf("browsertest: %s tab: console error: %s", tab.size.Name, e)
	}
	for _, r := range tab.Requests() {
		if !tab.b.sameOrigin(r) {
			t.Errorf("browsertest: %s tab: request to another origin than %s: %s", tab.size.Name, tab.b.origin, r)
		}
	}
}

// sameOrigin reports whether the URL is of the base URL's origin, or a data:,
// blob: or about: URL.
func (b *Browser) sameOrigin(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "data", "blob", "about":
		return true
	}
	return strings.EqualFold(u.Scheme+"://"+u.Host, b.origin)
}

// quoteJS returns s as a JavaScript string literal.
func quoteJS(s string) string {
	b, _ := json.Marshal(s) // a JSON string is a JavaScript string literal
	return string(b)
}

// unquoteJSON decodes a JSON string.
func unquoteJSON(s string) (string, error) {
	var v string
	err := json.Unmarshal([]byte(s), &v)
	return v, err
}
