// Command workqueue runs the workqueue service.
package main

import (
	"context"

	"github.com/backdesk/backdesk/services/internal/serve"
	"github.com/backdesk/backdesk/services/workqueue"
)

func main() {
	serve.Main("workqueue", func(_ context.Context, p *serve.Process) error {
		workqueue.New().Mount(p.API)
		return nil
	})
}
