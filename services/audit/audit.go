// Package audit is the HTTP layer of the compliance read side of the audit
// trail: search, export, proofs and reports.
package audit

import "github.com/gin-gonic/gin"

// API serves the audit routes.
type API struct{}

// New returns the audit API.
func New() *API { return &API{} }

// Mount registers the audit routes on r, behind authentication. The service
// starts with only the shared health, readiness and metrics endpoints.
func (a *API) Mount(r gin.IRouter) {}
