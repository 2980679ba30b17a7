// Package onboarding is the HTTP layer of the onboarding service: practices,
// their locations, agreements and policies, and imports of practice data.
// Handlers decode and validate, call the practice domain, and shape replies.
package onboarding

import (
	"net/http"

	"github.com/backdesk/backdesk/pkg/audit/recorder"
	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/backdesk/backdesk/pkg/imports"
	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/services/internal/auditmw"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/gin-gonic/gin"
)

// API serves the onboarding routes.
type API struct {
	practices *practice.Service
	identity  *identity.Service
	imports   *imports.Service

	rec         *recorder.Recorder
	readPatient PatientReader
}

// New returns the onboarding API over the practice, identity and import services.
func New(practices *practice.Service, id *identity.Service, imp *imports.Service) *API {
	return &API{practices: practices, identity: id, imports: imp}
}

// Mount registers the routes on r, which sits behind authentication.
// Every route under /api/v1/practices/:id works within that practice's
// scope; import routes find their practice first (loadImport).
func (a *API) Mount(r gin.IRouter) {
	platformAdmin := authn.RequireRole(identity.PlatformAdmin)
	member := authn.RequireMembership("id")
	g := r.Group("/api/v1/practices", authn.ScopeToPractice("id"))
	g.POST("", platformAdmin, a.createPractice)
	g.GET("", a.listPractices)
	g.GET("/:id", member, a.getPractice)
	g.PATCH("/:id", member, a.updatePractice)
	g.PUT("/:id/baa", member, a.recordBAA)
	g.POST("/:id/activate", platformAdmin, a.activate)
	g.POST("/:id/suspend", platformAdmin, a.suspend)
	g.POST("/:id/offboard", platformAdmin, a.offboard)
	g.POST("/:id/invitations", member, a.invite)
	g.GET("/:id/locations", member, a.listLocations)
	g.POST("/:id/locations", member, a.addLocation)
	g.GET("/:id/policies", member, a.getPolicies)
	g.PUT("/:id/policies/:kind", member, a.putPolicy)
	g.POST("/:id/imports", member, a.upload)
	if a.rec != nil {
		auditmw.GET(g, "/:id/patients/:patientID", a.rec, a.getPatient)
	}
	r.GET("/api/v1/imports/:importID", a.getImport)
	r.GET("/api/v1/imports/:importID/errors.csv", a.importErrorsCSV)
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

func (a *API) invite(c *gin.Context) {
	var in inviteRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		web.Fail(c, err)
		return
	}
	ctx := c.Request.Context()
	by, _ := authn.PrincipalFrom(ctx)
	if _, err := a.practices.Get(ctx, c.Param("id")); err != nil {
		web.Fail(c, err)
		return
	}
	inv, err := a.identity.Invite(ctx, by, c.Param("id"), in.Email)
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, invitationResponseFrom(inv))
}
