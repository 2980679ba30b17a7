// Package router is the router service: the asynq workers that act on
// queued tasks (provisioning practices, running imports, generating work,
// routing follow-up work to agents and bringing it back at its next
// contact date), the reconciler and the scheduler, and the operators'
// queue monitor. The outbox relay that feeds the queues runs beside it.
package router

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/clearinghouse"
	"github.com/backdesk/backdesk/pkg/imports"
	"github.com/backdesk/backdesk/pkg/message"
	"github.com/backdesk/backdesk/pkg/platform/queue"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/pkg/routing"
	"github.com/backdesk/backdesk/services/internal/authz"
	"github.com/backdesk/backdesk/services/internal/serve"
	"github.com/gin-gonic/gin"
	"github.com/hibiken/asynq"
	"github.com/hibiken/asynqmon"
	"github.com/prometheus/client_golang/prometheus"
)

// Router holds the task handlers.
type Router struct {
	practices *practice.Service
	imports   *imports.Service
	log       *slog.Logger
	routing   *routing.Service
	// clearinghouse asks clearinghouses (TaskExchange).
	clearinghouse *clearinghouse.Service
	// messages delivers patients' texts and e-mails (TaskDeliver).
	messages *message.Service
	metrics  *metrics
	notify   func()
	ops      http.Handler
	guard    *authz.Guard
}

// Deps are what the router needs; New refuses to build without any of
// them but Notify.
type Deps struct {
	Practices *practice.Service
	Imports   *imports.Service
	Routing   *routing.Service
	// Clearinghouse asks clearinghouses on the scheduler's beat.
	Clearinghouse *clearinghouse.Service
	// Messages delivers patients' texts and e-mails from the messages
	// queue; without it they wait there.
	Messages *message.Service `dep:"optional"`
	// Registry takes the routing metrics.
	Registry prometheus.Registerer
	// Notify wakes the outbox relay after a task queued another; nil
	// leaves it to the relay's sweep.
	Notify func() `dep:"optional"`
	Log    *slog.Logger
	// Guard lets platform admins into the queue monitor, which reads the
	// queues through RedisOpt.
	Guard    *authz.Guard
	RedisOpt asynq.RedisConnOpt
}

// New returns a Router.
func New(d Deps) (*Router, error) {
	if err := serve.Need("router", d); err != nil {
		return nil, err
	}
	return &Router{practices: d.Practices, imports: d.Imports, routing: d.Routing, clearinghouse: d.Clearinghouse, messages: d.Messages, log: d.Log,
		metrics: newMetrics(d.Registry), notify: d.Notify, guard: d.Guard,
		ops: asynqmon.New(asynqmon.Options{RootPath: OpsPath, RedisConnOpt: d.RedisOpt, ReadOnly: false})}, nil
}

// Handler returns the asynq handler for every task type the router runs.
// Each handler is idempotent, so a task delivered twice changes nothing
// the second time; how, is said where each is registered.
func (r *Router) Handler() asynq.Handler {
	mux := asynq.NewServeMux()
	mux.Use(queue.Tracing)
	// Provisioning records its task id with its change (outbox.Once).
	queue.Handle(mux, r.provision)
	// An import runs once: the store moves it from queued to running
	// under a lock, and a second delivery finds it past queued.
	queue.Handle(mux, r.runImport)
	// Routing and timers act only on items still in the state the task
	// was queued for; once acted on, a second delivery is skipped.
	queue.Handle(mux, r.route)
	queue.Handle(mux, r.due)
	// Generation makes an item only where the record has none open.
	queue.Handle(mux, r.generate)
	// The daily task queues one generation per practice; doing it twice
	// queues generations that find nothing left to make.
	queue.Handle(mux, r.generateDaily)
	// An exchange asks only about checks still waiting to be asked, and
	// keeps each received file once.
	queue.Handle(mux, r.exchange)
	// A message is sent only by the worker that claims it from queued.
	// The sweep takes each step only from the step it planned at.
	if r.messages != nil {
		queue.Handle(mux, r.deliver)
		queue.Handle(mux, r.cadence)
	}
	return mux
}

// Mount registers the router's HTTP routes: the queue monitor for
// platform admins, when WithOps gave one. Health and metrics come from the
// shared engine.
func (r *Router) Mount(api gin.IRouter) {
	h := gin.WrapH(r.ops)
	pol := authz.Policy{Action: access.ManagePlatform}
	r.guard.Handle(api, http.MethodGet, OpsPath, pol, h)
	r.guard.Handle(api, http.MethodGet, OpsPath+"/*path", pol, h)
	for _, m := range []string{http.MethodPost, http.MethodDelete} {
		r.guard.Handle(api, m, OpsPath+"/*path", pol, h)
	}
}

func (r *Router) provision(ctx context.Context, t queue.Task[practice.ProvisionArgs]) error {
	if err := r.practices.Provision(ctx, t.ID, t.Args); err != nil {
		return err
	}
	r.log.InfoContext(ctx, "practice provisioned", "practice_id", t.Args.PracticeID)
	return nil
}

func (r *Router) runImport(ctx context.Context, t queue.Task[imports.RunArgs]) error {
	return r.imports.Run(ctx, t.Args.ImportID)
}
