// Command onboarding serves the onboarding service: practices and imports.
package main

import (
	"context"
	_ "time/tzdata" // practice time zones must resolve in a minimal image

	"github.com/backdesk/backdesk/pkg/imports"
	"github.com/backdesk/backdesk/pkg/imports/importstore"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/pkg/practice/practicestore"
	"github.com/backdesk/backdesk/pkg/records/recordstore"
	"github.com/backdesk/backdesk/services/access"
	"github.com/backdesk/backdesk/services/internal/serve"
	"github.com/backdesk/backdesk/services/onboarding"
)

func main() {
	serve.Main("onboarding", func(_ context.Context, p *serve.Process) error {
		// The router's relay picks outbox rows up on its next sweep.
		practices := practice.NewService(practicestore.New(p.DB), nil, nil)
		imp := imports.NewService(p.DB, importstore.New(p.DB), practices, importstore.RedisProgress{R: p.Redis}, p.Log, nil, nil)
		onboarding.New(practices, p.Identity, imp).
			Guarded(p.Guard).
			WithFacts(p.Facts).
			WithPatients(p.Recorder, recordstore.FullReader(p.DB)).
			WithChecklist(p.DB).
			Mount(p.API)
		// Grants and access requests live under /api/v1/practices/{id},
		// which the ingress sends here.
		access.New(access.Deps{Grants: p.Grants, Guard: p.Guard}).MountPracticeRoutes(p.API)
		return nil
	})
}
