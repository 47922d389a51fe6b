// Package temporalui serves the Temporal Web UI (from its Go module, with
// its assets embedded: nothing is downloaded) next to the embedded Temporal
// server, so operators can inspect workflows from a browser.
package temporalui

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"time"

	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	uiopts "github.com/temporalio/ui-server/v2/server/server_options"
)

// Server is a running Web UI.
type Server struct {
	ui  *uiserver.Server
	url string
}

// Start serves the UI on addr (host:port) for the Temporal frontend at
// temporalAddr, opening namespace by default. It returns once the port
// accepts connections, or an error naming the address.
func Start(addr, temporalAddr, namespace string, log *slog.Logger) (*Server, error) {
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("temporal UI address %q: %w", addr, err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return nil, fmt.Errorf("temporal UI port %q: %w", portStr, err)
	}
	if l, err := net.Listen("tcp", addr); err != nil {
		return nil, fmt.Errorf("cannot serve the Temporal UI on %s: %w", addr, err)
	} else {
		_ = l.Close()
	}
	ui := uiserver.NewServer(uiopts.WithConfigProvider(&uiconfig.Config{
		Host:                host,
		Port:                port,
		TemporalGRPCAddress: temporalAddr,
		EnableUI:            true,
		DefaultNamespace:    namespace,
		CORS:                uiconfig.CORS{CookieInsecure: true},
		HideLogs:            true,
		DisableNewsFetch:    true, // the machine has no internet access
	}))
	go func() {
		if err := ui.Start(); err != nil {
			log.Error("Temporal UI stopped", "error", err)
		}
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			_ = c.Close()
			break
		}
		if time.Now().After(deadline) {
			ui.Stop()
			return nil, errors.New("Temporal UI did not start on " + addr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return &Server{ui: ui, url: "http://" + addr}, nil
}

// URL is where a browser opens the UI.
func (s *Server) URL() string { return s.url }

// Stop shuts the UI down.
func (s *Server) Stop() { s.ui.Stop() }
