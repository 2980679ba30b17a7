// Package onboarding is the HTTP layer of the onboarding service: practices,
// their locations, agreements and policies, and imports of practice data.
// Handlers decode and validate, call the practice domain, and shape replies.
package onboarding

import (
	"net/http"

	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/gin-gonic/gin"
)

// API serves the onboarding routes.
type API struct {
	practices *practice.Service
}

// New returns the onboarding API over the practice service.
func New(practices *practice.Service) *API { return &API{practices: practices} }

// Mount registers the routes on r, which carries the shared middleware and,
// in front of these routes, authentication.
func (a *API) Mount(r gin.IRouter) {
	g := r.Group("/api/v1/practices")
	g.POST("", a.createPractice)
	g.GET("/:id", a.getPractice)
}

func (a *API) createPractice(c *gin.Context) {
	var in createPracticeRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		web.Fail(c, err)
		return
	}
	p, err := a.practices.Create(c.Request.Context(), in.toDomain())
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/practices/"+p.ID)
	c.JSON(http.StatusCreated, practiceResponseFrom(p))
}

func (a *API) getPractice(c *gin.Context) {
	p, err := a.practices.Get(c.Request.Context(), c.Param("id"))
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, practiceResponseFrom(p))
}
