// Package telemetry sets up logging and Prometheus metrics shared by every
// tidtam role. The Temporal SDK reports its own metrics (workflow task
// latency, activity failures, poller counts, …) into the same registry, so
// one /metrics endpoint shows both the app and the SDK.
package telemetry

import (
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/uber-go/tally/v4"
	tallyprom "github.com/uber-go/tally/v4/prometheus"
	"go.temporal.io/sdk/client"
	sdktally "go.temporal.io/sdk/contrib/tally"
)

// Metrics is a Prometheus registry exposed over HTTP with a tally scope on
// top for the Temporal SDK and the app's own counters.
type Metrics struct {
	// Scope records app metrics; names use underscores.
	Scope tally.Scope
	// Temporal is passed as client.Options.MetricsHandler.
	Temporal client.MetricsHandler
	// Handler serves the Prometheus text format.
	Handler http.Handler
	closer  io.Closer
}

// NewMetrics creates a fresh registry (not the global one, so tests can
// create several).
func NewMetrics() *Metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	reporter := tallyprom.NewReporter(tallyprom.Options{Registerer: reg})
	scope, closer := tally.NewRootScope(tally.ScopeOptions{
		Prefix:          "tidtam",
		CachedReporter:  reporter,
		Separator:       tallyprom.DefaultSeparator,
		SanitizeOptions: &sdktally.PrometheusSanitizeOptions,
	}, time.Second)
	return &Metrics{
		Scope:    scope,
		Temporal: sdktally.NewMetricsHandler(scope),
		// ContinueOnError: a collector that fails to gather (the SDK's and
		// the app's series can collide) drops its series rather than
		// turning the scrape into a 500 with the registry's internals.
		Handler: promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}),
		closer:  closer,
	}
}

// Close flushes and stops the reporting loop.
func (m *Metrics) Close() error { return m.closer.Close() }

// NewLogger returns a slog logger writing text or JSON to w at level.
func NewLogger(w io.Writer, format string, level slog.Level) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
