// Package router is the router service: the asynq workers that act on
// queued tasks, and the outbox relay that feeds them. Routing of follow-up
// work to agents, timers and escalation grow here; for now it provisions
// new practices.
package router

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/imports"
	"github.com/backdesk/backdesk/pkg/platform/queue"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/pkg/routing/routingstore"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/backdesk/backdesk/services/internal/authz"
	"github.com/gin-gonic/gin"
	"github.com/hibiken/asynq"
)

// Router holds the task handlers.
type Router struct {
	practices *practice.Service
	imports   *imports.Service
	log       *slog.Logger
	routing   *routingstore.Store
	metrics   *metrics
	notify    func()
	ops       http.Handler
	guard     *authz.Guard
}

// New returns a Router.
func New(practices *practice.Service, imp *imports.Service, log *slog.Logger) *Router {
	return &Router{practices: practices, imports: imp, log: log}
}

// Handler returns the asynq handler for every task type the router runs.
func (r *Router) Handler() asynq.Handler {
	mux := asynq.NewServeMux()
	mux.Use(queue.Tracing)
	mux.HandleFunc(practice.TaskProvision, r.provision)
	mux.HandleFunc(imports.TaskRun, r.runImport)
	mux.HandleFunc(work.TaskRoute, r.route)
	mux.HandleFunc(work.TaskDue, r.due)
	mux.HandleFunc(imports.TaskGenerate, r.generate)
	mux.HandleFunc(imports.TaskGenerateDaily, r.generateDaily)
	return mux
}

// Mount registers the router's HTTP routes: the queue monitor for
// platform admins, when WithOps gave one. Health and metrics come from the
// shared engine.
func (r *Router) Mount(api gin.IRouter) {
	if r.ops == nil || r.guard == nil {
		return
	}
	h := gin.WrapH(r.ops)
	pol := authz.Policy{Action: access.ManagePlatform}
	r.guard.Handle(api, http.MethodGet, OpsPath, pol, h)
	r.guard.Handle(api, http.MethodGet, OpsPath+"/*path", pol, h)
	for _, m := range []string{http.MethodPost, http.MethodDelete} {
		r.guard.Handle(api, m, OpsPath+"/*path", pol, h)
	}
}

func (r *Router) provision(ctx context.Context, t *asynq.Task) error {
	var p practice.ProvisionPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.PracticeID == "" {
		// A malformed payload will not get better by retrying.
		return fmt.Errorf("%s: bad payload: %w", t.Type(), asynq.SkipRetry)
	}
	id, _ := asynq.GetTaskID(ctx)
	if err := r.practices.Provision(ctx, id, p); err != nil {
		return err
	}
	r.log.InfoContext(ctx, "practice provisioned", "practice_id", p.PracticeID)
	return nil
}

func (r *Router) runImport(ctx context.Context, t *asynq.Task) error {
	var p imports.RunPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.ImportID == "" {
		return fmt.Errorf("%s: bad payload: %w", t.Type(), asynq.SkipRetry)
	}
	return r.imports.Run(ctx, p.ImportID)
}
