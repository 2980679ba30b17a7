// Command router runs the router service: the outbox relay and the asynq
// workers.
package main

import (
	"context"
	"time"
	_ "time/tzdata"

	"github.com/backdesk/backdesk/pkg/imports"
	"github.com/backdesk/backdesk/pkg/imports/importstore"
	"github.com/backdesk/backdesk/pkg/platform/outbox"
	"github.com/backdesk/backdesk/pkg/platform/queue"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/pkg/practice/practicestore"
	"github.com/backdesk/backdesk/pkg/routing/routingstore"
	"github.com/backdesk/backdesk/services/internal/serve"
	"github.com/backdesk/backdesk/services/router"
	"github.com/hibiken/asynq"
)

func main() {
	serve.Main("router", func(_ context.Context, p *serve.Process) error {
		if err := p.IntegrateAudit(2 * time.Second); err != nil {
			return err
		}
		p.Go(func(ctx context.Context) { p.Audit.VerifyEvery(ctx, p.AuditVerifier, p.Config.AuditVerifyEvery, p.Log) })
		client := asynq.NewClient(p.RedisOpt)
		p.OnClose(client.Close)
		relay := outbox.NewRelay(p.DB, client, outbox.RelayConfig{Logger: p.Log})
		p.Go(relay.Run)
		if p.DB.Dialect == sqldb.Postgres {
			// Commits in other services wake the relay at once.
			p.Go(func(ctx context.Context) { relay.Listen(ctx, p.Config.DatabaseURL, p.Log) })
		}

		practices := practice.NewService(practicestore.New(p.DB), nil, relay.Notify)
		imp := imports.NewService(p.DB, importstore.New(p.DB), practices, importstore.RedisProgress{R: p.Redis}, p.Log, nil, relay.Notify)
		r := router.New(practices, imp, p.Log).
			WithRouting(routingstore.New(p.DB, routingstore.Config{OfflineAfter: p.Config.AgentOfflineAfter}), p.Telemetry.Registry, relay.Notify).
			WithOps(p.Guard, p.RedisOpt)
		p.Telemetry.Registry.MustRegister(router.QueueDepth(p.RedisOpt))
		p.Go(func(ctx context.Context) { r.RunScheduler(ctx, p.RedisOpt) })
		p.Work(queue.ServerConfig{}, r.Handler())
		p.Go(func(ctx context.Context) { r.Reconcile(ctx, router.ReconcileEvery) })
		r.Mount(p.API)
		return nil
	})
}
