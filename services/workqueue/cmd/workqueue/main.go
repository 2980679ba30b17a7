// Command workqueue runs the workqueue service.
package main

import (
	"context"

	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/pkg/practice/practicestore"
	"github.com/backdesk/backdesk/pkg/records"
	"github.com/backdesk/backdesk/pkg/records/recordstore"
	"github.com/backdesk/backdesk/pkg/report"
	"github.com/backdesk/backdesk/pkg/report/reportstore"
	"github.com/backdesk/backdesk/pkg/roster"
	"github.com/backdesk/backdesk/pkg/roster/rosterstore"
	"github.com/backdesk/backdesk/pkg/routing/routingstore"
	"github.com/backdesk/backdesk/services/internal/serve"
	"github.com/backdesk/backdesk/services/workqueue"
)

func main() {
	serve.Main("workqueue", func(_ context.Context, p *serve.Process) error {
		workqueue.New(workqueue.Deps{
			Roster: roster.NewService(rosterstore.New(p.DB, p.Audit)), Routing: routingstore.New(p.DB, routingstore.Config{OfflineAfter: p.Config.AgentOfflineAfter}),
			Guard: p.Guard, Decider: p.Decider, DB: p.DB, Recorder: p.Recorder, Patients: records.NewService(recordstore.New(p.DB)).FullRecord,
			Practices: practice.NewService(practicestore.New(p.DB, p.Audit), nil, nil),
			Reports:   report.NewService(reportstore.New(p.DB)),
		}).Mount(p.API)
		return nil
	})
}
