package access

import (
	"context"
	"github.com/backdesk/backdesk/services/internal/serve"
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

// Grants serves grants, access requests and break-glass. Most of their
// routes are the access service's; those under a practice's path belong
// to the onboarding service, which the ingress sends /api/v1/practices to.
type Grants struct {
	svc   *grant.Service
	guard *authz.Guard
}

// GrantDeps are what the grant routes need.
type GrantDeps struct {
	Grants *grant.Service
	Guard  *authz.Guard
}

// NewGrants returns the grant routes.
func NewGrants(d GrantDeps) (*Grants, error) {
	if err := serve.Need("grants", d); err != nil {
		return nil, err
	}
	return &Grants{svc: d.Grants, guard: d.Guard}, nil
}

// Mount registers the routes under /api/v1/grants, /api/v1/access-requests
// and /api/v1/break-glass.
func (a *Grants) Mount(api gin.IRouter) {
	g, svc := a.guard, a.svc
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
	g.Handle(api, http.MethodGet, "/api/v1/break-glass/mine", authz.Policy{Action: bdaccess.Self}, a.myBreakGlass)
	g.Handle(api, http.MethodPost, "/api/v1/break-glass/:sessionID/review", authz.Policy{Action: bdaccess.ReviewBreakGlass}, a.reviewBreakGlass)
}

// MountPractice registers the grant and request routes under a
// practice's path, /api/v1/practices/:id.
func (a *Grants) MountPractice(api gin.IRouter) {
	g := a.guard
	manage := authz.Policy{Action: bdaccess.ManageGrants, Resolve: authz.Practice("id")}
	g.Handle(api, http.MethodGet, "/api/v1/practices/:id/grants", manage, a.listGrants)
	g.Handle(api, http.MethodPost, "/api/v1/practices/:id/grants", manage, a.createGrant)
	g.Handle(api, http.MethodPost, "/api/v1/practices/:id/access-requests", authz.Policy{Action: bdaccess.RequestAccess, Resolve: authz.Practice("id")}, a.requestAccess)
	g.Handle(api, http.MethodGet, "/api/v1/practices/:id/access-requests", manage, a.listRequests)
}

func (a *Grants) createGrant(c *gin.Context) {
	var in api.GrantBody
	if err := web.DecodeJSON(c, &in); err != nil {
		web.Fail(c, err)
		return
	}
	ctx := c.Request.Context()
	p, _ := authn.PrincipalFrom(ctx)
	g, err := a.svc.CreateGrant(ctx, p, auditmw.Event(c, audit.ActionGrant), c.Param("id"),
		grant.GranteeType(in.Grantee.Type), in.Grantee.ID, scopeFrom(in.Scope))
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, grantResponseFrom(g, a.svc.Now()))
}

func (a *Grants) listGrants(c *gin.Context) {
	gs, err := a.svc.Grants(c.Request.Context(), c.Param("id"))
	if err != nil {
		web.Fail(c, err)
		return
	}
	now := a.svc.Now()
	ids := make([]string, 0, len(gs))
	for _, g := range gs {
		ids = append(ids, g.GranteeID)
	}
	names, err := a.svc.GranteeNames(c.Request.Context(), ids)
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

func (a *Grants) getGrant(c *gin.Context) {
	g, err := a.svc.Grant(c.Request.Context(), c.Param("grantID"))
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, grantResponseFrom(g, a.svc.Now()))
}

func (a *Grants) revokeGrant(c *gin.Context) {
	a.changeGrant(c, func(ctx context.Context, in api.VersionBody) (grant.Grant, error) {
		p, _ := authn.PrincipalFrom(ctx)
		return a.svc.RevokeGrant(ctx, p, auditmw.Event(c, audit.ActionRevoke), c.Param("grantID"), in.Version, in.Note)
	})
}

func (a *Grants) recertifyGrant(c *gin.Context) {
	a.changeGrant(c, func(ctx context.Context, in api.VersionBody) (grant.Grant, error) {
		p, _ := authn.PrincipalFrom(ctx)
		return a.svc.Recertify(ctx, p, auditmw.Event(c, audit.ActionGrant), c.Param("grantID"), in.Version)
	})
}

func (a *Grants) changeGrant(c *gin.Context, fn func(context.Context, api.VersionBody) (grant.Grant, error)) {
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
	c.JSON(http.StatusOK, grantResponseFrom(g, a.svc.Now()))
}

// fail answers err. A refusal because the caller would approve or review
// its own action goes through the guard, which records it as a denial
// against res, or else against the resource the route resolved.
func (a *Grants) fail(c *gin.Context, err error, res bdaccess.Resource) {
	refusal, ok := grant.SelfRefusal(err)
	if !ok {
		web.Fail(c, err)
		return
	}
	if res == (bdaccess.Resource{}) {
		_, res, _ = authz.DecisionFrom(c.Request.Context())
	}
	a.guard.Deny(c, c.Request.Method, res, refusal.Code, refusal.Message)
}

