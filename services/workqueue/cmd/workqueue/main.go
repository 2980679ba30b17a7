// Command workqueue runs the workqueue service.
package main

import (
	"context"

	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/pkg/practice/practicestore"
	"github.com/backdesk/backdesk/pkg/records/recordstore"
	"github.com/backdesk/backdesk/pkg/roster"
	"github.com/backdesk/backdesk/pkg/routing/routingstore"
	"github.com/backdesk/backdesk/services/internal/serve"
	"github.com/backdesk/backdesk/services/workqueue"
)

func main() {
	serve.Main("workqueue", func(_ context.Context, p *serve.Process) error {
		workqueue.New(workqueue.Deps{
			Roster: roster.New(p.DB), Routing: routingstore.New(p.DB, routingstore.Config{OfflineAfter: p.Config.AgentOfflineAfter}),
			Guard: p.Guard, Facts: p.Facts, DB: p.DB, Recorder: p.Recorder, Patients: recordstore.FullReader(p.DB),
			Practices: practice.NewService(practicestore.New(p.DB), nil, nil),
		}).Mount(p.API)
		return nil
	})
}
