// Command audit runs the audit service: the compliance read side of the
// audit trail.
package main

import (
	"context"

	"github.com/backdesk/backdesk/pkg/access/accessstore"
	"github.com/backdesk/backdesk/pkg/platform/config"
	"github.com/backdesk/backdesk/pkg/roster"
	"github.com/backdesk/backdesk/services/audit"
	"github.com/backdesk/backdesk/services/internal/serve"
)

func main() {
	serve.Main("audit", func(_ context.Context, p *serve.Process) error {
		if p.AuditVerifier == nil {
			return &config.VarError{Var: "BACKDESK_AUDIT_SIGNING_KEY", Message: "is required by the audit service to check checkpoints"}
		}
		audit.New(p.Audit, p.Recorder, p.AuditVerifier).WithRetention(p.Config.AuditRetentionDays).
			WithHours(audit.AgentHours(roster.New(p.DB))).WithGrants(accessstore.New(p.DB)).WithPeople(p.Identity).Guarded(p.Guard).Mount(p.API)
		return nil
	})
}
