// Package onboarding is the HTTP layer of the onboarding service: practices,
// their locations, agreements and policies, and imports of practice data.
// Handlers decode and validate, call the practice domain, and shape replies.
package onboarding

import (
	"context"
	"net/http"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/recorder"
	"github.com/backdesk/backdesk/pkg/clearinghouse"
	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/backdesk/backdesk/pkg/imports"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/backdesk/backdesk/services/internal/auditmw"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/backdesk/backdesk/services/internal/authz"
	"github.com/backdesk/backdesk/services/internal/serve"
	"github.com/gin-gonic/gin"
)

// API serves the onboarding routes.
type API struct {
	practices *practice.Service
	identity  *identity.Service
	imports   *imports.Service
	// clearinghouse is nil in a process built without it (tests that
	// need only the practice routes).
	clearinghouse *clearinghouse.Service

	rec         *recorder.Recorder
	readPatient PatientReader
	guard       *authz.Guard
	facts       access.Invalidator
	checklistDB *sqldb.DB
	shared      *sqldb.DB // nil: a patient read's reads are not shared
}

// Deps are what the onboarding API needs; New refuses to build without
// any of them.
type Deps struct {
	Practices *practice.Service
	Identity  *identity.Service
	Imports   *imports.Service
	// Guard puts every route behind the access decision point.
	Guard *authz.Guard
	// Facts (the process's access fact cache) is told of every change to
	// a practice's status or rules, so that a suspension denies its
	// patients at once on every replica.
	Facts access.Invalidator
	// Recorder writes each patient read ahead of its answer; Patients
	// reads the record.
	Recorder *recorder.Recorder
	Patients PatientReader
	// Checklist is the database the onboarding checklist is read from.
	Checklist *sqldb.DB
	// Shared, when set, is the database whose reads a patient read shares
	// in one transaction (serve.ShareReads): the decision's and the
	// record's.
	Shared *sqldb.DB `dep:"optional"`
	// Clearinghouse serves the clearinghouse routes; without it they are
	// not mounted.
	Clearinghouse *clearinghouse.Service `dep:"optional"`
}

// New returns the onboarding API.
func New(d Deps) (*API, error) {
	if err := serve.Need("onboarding", d); err != nil {
		return nil, err
	}
	return &API{practices: d.Practices, identity: d.Identity, imports: d.Imports, guard: d.Guard, facts: d.Facts,
		rec: d.Recorder, readPatient: d.Patients, checklistDB: d.Checklist, shared: d.Shared, clearinghouse: d.Clearinghouse}, nil
}

// Mount registers the routes on r, which sits behind authentication. Each
// route declares its action; the guard decides, records denials and scopes
// the request to the route's practice. Import routes find their practice
// from the import first.
func (a *API) Mount(r gin.IRouter) {
	g := a.guard
	practiceOf := authz.Practice("id")
	platform := authz.Policy{Action: access.ManagePlatform}
	read := authz.Policy{Action: access.ReadPractice, Resolve: practiceOf}
	admin := authz.Policy{Action: access.AdministerPractice, Resolve: practiceOf}
	lifecycle := authz.Policy{Action: access.ManagePlatform, Resolve: practiceOf}
	const base = "/api/v1/practices"
	g.Handle(r, http.MethodPost, base, platform, a.createPractice)
	g.Handle(r, http.MethodGet, base, authz.Policy{Action: access.Self}, a.listPractices)
	g.Handle(r, http.MethodGet, base+"/:id", read, a.getPractice)
	g.Handle(r, http.MethodPatch, base+"/:id", admin, a.updatePractice)
	g.Handle(r, http.MethodPut, base+"/:id/baa", admin, a.recordBAA)
	g.Handle(r, http.MethodPost, base+"/:id/activate", lifecycle, a.activate)
	g.Handle(r, http.MethodPost, base+"/:id/suspend", lifecycle, a.suspend)
	g.Handle(r, http.MethodPost, base+"/:id/offboard", lifecycle, a.offboard)
	g.Handle(r, http.MethodPost, base+"/:id/invitations", admin, a.invite)
	g.Handle(r, http.MethodPost, base+"/:id/invitations/:invitationID/confirm", lifecycle, a.confirmInvitation)
	g.Handle(r, http.MethodGet, base+"/:id/locations", read, a.listLocations)
	g.Handle(r, http.MethodPost, base+"/:id/locations", admin, a.addLocation)
	g.Handle(r, http.MethodGet, base+"/:id/policies", read, a.getPolicies)
	g.Handle(r, http.MethodPut, base+"/:id/policies/:kind", admin, a.putPolicy)
	web.AllowBodyOn(r, http.MethodPost, base+"/:id/imports", imports.MaxFileBytes+uploadSlack)
	g.Handle(r, http.MethodPost, base+"/:id/imports", admin, a.upload)
	g.Handle(r, http.MethodGet, base+"/:id/imports", read, a.listImports)
	path := base + "/:id/patients/:patientID"
	patients := r
	if a.shared != nil {
		patients = r.Group("", serve.ShareReads(a.shared))
	}
	g.Handle(patients, http.MethodGet, path, authz.Policy{Action: access.ReadPatient, Resolve: authz.Patient("id", "patientID")},
		auditmw.PHI(http.MethodGet, path, a.rec, a.getPatient))
	importOf := authz.Policy{Action: access.ReadPractice, Resolve: func(ctx context.Context, p authz.Params) (access.Resource, error) {
		id, err := a.imports.PracticeOf(sqldb.AllPractices(ctx), p("importID"))
		return access.Resource{PracticeID: id}, err
	}}
	g.Handle(r, http.MethodGet, "/api/v1/imports/:importID", importOf, a.getImport)
	g.Handle(r, http.MethodGet, "/api/v1/imports/:importID/errors.csv", importOf, a.importErrorsCSV)
	a.mountChecklist(r)
	a.mountClearinghouses(r)
}

func (a *API) createPractice(c *gin.Context) {
	var in api.PracticeBody
	if err := web.DecodeJSON(c, &in); err != nil {
		web.Fail(c, err)
		return
	}
	p, err := a.practices.As(auditmw.By(c)).Create(c.Request.Context(), newPracticeFrom(in))
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
	var in api.InviteBody
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
	inv, err := a.identity.Invite(ctx, by, auditmw.Event(c, audit.ActionInvitationCreate), c.Param("id"), in.Email)
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, invitationResponseFrom(inv))
}
