package access

import (
	"context"
	"net/http"

	bdaccess "github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/grant"
	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/backdesk/backdesk/services/internal/auditmw"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/backdesk/backdesk/services/internal/authz"
	"github.com/gin-gonic/gin"
)

// mountGrants registers grants, access requests and break-glass.
func (a *API) mountGrants(api gin.IRouter) {
	g, svc := a.d.Guard, a.d.Grants
	grantOf := func(ctx context.Context, p authz.Params) (bdaccess.Resource, error) {
		gr, err := svc.Grant(ctx, p("grantID"))
		return bdaccess.Resource{PracticeID: gr.PracticeID}, err
	}
	requestOf := func(ctx context.Context, p authz.Params) (bdaccess.Resource, error) {
		r, err := svc.Request(ctx, p("requestID"))
		return bdaccess.Resource{PracticeID: r.PracticeID}, err
	}
	g.Handle(api, http.MethodGet, "/api/v1/grants/:grantID", authz.Policy{Action: bdaccess.ManageGrants, Resolve: grantOf}, a.getGrant)
	g.Handle(api, http.MethodPost, "/api/v1/grants/:grantID/revoke", authz.Policy{Action: bdaccess.ManageGrants, Resolve: grantOf}, a.revokeGrant)
	g.Handle(api, http.MethodPost, "/api/v1/grants/:grantID/recertify", authz.Policy{Action: bdaccess.ManageGrants, Resolve: grantOf}, a.recertifyGrant)

	g.Handle(api, http.MethodGet, "/api/v1/access-requests/:requestID", authz.Policy{Action: bdaccess.ViewAccessRequest, Resolve: requestOf}, a.getRequest)
	g.Handle(api, http.MethodPost, "/api/v1/access-requests/:requestID/approve", authz.Policy{Action: bdaccess.ManageGrants, Resolve: requestOf}, a.decideRequest(true))
	g.Handle(api, http.MethodPost, "/api/v1/access-requests/:requestID/deny", authz.Policy{Action: bdaccess.ManageGrants, Resolve: requestOf}, a.decideRequest(false))

	g.Handle(api, http.MethodPost, "/api/v1/break-glass", authz.Policy{Action: bdaccess.OpenBreakGlass}, a.openBreakGlass)
	g.Handle(api, http.MethodGet, "/api/v1/break-glass", authz.Policy{Action: bdaccess.ReviewBreakGlass}, a.breakGlassQueue)
	g.Handle(api, http.MethodPost, "/api/v1/break-glass/:sessionID/review", authz.Policy{Action: bdaccess.ReviewBreakGlass}, a.reviewBreakGlass)
}

// MountPracticeRoutes registers the grant and request routes that live
// under a practice's path. The ingress sends /api/v1/practices to the
// onboarding service, so that service mounts these too; the all-in-one
// binary mounts them once, beside Mount.
func (a *API) MountPracticeRoutes(api gin.IRouter) {
	g := a.d.Guard
	manage := authz.Policy{Action: bdaccess.ManageGrants, Resolve: authz.Practice("id")}
	g.Handle(api, http.MethodGet, "/api/v1/practices/:id/grants", manage, a.listGrants)
	g.Handle(api, http.MethodPost, "/api/v1/practices/:id/grants", manage, a.createGrant)
	g.Handle(api, http.MethodPost, "/api/v1/practices/:id/access-requests", authz.Policy{Action: bdaccess.RequestAccess, Resolve: authz.Practice("id")}, a.requestAccess)
	g.Handle(api, http.MethodGet, "/api/v1/practices/:id/access-requests", manage, a.listRequests)
}

func (a *API) createGrant(c *gin.Context) {
	var in api.GrantBody
	if err := web.DecodeJSON(c, &in); err != nil {
		web.Fail(c, err)
		return
	}
	ctx := c.Request.Context()
	p, _ := authn.PrincipalFrom(ctx)
	g, err := a.d.Grants.CreateGrant(ctx, p, auditmw.Event(c, audit.ActionGrant), c.Param("id"),
		grant.GranteeType(in.Grantee.Type), in.Grantee.ID, scopeFrom(in.Scope))
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, grantResponseFrom(g, a.d.Grants.Now()))
}

func (a *API) listGrants(c *gin.Context) {
	gs, err := a.d.Grants.Grants(c.Request.Context(), c.Param("id"))
	if err != nil {
		web.Fail(c, err)
		return
	}
	now := a.d.Grants.Now()
	ids := make([]string, 0, len(gs))
	for _, g := range gs {
		ids = append(ids, g.GranteeID)
	}
	names, err := a.d.Grants.GranteeNames(c.Request.Context(), ids)
	if err != nil {
		web.Fail(c, err)
		return
	}
	out := make([]api.Grant, 0, len(gs))
	for _, g := range gs {
		r := grantResponseFrom(g, now)
		r.Grantee.Name = names[g.GranteeID]
		out = append(out, r)
	}
	c.JSON(http.StatusOK, api.GrantList{Grants: out})
}

func (a *API) getGrant(c *gin.Context) {
	g, err := a.d.Grants.Grant(c.Request.Context(), c.Param("grantID"))
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, grantResponseFrom(g, a.d.Grants.Now()))
}

func (a *API) revokeGrant(c *gin.Context) {
	a.changeGrant(c, func(ctx context.Context, in api.VersionBody) (grant.Grant, error) {
		p, _ := authn.PrincipalFrom(ctx)
		return a.d.Grants.RevokeGrant(ctx, p, auditmw.Event(c, audit.ActionRevoke), c.Param("grantID"), in.Version, in.Note)
	})
}

