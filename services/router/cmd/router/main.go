// Command router runs the router service: the outbox relay, the asynq
// workers, the scheduler and the reconciler, and the audit log's signing.
package main

import (
	_ "time/tzdata" // practice time zones must resolve in a minimal image

	"github.com/backdesk/backdesk/services/internal/catalog"
)

func main() { catalog.Main("router") }
