// Command tidtam runs the tidtam workflow engine. `tidtam` alone (or
// `tidtam serve`) starts everything in one process on the embedded default;
// `api`, `worker` and `migrate` are the production roles; `import` loads
// reference data from CSV. This package only wires dependencies.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/tidtam/tidtam/internal/config"
	"github.com/tidtam/tidtam/internal/telemetry"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

const usage = `tidtam — ระบบติดตามข้อสั่งการ (drug-control directive follow-up)

Usage:
  tidtam [serve] [--temporal-ui] all-in-one: embedded Temporal + worker + API (default);
                                 --temporal-ui also serves the Temporal Web UI
  tidtam api                     HTTP API only (production)
  tidtam worker                  Temporal worker only (production; scale out freely)
  tidtam migrate                 apply database migrations, seed provinces, create admin,
                                 register the Temporal namespace on an external server
  tidtam import units FILE       import organisation units (districts) from CSV
  tidtam import holidays FILE    import government holidays from CSV
  tidtam audit verify            check the audit trail's hash chain; exit status 1 naming
                                 the first broken row
  tidtam version                 print the version

Configuration comes from environment variables; see README.md.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "tidtam:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	case "version", "--version":
		fmt.Fprintln(stdout, "tidtam", version)
		return nil
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	log := telemetry.NewLogger(stderr, cfg.LogFormat, cfg.LogLevel)
	if cfg.PprofAddr != "" && (cmd == "serve" || cmd == "api" || cmd == "worker") {
		startPprof(ctx, cfg.PprofAddr, log)
	}
	switch cmd {
	case "serve":
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(stderr)
		ui := fs.Bool("temporal-ui", false, "also serve the Temporal Web UI (TIDTAM_TEMPORAL_UI_ADDR, default 127.0.0.1:8233)")
		if err := fs.Parse(args); err != nil {
			return err
		}
		if *ui && cfg.TemporalUIAddr == "" {
			cfg.TemporalUIAddr = "127.0.0.1:8233"
		}
		return serve(ctx, cfg, log, stdout)
	case "api":
		return runAPI(ctx, cfg, log)
	case "worker":
		return runWorker(ctx, cfg, log)
	case "migrate":
		return migrate(ctx, cfg, log, stdout)
	case "import":
		if len(args) != 2 {
			return errors.New("usage: tidtam import units|holidays FILE.csv")
		}
		return importCSV(ctx, cfg, args[0], args[1], stdout)
	case "audit":
		return auditCmd(ctx, cfg, args, stdout)
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}