func (a *API) recertifyGrant(c *gin.Context) {
	a.changeGrant(c, func(ctx context.Context, in api.VersionBody) (grant.Grant, error) {
		p, _ := authn.PrincipalFrom(ctx)
		return a.d.Grants.Recertify(ctx, p, auditmw.Event(c, audit.ActionGrant), c.Param("grantID"), in.Version)
	})
}

func (a *API) changeGrant(c *gin.Context, fn func(context.Context, api.VersionBody) (grant.Grant, error)) {
	var in api.VersionBody
	if err := web.DecodeJSON(c, &in); err != nil {
		web.Fail(c, err)
		return
	}
	if in.Version < 1 {
		web.Fail(c, errVersion)
		return
	}
	g, err := fn(c.Request.Context(), in)
	if err != nil {
		a.fail(c, err, bdaccess.Resource{})
		return
	}
	c.JSON(http.StatusOK, grantResponseFrom(g, a.d.Grants.Now()))
}

// fail answers err. A refusal because the caller would approve or review
// its own action goes through the guard, which records it as a denial
// against res, or else against the resource the route resolved.
func (a *API) fail(c *gin.Context, err error, res bdaccess.Resource) {
	refusal, ok := grant.SelfRefusal(err)
	if !ok {
		web.Fail(c, err)
		return
	}
	if res == (bdaccess.Resource{}) {
		_, res, _ = authz.DecisionFrom(c.Request.Context())
	}
	a.d.Guard.Deny(c, c.Request.Method, res, refusal.Code, refusal.Message)
}

func (a *API) requestAccess(c *gin.Context) {
	var in api.AccessRequestBody
	if err := web.DecodeJSON(c, &in); err != nil {
		web.Fail(c, err)
		return
	}
	ctx := c.Request.Context()
	p, _ := authn.PrincipalFrom(ctx)
	r, err := a.d.Grants.RequestAccess(ctx, p, auditmw.Event(c, audit.ActionCreate), c.Param("id"), in.TeamID, scopeFrom(in.Scope))
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, requestResponseFrom(r))
}

func (a *API) listRequests(c *gin.Context) {
	state := grant.RequestState(c.Query("state"))
	switch state {
	case "", grant.RequestPending, grant.RequestApproved, grant.RequestDenied:
	default:
		web.Fail(c, errState)
		return
	}
	rs, err := a.d.Grants.Requests(c.Request.Context(), c.Param("id"), state)
	if err != nil {
		web.Fail(c, err)
		return
	}
	ids := make([]string, 0, len(rs))
	for _, r := range rs {
		ids = append(ids, r.TeamID)
	}
	names, err := a.d.Grants.GranteeNames(c.Request.Context(), ids)
	if err != nil {
		web.Fail(c, err)
		return
	}
	out := make([]api.AccessRequest, 0, len(rs))
	for _, r := range rs {
		resp := requestResponseFrom(r)
		resp.TeamName = names[r.TeamID]
		out = append(out, resp)
	}
	c.JSON(http.StatusOK, api.AccessRequestList{Requests: out})
}

func (a *API) getRequest(c *gin.Context) {
	r, err := a.d.Grants.Request(c.Request.Context(), c.Param("requestID"))
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, requestResponseFrom(r))
}

func (a *API) decideRequest(approve bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		var in api.NoteBody
		if err := web.DecodeJSON(c, &in); err != nil {
			web.Fail(c, err)
			return
		}
		ctx := c.Request.Context()
		p, _ := authn.PrincipalFrom(ctx)
		r, g, err := a.d.Grants.DecideRequest(ctx, p, auditmw.Event(c, audit.ActionGrant), c.Param("requestID"), approve, in.Note)
		if err != nil {
			a.fail(c, err, bdaccess.Resource{})
			return
		}
		out := api.Decision{Request: requestResponseFrom(r)}
		if g != nil {
			gr := grantResponseFrom(*g, a.d.Grants.Now())
			out.Grant = &gr
		}
		c.JSON(http.StatusOK, out)
	}
}

func (a *API) openBreakGlass(c *gin.Context) {
	var in api.BreakGlassBody
	if err := web.DecodeJSON(c, &in); err != nil {
		web.Fail(c, err)
		return
	}
	ctx := c.Request.Context()
	p, _ := authn.PrincipalFrom(ctx)
	b, err := a.d.Grants.OpenBreakGlass(ctx, p, auditmw.Event(c, audit.ActionBreakGlass), in.PatientID, in.Reason)
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, breakGlassResponseFrom(b, a.d.Grants.Now()))
}

func (a *API) breakGlassQueue(c *gin.Context) {
	bs, err := a.d.Grants.BreakGlassQueue(c.Request.Context(), c.Query("unreviewed") == "true")
	if err != nil {
		web.Fail(c, err)
		return
	}
	now := a.d.Grants.Now()
	out := make([]api.BreakGlass, 0, len(bs))
	for _, b := range bs {
		out = append(out, breakGlassResponseFrom(b, now))
	}
	c.JSON(http.StatusOK, api.BreakGlassList{Sessions: out})
}

func (a *API) reviewBreakGlass(c *gin.Context) {
	var in api.BreakGlassReviewBody
	if err := web.DecodeJSON(c, &in); err != nil {
		web.Fail(c, err)
		return
	}
	ctx := c.Request.Context()
	p, _ := authn.PrincipalFrom(ctx)
	b, err := a.d.Grants.ReviewBreakGlass(ctx, p, auditmw.Event(c, audit.ActionUpdate), c.Param("sessionID"),
		grant.Review{Note: in.Note, Disposition: in.Disposition})
	if err != nil {
		a.fail(c, err, bdaccess.Resource{PracticeID: b.PracticeID, PatientID: b.PatientID})
		return
	}
	c.JSON(http.StatusOK, breakGlassResponseFrom(b, a.d.Grants.Now()))
}