func (a *Grants) requestAccess(c *gin.Context) {
	var in api.AccessRequestBody
	if err := web.DecodeJSON(c, &in); err != nil {
		web.Fail(c, err)
		return
	}
	ctx := c.Request.Context()
	p, _ := authn.PrincipalFrom(ctx)
	r, err := a.svc.RequestAccess(ctx, p, auditmw.Event(c, audit.ActionCreate), c.Param("id"), in.TeamID, scopeFrom(in.Scope))
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, requestResponseFrom(r))
}

func (a *Grants) listRequests(c *gin.Context) {
	state := grant.RequestState(c.Query("state"))
	switch state {
	case "", grant.RequestPending, grant.RequestApproved, grant.RequestDenied:
	default:
		web.Fail(c, errState)
		return
	}
	rs, err := a.svc.Requests(c.Request.Context(), c.Param("id"), state)
	if err != nil {
		web.Fail(c, err)
		return
	}
	ids := make([]string, 0, len(rs))
	for _, r := range rs {
		ids = append(ids, r.TeamID)
	}
	names, err := a.svc.GranteeNames(c.Request.Context(), ids)
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

func (a *Grants) getRequest(c *gin.Context) {
	r, err := a.svc.Request(c.Request.Context(), c.Param("requestID"))
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, requestResponseFrom(r))
}

func (a *Grants) decideRequest(approve bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		var in api.NoteBody
		if err := web.DecodeJSON(c, &in); err != nil {
			web.Fail(c, err)
			return
		}
		ctx := c.Request.Context()
		p, _ := authn.PrincipalFrom(ctx)
		r, g, err := a.svc.DecideRequest(ctx, p, auditmw.Event(c, audit.ActionGrant), c.Param("requestID"), approve, in.Note)
		if err != nil {
			a.fail(c, err, bdaccess.Resource{})
			return
		}
		out := api.Decision{Request: requestResponseFrom(r)}
		if g != nil {
			gr := grantResponseFrom(*g, a.svc.Now())
			out.Grant = &gr
		}
		c.JSON(http.StatusOK, out)
	}
}

func (a *Grants) openBreakGlass(c *gin.Context) {
	var in api.BreakGlassBody
	if err := web.DecodeJSON(c, &in); err != nil {
		web.Fail(c, err)
		return
	}
	ctx := c.Request.Context()
	p, _ := authn.PrincipalFrom(ctx)
	b, err := a.svc.OpenBreakGlass(ctx, p, auditmw.Event(c, audit.ActionBreakGlass), in.PatientID, in.Reason)
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, breakGlassResponseFrom(b, a.svc.Now()))
}

// myBreakGlass lists the caller's own open break-glass sessions: the
// patient's id, the reason and when each closes, nothing more.
func (a *Grants) myBreakGlass(c *gin.Context) {
	p, _ := authn.PrincipalFrom(c.Request.Context())
	bs, err := a.svc.MyBreakGlass(c.Request.Context(), p)
	if err != nil {
		web.Fail(c, err)
		return
	}
	now := a.svc.Now()
	out := make([]api.BreakGlass, 0, len(bs))
	for _, b := range bs {
		out = append(out, breakGlassResponseFrom(b, now))
	}
	c.JSON(http.StatusOK, api.BreakGlassList{Sessions: out})
}

func (a *Grants) breakGlassQueue(c *gin.Context) {
	bs, err := a.svc.BreakGlassQueue(c.Request.Context(), c.Query("unreviewed") == "true")
	if err != nil {
		web.Fail(c, err)
		return
	}
	now := a.svc.Now()
	out := make([]api.BreakGlass, 0, len(bs))
	for _, b := range bs {
		out = append(out, breakGlassResponseFrom(b, now))
	}
	c.JSON(http.StatusOK, api.BreakGlassList{Sessions: out})
}

func (a *Grants) reviewBreakGlass(c *gin.Context) {
	var in api.BreakGlassReviewBody
	if err := web.DecodeJSON(c, &in); err != nil {
		web.Fail(c, err)
		return
	}
	ctx := c.Request.Context()
	p, _ := authn.PrincipalFrom(ctx)
	b, err := a.svc.ReviewBreakGlass(ctx, p, auditmw.Event(c, audit.ActionUpdate), c.Param("sessionID"),
		grant.Review{Note: in.Note, Disposition: in.Disposition})
	if err != nil {
		a.fail(c, err, bdaccess.Resource{PracticeID: b.PracticeID, PatientID: b.PatientID})
		return
	}
	c.JSON(http.StatusOK, breakGlassResponseFrom(b, a.svc.Now()))
}
