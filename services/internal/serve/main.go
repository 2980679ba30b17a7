package serve

import (
	"context"
	"fmt"
	"os"

	"github.com/backdesk/backdesk/pkg/platform/config"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
)

// Main is the whole main function of a single-service binary: it reads the
// shared configuration, opens the process, lets wire add the service's own
// parts, and serves until SIGINT or SIGTERM. Any start-up problem is printed
// naming the setting at fault, and the process exits with status 2.
func Main(name string, wire func(ctx context.Context, p *Process) error) {
	ctx, stop := SignalContext()
	defer stop()

	r := config.NewReader(os.Getenv)
	cfg := config.ReadBase(r, config.Defaults{})
	if err := r.Err(); err != nil {
		Fatal(name, err)
	}
	p, err := Open(ctx, name, cfg, os.Stdout)
	if err != nil {
		Fatal(name, err)
	}
	// A service never serves as a role that row-level security would not
	// hold back (the dev binary, which migrates itself, does not come
	// through here).
	if err := sqldb.CheckServingRole(ctx, p.DB); err != nil {
		p.Close()
		Fatal(name, fmt.Errorf("BACKDESK_DATABASE_URL: %w", err))
	}
	if err := wire(ctx, p); err != nil {
		p.Close()
		Fatal(name, err)
	}
	if err := p.Serve(ctx, nil); err != nil {
		Fatal(name, err)
	}
}
