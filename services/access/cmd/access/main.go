// Command access runs the access service: sign-in, sessions, identity,
// grants, access requests and break-glass.
package main

import (
	"github.com/backdesk/backdesk/services/internal/catalog"
)

func main() { catalog.Main("access") }
