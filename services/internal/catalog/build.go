package catalog

import (
	"context"
	"errors"
	"github.com/backdesk/backdesk/pkg/clearinghouse"
	"os"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/config"
	"github.com/backdesk/backdesk/pkg/platform/queue"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/services/access"
	"github.com/backdesk/backdesk/services/audit"
	"github.com/backdesk/backdesk/services/console"
	"github.com/backdesk/backdesk/services/internal/domains"
	"github.com/backdesk/backdesk/services/internal/serve"
	"github.com/backdesk/backdesk/services/onboarding"
	"github.com/backdesk/backdesk/services/router"
	"github.com/backdesk/backdesk/services/workqueue"
)

// defaultIntegrateEvery is how often the router integrates audit events.
const defaultIntegrateEvery = 2 * time.Second

// buildRouter signs and integrates the audit log, runs the outbox relay,
// the task workers, the scheduler and the reconciler, and serves the
// operators' queue monitor.
func buildRouter(_ context.Context, p *serve.Process, d *domains.Domains, o Options) error {
	if d.Relay == nil {
		return errors.New("built without the outbox relay")
	}
	every := o.IntegrateEvery
	if every == 0 {
		every = defaultIntegrateEvery
	}
	if err := p.IntegrateAudit(every); err != nil {
		return err
	}
	p.Go(func(ctx context.Context) { p.Audit.VerifyEvery(ctx, p.AuditVerifier, p.Config.AuditVerifyEvery, p.Log) })
	p.Go(d.Relay.Run)
	if p.DB.Dialect == sqldb.Postgres {
		// Commits in other services wake the relay at once.
		p.Go(func(ctx context.Context) { d.Relay.Listen(ctx, p.Config.DatabaseURL, p.Log) })
	}
	weights, err := router.Weights(p.Config.QueueWeights)
	if err != nil {
		return err
	}
	if err := d.MessagesReady(); err != nil {
		return err
	}
	r, err := router.New(router.Deps{Practices: d.Practices, Imports: d.Imports, Routing: d.Routing, Clearinghouse: d.Clearinghouse,
		Messages: d.Messages, Registry: p.Telemetry.Registry, Notify: d.Relay.Notify, Log: p.Log, Guard: p.Guard, RedisOpt: p.RedisOpt})
	if err != nil {
		return err
	}
	p.Telemetry.Registry.MustRegister(router.QueueDepth(p.RedisOpt))
	p.Go(func(ctx context.Context) { r.RunScheduler(ctx, p.RedisOpt) })
	// Answers are collected from every SFTP connection's inbound folder.
	p.Go(func(ctx context.Context) { d.Clearinghouse.RunPollers(ctx, clearinghouse.PollEvery) })
	p.Work(queue.ServerConfig{Weights: weights}, r.Handler())
	switch {
	case o.ReconcileEvery == 0:
		p.Go(func(ctx context.Context) { r.Reconcile(ctx, router.ReconcileEvery) })
	case o.ReconcileEvery > 0:
		p.Go(func(ctx context.Context) { r.Reconcile(ctx, o.ReconcileEvery) })
	}
	r.Mount(o.api(p))
	return nil
}

// buildOnboarding serves practices, their settings, imports and patients,
// and the grant and access-request routes under a practice's path, which
// the ingress sends here with the rest of /api/v1/practices.
func buildOnboarding(_ context.Context, p *serve.Process, d *domains.Domains, o Options) error {
	a, err := onboarding.New(onboarding.Deps{Practices: d.Practices, Identity: p.Identity, Imports: d.Imports,
		Guard: p.Guard, Facts: p.Facts, Recorder: p.Recorder, Patients: d.Records.FullRecord, Checklist: p.DB, Shared: p.DB,
		Clearinghouse: d.Clearinghouse})
	if err != nil {
		return err
	}
	g, err := access.NewGrants(access.GrantDeps{Grants: d.Grants, Guard: p.Guard})
	if err != nil {
		return err
	}
	a.Mount(o.api(p))
	g.MountPractice(o.api(p))
	return nil
}

