package temporalui

import (
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
)

// TestServesUI starts the UI against a (not running) frontend address and
// checks the page and its embedded assets are served: the UI must work
// without any download.
func TestServesUI(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	s, err := Start(addr, "127.0.0.1:1", "tidtam", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	res, err := http.Get(s.URL() + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || !strings.Contains(strings.ToLower(string(body)), "<html") {
		t.Fatalf("UI page: %d %.200s", res.StatusCode, body)
	}
	if _, err := Start(addr, "127.0.0.1:1", "tidtam", slog.New(slog.DiscardHandler)); err == nil {
		t.Fatal("second UI on the same port should fail")
	}
}
