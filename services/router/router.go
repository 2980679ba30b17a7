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

	"github.com/backdesk/backdesk/pkg/imports"
	"github.com/backdesk/backdesk/pkg/platform/queue"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/gin-gonic/gin"
	"github.com/hibiken/asynq"
)

// Router holds the task handlers.
type Router struct {
	practices *practice.Service
	imports   *imports.Service
	log       *slog.Logger
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
	return mux
}

// Mount registers the router's HTTP routes (operator views arrive with
// queue monitoring); health and metrics come from the shared engine.
func (r *Router) Mount(gin.IRouter) {}

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

// route accepts new work items. Choosing an owner (grants, skills,
// capacity, presence) is the routing feature still to come; until then the
// item stays open and visible to the practice and managers, and the task
// is acknowledged so the queue stays clean.
func (r *Router) route(ctx context.Context, t *asynq.Task) error {
	var p work.RoutePayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.WorkItemID == "" {
		return fmt.Errorf("%s: bad payload: %w", t.Type(), asynq.SkipRetry)
	}
	r.log.DebugContext(ctx, "work item awaiting routing", "work_item_id", p.WorkItemID)
	return nil
}
