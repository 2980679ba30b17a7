// Command router runs the router service: the outbox relay and the asynq
// workers.
package main

import (
	"context"
	"time"
	_ "time/tzdata"

	"github.com/backdesk/backdesk/pkg/platform/queue"
	"github.com/backdesk/backdesk/pkg/platform/relay"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/services/internal/domains"
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
		rel := relay.New(p.DB, client, relay.Config{Logger: p.Log})
		p.Go(rel.Run)
		if p.DB.Dialect == sqldb.Postgres {
			// Commits in other services wake the relay at once.
			p.Go(func(ctx context.Context) { rel.Listen(ctx, p.Config.DatabaseURL, p.Log) })
		}

		d := domains.New(p, rel.Notify)
		r, err := router.New(router.Deps{Practices: d.Practices, Imports: d.Imports,
			Routing:  d.Routing,
			Registry: p.Telemetry.Registry, Notify: rel.Notify, Log: p.Log})
		if err != nil {
			return err
		}
		r.WithOps(p.Guard, p.RedisOpt)
		weights, err := router.Weights(p.Config.QueueWeights)
		if err != nil {
			return err
		}
		p.Telemetry.Registry.MustRegister(router.QueueDepth(p.RedisOpt))
		p.Go(func(ctx context.Context) { r.RunScheduler(ctx, p.RedisOpt) })
		p.Work(queue.ServerConfig{Weights: weights}, r.Handler())
		p.Go(func(ctx context.Context) { r.Reconcile(ctx, router.ReconcileEvery) })
		r.Mount(p.API)
		return nil
	})
}
