// Command backdesk-dev runs the whole Backdesk platform in one process with
// embedded stores; `make run` starts it on http://127.0.0.1:8080.
package main

import (
	"fmt"
	"os"
	_ "time/tzdata"

	"github.com/backdesk/backdesk/services/devstack"
	"github.com/backdesk/backdesk/services/internal/serve"
)

func main() {
	ctx, stop := serve.SignalContext()
	defer stop()
	cfg, err := devstack.ReadConfig(os.Getenv)
	if err != nil {
		serve.Fatal("backdesk-dev", err)
	}
	if err := devstack.Run(ctx, cfg, os.Stdout, nil); err != nil {
		serve.Fatal("backdesk-dev", err)
	}
	fmt.Fprintln(os.Stderr, "Backdesk stopped cleanly. Goodbye.")
}
