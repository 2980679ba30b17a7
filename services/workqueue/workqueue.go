// Package workqueue is the HTTP layer of the agent-facing work service: an
// agent's queue, item views, outcomes and handoffs, and the managers' views.
package workqueue

import "github.com/gin-gonic/gin"

// API serves the workqueue routes.
type API struct{}

// New returns the workqueue API.
func New() *API { return &API{} }

// Mount registers the workqueue routes on r, behind authentication. The service
// starts with only the shared health, readiness and metrics endpoints.
func (a *API) Mount(r gin.IRouter) {}
