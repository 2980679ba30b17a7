// Package console is the server-rendered web console: the agent's queue
// and item pages; the billing managers' board, agents and access
// requests; the practice admins' dashboard, onboarding checklist, imports
// and access page; and compliance's audit search, event proofs, reviews,
// access reviews and log integrity. It holds no data and decides nothing
// itself. Every page asks the JSON API, in the same process when it can,
// with the caller's own credentials, so the API's access decisions, audit
// events and field projections apply to the pages exactly as they apply
// to any other client; the console only renders the answers.
package console

import (
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/backdesk/backdesk/services/console/assets"
	"github.com/backdesk/backdesk/services/internal/authz"
	"github.com/gin-gonic/gin"
)

// Deps are what the console needs.
type Deps struct {
	// API serves the JSON API the pages are built from: the platform's own
	// engine when the console runs beside it, or Upstream otherwise.
	API http.Handler
	// Guard registers the page routes; it also answers which pages to
	// offer someone, which is only a hint since the API decides.
	Guard *authz.Guard
	// IdleTimeout is the session's idle limit: pages warn a minute before
	// it and sign out when it is reached. Zero turns the warning off.
	IdleTimeout time.Duration
	// SecureCookies marks the console's own small cookies (the message
	// shown after a redirect) Secure, as on an https site.
	SecureCookies bool
	// PublicURL is how browsers reach the platform; IssuerURL is the
	// identity provider's issuer. Signing out ends with a redirect to the
	// provider, which the pages' form-action policy must allow when it
	// lives on another origin.
	PublicURL, IssuerURL string
	Log                  *slog.Logger
	Now                  func() time.Time
}

// Console serves the pages.
type Console struct {
	d   Deps
	csp string
}

// New returns the console.
func New(d Deps) *Console {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	return &Console{d: d, csp: contentPolicy(d.PublicURL, d.IssuerURL)}
}

// Mount registers the pages and the static files on r, which sits behind
// authentication. Each route lets in anyone signed in; the API call behind
// the page makes the real decision.
func (con *Console) Mount(r gin.IRouter) {
	g := con.d.Guard
	self := authz.Policy{Action: access.Self}
	static := http.StripPrefix(assets.Prefix, assets.Handler())
	g.Handle(r, http.MethodGet, assets.Prefix+"*filepath", self, gin.WrapH(static))

	g.Handle(r, http.MethodGet, "/", self, con.home)
	g.Handle(r, http.MethodPost, "/presence", self, con.presence)

	g.Handle(r, http.MethodGet, "/queue", self, con.queue)
	g.Handle(r, http.MethodPost, "/next", self, con.next)
	g.Handle(r, http.MethodGet, "/items/:itemID", self, con.item)
	g.Handle(r, http.MethodPost, "/items/:itemID/outcome", self, con.outcome)
	g.Handle(r, http.MethodPost, "/items/:itemID/handoff", self, con.handoff)
	g.Handle(r, http.MethodPost, "/items/:itemID/release", self, con.release)
	g.Handle(r, http.MethodPost, "/items/:itemID/notes", self, con.note)

	g.Handle(r, http.MethodGet, "/board", self, con.board)
	g.Handle(r, http.MethodGet, "/agents", self, con.agents)
	g.Handle(r, http.MethodPost, "/agents/teams/:teamID/members", self, con.addMember)
	g.Handle(r, http.MethodPost, "/agents/teams/:teamID/members/:userID/remove", self, con.removeMember)
	g.Handle(r, http.MethodGet, "/access-requests", self, con.accessRequests)
	g.Handle(r, http.MethodPost, "/access-requests", self, con.requestAccess)
	g.Handle(r, http.MethodGet, "/access-requests/:requestID", self, con.accessRequest)

	// Practice admins.
	g.Handle(r, http.MethodGet, "/practices/:practiceID", self, con.practiceHome)
	g.Handle(r, http.MethodGet, "/practices/:practiceID/checklist", self, con.checklist)
	g.Handle(r, http.MethodGet, "/practices/:practiceID/imports", self, con.importForm)
	web.AllowBodyOn(r, http.MethodPost, "/practices/:practiceID/imports", maxUpload)
	g.Handle(r, http.MethodPost, "/practices/:practiceID/imports", self, con.upload)
	g.Handle(r, http.MethodGet, "/imports/:importID", self, con.importPage)
	g.Handle(r, http.MethodGet, "/imports/:importID/status", self, con.importStatus)
	g.Handle(r, http.MethodGet, "/imports/:importID/errors.csv", self, con.importErrors)
	g.Handle(r, http.MethodGet, "/practices/:practiceID/access", self, con.accessHome)
	g.Handle(r, http.MethodPost, "/practices/:practiceID/grants", self, con.createGrant)
	g.Handle(r, http.MethodPost, "/practices/:practiceID/grants/:grantID/revoke", self, con.revokeGrant)
	g.Handle(r, http.MethodPost, "/practices/:practiceID/grants/:grantID/recertify", self, con.recertifyGrant)
	g.Handle(r, http.MethodPost, "/practices/:practiceID/access-requests/:requestID/approve", self, con.approveRequest)
	g.Handle(r, http.MethodPost, "/practices/:practiceID/access-requests/:requestID/deny", self, con.denyRequest)

	// Compliance (and, for the search and the event page, practice admins
	// within their practices, as the API scopes them).
	g.Handle(r, http.MethodGet, "/audit", self, con.audit)
	g.Handle(r, http.MethodGet, "/audit/export", self, con.auditExport)
	g.Handle(r, http.MethodGet, "/audit/events/:eventID", self, con.auditEventPage)
	g.Handle(r, http.MethodGet, "/audit/reviews", self, con.reviews)
	g.Handle(r, http.MethodPost, "/audit/reviews", self, con.closeAnomaly)
	g.Handle(r, http.MethodPost, "/audit/break-glass/:sessionID/review", self, con.closeBreakGlass)
	g.Handle(r, http.MethodGet, "/audit/access-reviews", self, con.accessReviews)
	g.Handle(r, http.MethodGet, "/audit/integrity", self, con.integrity)
	g.Handle(r, http.MethodPost, "/audit/verifications", self, con.verifyLog)
}

// contentPolicy is the Content-Security-Policy of every page: nothing from
// another origin, no inline script or style, no framing. Signing out
// posts a form that ends at the identity provider, so its origin joins
// form-action when it is another one.
func contentPolicy(public, issuer string) string {
	formAction := "'self'"
	if o := origin(issuer); o != "" && o != origin(public) {
		formAction += " " + o
	}
	return "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; " +
		"frame-ancestors 'none'; base-uri 'none'; form-action " + formAction
}

// origin is the scheme and host of a URL, or "" when it has none.
func origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	return strings.ToLower(u.Scheme + "://" + u.Host)
}

// validID accepts the ids the platform hands out (UUIDs, with or without
// a short prefix); anything else never reaches an API path.
var validID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$`)
