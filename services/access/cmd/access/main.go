// Command access runs the access service.
package main

import (
	"context"

	"github.com/backdesk/backdesk/services/access"
	"github.com/backdesk/backdesk/services/internal/serve"
)

func main() {
	serve.Main("access", func(_ context.Context, p *serve.Process) error {
		access.New().Mount(p.API)
		return nil
	})
}
