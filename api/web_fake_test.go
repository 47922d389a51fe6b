package api_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/tidtam/tidtam/api"
	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/engine"
)

// TestWebPagesWhenServicesFail renders pages over a failing directive
// service: an unreachable workflow engine or database is a calm 503 page
// in the reader's language with a way to try again, never the error's
// internals; a domain error about a field is shown next to that field.
func TestWebPagesWhenServicesFail(t *testing.T) {
	fake := &fakeDirectives{}
	app, token := fakeApp(t, func(d *api.Deps) { d.Directives = fake })
	s := &browserSession{h: &harness{t: t, app: app}, cookies: map[string]string{"tidtam_session": token}}

	for _, err := range []error{engine.ErrUnavailable(), errors.New("dial tcp 10.0.0.5:5432: connect: connection refused")} {
		fake.err = err
		status, _, body := s.send("GET", "/assignments", nil)
		if status != 503 || !strings.Contains(body, "ระบบไม่พร้อมใช้งานชั่วคราว") || !strings.Contains(body, "ลองอีกครั้ง") ||
			strings.Contains(body, "10.0.0.5") || strings.Contains(body, "dial tcp") || strings.Contains(body, "goroutine") {
			t.Errorf("%v: %d %.400s", err, status, body)
		}
		if !strings.Contains(body, `lang="th"`) {
			t.Error("the error page is not marked as Thai")
		}
	}
	status, _, body := s.send("GET", "/assignments?lang=en", nil)
	if status != 503 || !strings.Contains(body, "briefly unavailable") || !strings.Contains(body, `lang="en"`) {
		t.Errorf("in English: %d %.400s", status, body)
	}

	fake.err = apperr.Field("status", "สถานะต้องเป็น assigned, acknowledged, closed หรือ withdrawn (unknown status \"x\")")
	status, _, body = s.send("GET", "/assignments?status=x&lang=th", nil)
	if status != 422 || !strings.Contains(body, `<p class="error">สถานะต้องเป็น`) || strings.Contains(body, "unknown status") {
		t.Errorf("field error: %d %.600s", status, body)
	}
}
