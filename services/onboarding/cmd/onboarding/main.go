// Command onboarding serves the onboarding service: practices, their
// settings and imports, and the grants under a practice's path.
package main

import (
	_ "time/tzdata" // practice time zones must resolve in a minimal image

	"github.com/backdesk/backdesk/services/internal/catalog"
)

func main() { catalog.Main("onboarding") }
