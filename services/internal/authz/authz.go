// Package authz puts the access decision in front of every authenticated
// route. A route is registered with the action it performs and how to find
// the resource it touches; the guard asks access.Decider, records every
// denial as an audit event and answers 403 with the rule's code, and on
// success scopes the request's database work to the resource's practice.
// The registry of route policies is what the authorization matrix test
// walks: a route registered without a policy fails it.
package authz

import (
	"context"
	"net/http"
	"sync"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/recorder"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/backdesk/backdesk/services/internal/auditmw"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/gin-gonic/gin"
)

// Params reads a route's path parameters by name.
type Params func(name string) string

// Resolver finds the resource a request touches from its path parameters;
// it may look ids up (a grant's practice, say). Its errors are answered
// as they are (a missing grant is a 404).
type Resolver func(ctx context.Context, p Params) (access.Resource, error)

// Policy is a route's authorization: the action and its resource.
type Policy struct {
	Action  access.Action
	Resolve Resolver // nil: the action has no resource
}

// Practice resolves the resource from a practice id path parameter.
func Practice(param string) Resolver {
	return func(_ context.Context, p Params) (access.Resource, error) {
		return access.Resource{PracticeID: p(param)}, nil
	}
}

// Patient resolves a practice and a patient from path parameters.
func Patient(practiceParam, patientParam string) Resolver {
	return func(_ context.Context, p Params) (access.Resource, error) {
		return access.Resource{PracticeID: p(practiceParam), PatientID: p(patientParam)}, nil
	}
}

// Guard decides and records. It keeps the policy of every route it
// guards, so a process's route table can be checked against them.
type Guard struct {
	Decider  *access.Decider
	Recorder *recorder.Recorder

	mu       sync.Mutex
	policies map[string]Policy
}

// Handle registers handlers on r for method and path behind g's check of pol.
func (g *Guard) Handle(r gin.IRouter, method, path string, pol Policy, handlers ...gin.HandlerFunc) {
	base := ""
	if rg, ok := r.(*gin.RouterGroup); ok {
		base = rg.BasePath()
	}
	g.mu.Lock()
	if g.policies == nil {
		g.policies = map[string]Policy{}
	}
	g.policies[method+" "+join(base, path)] = pol
	g.mu.Unlock()
	r.Handle(method, path, append([]gin.HandlerFunc{g.check(method, pol)}, handlers...)...)
}

// PolicyFor returns the policy g guards a route with, as gin names it.
func (g *Guard) PolicyFor(method, fullPath string) (Policy, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	p, ok := g.policies[method+" "+fullPath]
	return p, ok
}

type decisionKey struct{}

// DecisionFrom returns the decision that let the request in.
func DecisionFrom(ctx context.Context) (access.Decision, access.Resource, bool) {
	v, ok := ctx.Value(decisionKey{}).(allowed)
	return v.d, v.r, ok
}

type allowed struct {
	d access.Decision
	r access.Resource
}

// Decide evaluates pol for the signed-in principal of ctx with params.
func (g *Guard) Decide(ctx context.Context, pol Policy, params Params) (access.Decision, access.Resource, error) {
	p, ok := authn.PrincipalFrom(ctx)
	if !ok {
		return access.Decision{}, access.Resource{}, &apperr.Error{Kind: apperr.KindUnauthenticated, Code: "unauthenticated", Message: "sign in first"}
	}
	var res access.Resource
	if pol.Resolve != nil {
		var err error
		if res, err = pol.Resolve(ctx, params); err != nil {
			return access.Decision{}, res, err
		}
	}
	d, err := g.Decider.Decide(ctx, p, pol.Action, res)
	return d, res, err
}

func (g *Guard) check(method string, pol Policy) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx := c.Request.Context()
		d, res, err := g.Decide(ctx, pol, c.Param)
		if err != nil {
			web.Fail(c, err)
			return
		}
		if !d.Allow {
			g.Deny(c, method, res, d.Code, d.Reason)
			return
		}
		ctx = context.WithValue(ctx, decisionKey{}, allowed{d: d, r: res})
		if res.PracticeID != "" {
			ctx = sqldb.WithPractice(ctx, res.PracticeID)
		}
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	}
}

// Deny records a denial and answers 403 with code: no denial goes
// unrecorded, and none answers before its event is committed.
func (g *Guard) Deny(c *gin.Context, method string, res access.Resource, code, reason string) {
	ev := auditmw.Event(c, actionFor(method))
	ev.PracticeID, ev.WorkItemID = res.PracticeID, res.WorkItemID
	if res.PatientID != "" {
		ev.PatientIDs = []string{res.PatientID}
	}
	ev.Outcome, ev.Reason = audit.OutcomeDeny, code
	refusal := error(&apperr.Error{Kind: apperr.KindForbidden, Code: code, Message: reason})
	if code == access.CodeNoPractice {
		refusal = apperr.NotFound("practice")
	}
	auditmw.Send(c, g.Recorder, auditmw.Answer{Event: ev, Err: refusal})
}

func actionFor(method string) audit.Action {
	switch method {
	case http.MethodGet, http.MethodHead:
		return audit.ActionRead
	case http.MethodPost:
		return audit.ActionCreate
	}
	return audit.ActionUpdate
}

func join(base, path string) string {
	switch {
	case base == "" || base == "/":
		return path
	case path == "":
		return base
	}
	if base[len(base)-1] == '/' {
		base = base[:len(base)-1]
	}
	return base + path
}
