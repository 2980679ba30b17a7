// Command onboarding serves the onboarding service: practices and imports.
package main

import (
	"context"
	_ "time/tzdata" // practice time zones must resolve in a minimal image

	"github.com/backdesk/backdesk/services/access"
	"github.com/backdesk/backdesk/services/internal/domains"
	"github.com/backdesk/backdesk/services/internal/serve"
	"github.com/backdesk/backdesk/services/onboarding"
)

func main() {
	serve.Main("onboarding", func(_ context.Context, p *serve.Process) error {
		// The router's relay picks outbox rows up on its next sweep.
		d := domains.New(p, nil)
		onboarding.New(d.Practices, p.Identity, d.Imports).
			Guarded(p.Guard).
			WithFacts(p.Facts).
			WithPatients(p.Recorder, d.Records.FullRecord).
			WithChecklist(p.DB).
			Mount(p.API)
		// Grants and access requests live under /api/v1/practices/{id},
		// which the ingress sends here.
		access.New(access.Deps{Grants: p.Grants, Guard: p.Guard}).MountPracticeRoutes(p.API)
		return nil
	})
}
