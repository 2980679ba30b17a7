// Command access runs the access service: login, sessions and identity.
package main

import (
	"context"

	"github.com/backdesk/backdesk/services/access"
	"github.com/backdesk/backdesk/services/internal/serve"
)

func main() {
	serve.Main("access", func(_ context.Context, p *serve.Process) error {
		api, err := access.ForProcess(p)
		if err != nil {
			return err
		}
		api.Mount(p.Engine, p.API)
		return nil
	})
}
