// Command audit runs the audit service.
package main

import (
	"context"

	"github.com/backdesk/backdesk/services/audit"
	"github.com/backdesk/backdesk/services/internal/serve"
)

func main() {
	serve.Main("audit", func(_ context.Context, p *serve.Process) error {
		audit.New().Mount(p.API)
		return nil
	})
}
