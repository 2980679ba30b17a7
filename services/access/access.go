// Package access is the HTTP layer of the access service: browser login and
// sessions, the caller's identity, grants, access requests and break-glass.
package access

import "github.com/gin-gonic/gin"

// API serves the access routes.
type API struct{}

// New returns the access API.
func New() *API { return &API{} }

// Mount registers the access routes on r, behind authentication. The service
// starts with only the shared health, readiness and metrics endpoints.
func (a *API) Mount(r gin.IRouter) {}
