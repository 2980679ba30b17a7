// Command backdeskctl is the operator's command line for Backdesk.
package main

import (
	"os"

	"github.com/backdesk/backdesk/services/ctl"
	"github.com/backdesk/backdesk/services/internal/serve"
)

func main() {
	ctx, stop := serve.SignalContext()
	code := ctl.Main(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
