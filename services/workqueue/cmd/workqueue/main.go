// Command workqueue runs the workqueue service.
package main

import (
	"context"

	"github.com/backdesk/backdesk/services/internal/domains"
	"github.com/backdesk/backdesk/services/internal/serve"
	"github.com/backdesk/backdesk/services/workqueue"
)

func main() {
	serve.Main("workqueue", func(_ context.Context, p *serve.Process) error {
		d := domains.New(p, nil)
		workqueue.New(workqueue.Deps{Desk: d.Desk, Payers: d.Payers, Roster: d.Roster, Routing: d.Routing,
			Guard: p.Guard, Facts: p.Facts, DB: p.DB, Recorder: p.Recorder, Patients: d.Records.FullRecord,
			Practices: d.Practices, Reports: d.Reports,
		}).Mount(p.API)
		return nil
	})
}
