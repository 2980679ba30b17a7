// Command audit runs the audit service: the compliance read side of the
// audit trail.
package main

import (
	"context"

	"github.com/backdesk/backdesk/pkg/roster"
	"github.com/backdesk/backdesk/pkg/roster/rosterstore"
	"github.com/backdesk/backdesk/services/audit"
	"github.com/backdesk/backdesk/services/internal/serve"
)

func main() { serve.Main("audit", wire) }

// wire mounts the compliance API. The service checks checkpoints with the
// public key only: it faces every compliance user and practice admin, so
// it never holds the key that could sign a rewritten log.
func wire(_ context.Context, p *serve.Process) error {
	verifier, err := p.VerifyOnly()
	if err != nil {
		return err
	}
	audit.New(p.Audit, p.Recorder, verifier).WithRetention(p.Config.AuditRetentionDays).
		WithHours(audit.AgentHours(roster.NewService(rosterstore.New(p.DB, p.Audit)))).WithGrants(p.Grants).WithPeople(p.Identity).Guarded(p.Guard).Mount(p.API)
	return nil
}
