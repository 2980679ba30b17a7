// Package kit is what every page of the web console is made with: calling
// the JSON API as the person at the browser, the shared layout and its
// top bar, templates and their helpers, forms with a message beside each
// refused field, the console's own small cookies, and forwarding uploads
// to the API and downloads from it. The persona packages (agent, manager,
// practice, compliance) build their pages from it and decide nothing
// themselves: the API decides every call.
package kit

import (
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/access"
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
	Now                  func() time.Time `dep:"optional"` // the clock; time.Now when unset
}

// Kit serves the pieces of pages; the persona packages hold one.
type Kit struct {
	d   Deps
	csp string
}

// New returns the kit, with the defaults for what d leaves out.
func New(d Deps) *Kit {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	return &Kit{d: d, csp: contentPolicy(d.PublicURL, d.IssuerURL)}
}

// Handle registers a page on r through the guard. Every page lets in
// anyone signed in: the API call behind it makes the real decision.
func (k *Kit) Handle(r gin.IRouter, method, path string, h ...gin.HandlerFunc) {
	k.d.Guard.Handle(r, method, path, authz.Policy{Action: access.Self}, h...)
}

// Now is the console's clock.
func (k *Kit) Now() time.Time { return k.d.Now() }

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

// ValidID reports whether id is one the platform could have handed out.
func ValidID(id string) bool { return validID.MatchString(id) }