// buildAccess serves sign-in and sign-out, the caller's identity, grants,
// access requests and break-glass.
func buildAccess(_ context.Context, p *serve.Process, d *domains.Domains, o Options) error {
	deps, err := access.DepsOf(p)
	if err != nil {
		return err
	}
	a, err := access.New(deps)
	if err != nil {
		return err
	}
	g, err := access.NewGrants(access.GrantDeps{Grants: d.Grants, Guard: p.Guard})
	if err != nil {
		return err
	}
	a.Mount(p.Engine, o.api(p))
	g.Mount(o.api(p))
	return nil
}

// buildWorkqueue serves the agents' queues and items, agents and teams,
// and the managers' and practices' reports.
func buildWorkqueue(_ context.Context, p *serve.Process, d *domains.Domains, o Options) error {
	if err := d.MessagesReady(); err != nil {
		return err
	}
	deps := workqueue.Deps{Desk: d.Desk, Payers: d.Payers, Roster: d.Roster, Routing: d.Routing, Practices: d.Practices,
		Guard: p.Guard, Facts: p.Facts, Recorder: p.Recorder, Patients: d.Records.FullRecord, Reports: d.Reports,
		Messages: d.Messages, MessageAdmin: d.MessageAdmin, Log: p.Log, PublicURL: p.Config.PublicURL, DevOutbox: domains.DevOutbox(p.Config.Messages)}
	if d.Twilio != nil {
		deps.TextWebhooks = d.Twilio
	}
	deps.Billing, deps.Statements = d.Billing, d.Statements
	if d.Stripe != nil {
		deps.PaymentWebhooks = d.Stripe
	}
	a, err := workqueue.New(deps)
	if err != nil {
		return err
	}
	// Providers' callbacks and patients' unsubscribe links carry no
	// session: each checks its own signature or token.
	a.MountPublic(p.Engine)
	// An agent's requests read several things each; they share one read
	// transaction per request (docs/development.md, "Round trips").
	a.Mount(o.api(p).Group("", serve.ShareReads(p.DB)))
	return nil
}

// buildAudit serves compliance's read side of the audit trail. Where the
// process does not sign checkpoints itself (the audit service), it must
// hold only the public key.
func buildAudit(_ context.Context, p *serve.Process, d *domains.Domains, o Options) error {
	verifier := p.AuditVerifier
	if p.AuditSigner == nil {
		v, err := p.VerifyOnly()
		if err != nil {
			return err
		}
		verifier = v
	}
	a, err := audit.New(audit.Deps{Store: p.Audit, Recorder: p.Recorder, Verifier: verifier, Guard: p.Guard,
		RetentionDays: p.Config.AuditRetentionDays, Hours: audit.AgentHours(d.Roster), Grants: d.Grants, People: p.Identity})
	if err != nil {
		return err
	}
	a.Mount(o.api(p))
	return nil
}

// buildConsole serves the web console's pages, which call the API as the
// person signed in: over HTTP at BACKDESK_API_URL, or through o.ConsoleAPI.
func buildConsole(_ context.Context, p *serve.Process, _ *domains.Domains, o Options) error {
	apiHandler := o.ConsoleAPI
	if apiHandler == nil {
		r := config.NewReader(os.Getenv)
		apiURL := r.URL("BACKDESK_API_URL", p.Config.PublicURL, "http", "https")
		r.Check(config.Check{Bad: apiURL == "", Var: "BACKDESK_API_URL", Message: "is required (or BACKDESK_PUBLIC_URL): where the console calls the API"})
		// BACKDESK_API_ROUTES sends calls straight to the services inside
		// the cluster, by path prefix, as the ingress would.
		routes := r.String("BACKDESK_API_ROUTES", "")
		if err := r.Err(); err != nil {
			return err
		}
		up, err := console.Upstream(apiURL, routes, p.Log)
		if err != nil {
			v := "BACKDESK_API_URL"
			if routes != "" {
				v = "BACKDESK_API_URL or BACKDESK_API_ROUTES"
			}
			return &config.VarError{Var: v, Message: err.Error()}
		}
		apiHandler = up
	}
	con, err := console.New(console.Deps{API: apiHandler, Guard: p.Guard, IdleTimeout: p.Config.SessionIdle,
		SecureCookies: p.Config.SecureCookies(), PublicURL: p.Config.PublicURL, IssuerURL: p.Config.OIDCIssuer, Log: p.Log})
	if err != nil {
		return err
	}
	con.Mount(o.api(p))
	return nil
}
