// Command workqueue runs the workqueue service: agents' queues and items,
// agents and teams, and the reports on the work.
package main

import (
	"github.com/backdesk/backdesk/services/internal/catalog"
)

func main() { catalog.Main("workqueue") }
