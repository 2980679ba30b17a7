// Package kittest is what the console's handler tests share: signed-in
// people by name, a fake API answering canned replies and recording each
// call, and an engine mounting the pages under test in front of it with
// a header for authentication.
package kittest

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/backdesk/backdesk/services/console/internal/kit"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/backdesk/backdesk/services/internal/authz"
	"github.com/gin-gonic/gin"
)

// People are the signed-in persons the tests act as, by the X-Test-User
// header the fake authentication reads.
var People = map[string]identity.Principal{
	"alice": {UserID: "u-alice", Name: "Alice Agent", Roles: []identity.Role{identity.Agent}, SessionRef: "s1", CSRF: "csrf-alice"},
	"maria": {UserID: "u-maria", Name: "Maria Billing", Roles: []identity.Role{identity.BillingManager}, SessionRef: "s2", CSRF: "csrf-maria"},
	"pat": {UserID: "u-pat", Name: "Pat Practice", Roles: []identity.Role{identity.PracticeAdmin}, SessionRef: "s3", CSRF: "csrf-pat",
		Memberships: []identity.Membership{{PracticeID: "pr-1", Role: identity.PracticeAdmin}}},
	"carol":  {UserID: "u-carol", Subject: "dev-carol", Name: "Carol Compliance", Roles: []identity.Role{identity.Compliance}, SessionRef: "s4", CSRF: "csrf-carol"},
	"nobody": {UserID: "u-nobody", Name: "No Role", SessionRef: "s5", CSRF: "csrf-nobody"},
	"admin":  {UserID: "u-admin", Name: "Ada Admin", Roles: []identity.Role{identity.PlatformAdmin}, SessionRef: "s6", CSRF: "csrf-admin"},
}

// WantCSP is the pages' Content-Security-Policy when the identity
// provider shares the platform's origin, as in Setup.
const WantCSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// EventJSON is an audit event as the API answers it.
const EventJSON = `{"seq":41,"id":"ev-1","time":"2026-11-20T12:00:00Z","actor":{"issuer":"http://idp","subject":"dev-alice","role":"agent",
"session_ref":"","ip":"127.0.0.1","user_agent":"test"},"action":"read","practice_id":"pr-1","patient_ids":["pt-1"],"fields":["first_name"],
"work_item_id":"wi-1","grant_id":"g-1","purpose":"payment","outcome":"allow","reason":"","request_id":"rq-1","trace_id":"","break_glass":false}`

// ChartAttr finds the charts of a page: each canvas's id and its
// Chart.js configuration.
var ChartAttr = regexp.MustCompile(`<canvas id="([a-z-]+)"[^>]* data-chart='([^']*)'`)

// facts is the decision function's view of the world in these tests:
// every practice is active, and nobody has grants, items or break-glass.
type facts struct{}

func (facts) Practice(context.Context, string) (access.PracticeFacts, error) {
	return access.PracticeFacts{Status: "active"}, nil
}
func (facts) GrantsFor(context.Context, string, string) ([]access.GrantFact, error) {
	return nil, nil
}
func (facts) OwnedItems(context.Context, string, string, string) ([]access.OwnedItem, error) {
	return nil, nil
}
func (facts) BreakGlassFor(context.Context, string, string, string) ([]access.BreakGlassFact, error) {
	return nil, nil
}

// Call is one request the fake API received.
type Call struct {
	Method, Path, Query, CSRF, Cookie, RequestID string
	Body                                         map[string]any
	ContentType                                  string
	Raw                                          []byte
	// IdempotencyKey is the call's Idempotency-Key header.
	IdempotencyKey string
}

// FakeAPI answers API calls from canned replies keyed "METHOD /path".
type FakeAPI struct {
	mu      sync.Mutex
	Calls   []Call
	Replies map[string]func() (int, string)
	// Handlers answer "METHOD /path" themselves, before Replies: for
	// answers that are not JSON, and for reading a body as it streams.
	Handlers map[string]http.HandlerFunc
}

// ServeHTTP answers one call and records it.
func (f *FakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	h, ok := f.Handlers[r.Method+" "+r.URL.Path]
	f.mu.Unlock()
	if ok {
		h(w, r)
		return
	}
	raw, _ := io.ReadAll(r.Body)
	c := Call{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, CSRF: r.Header.Get(authn.CSRFHeader),
		Cookie: r.Header.Get("Cookie"), RequestID: r.Header.Get("X-Request-ID"), ContentType: r.Header.Get("Content-Type"), Raw: raw,
		IdempotencyKey: r.Header.Get(web.IdempotencyKeyHeader)}
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &c.Body)
	}
	f.mu.Lock()
	f.Calls = append(f.Calls, c)
	reply, ok := f.Replies[r.Method+" "+r.URL.Path]
	f.mu.Unlock()
	if !ok {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"error":{"code":"not_found","message":"no such endpoint"}}`)
		return
	}
	status, body := reply()
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// Last returns the last call to method and path.
func (f *FakeAPI) Last(t *testing.T, method, path string) Call {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := len(f.Calls) - 1; i >= 0; i-- {
		if f.Calls[i].Method == method && f.Calls[i].Path == path {
			return f.Calls[i]
		}
	}
	t.Fatalf("the API was not called with %s %s; calls: %+v", method, path, f.Calls)
	return Call{}
}

// Called reports whether the API was called with method and path.
func (f *FakeAPI) Called(method, path string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.Calls {
		if c.Method == method && c.Path == path {
			return true
		}
	}
	return false
}

// Answer is a canned reply.
func Answer(status int, body string) func() (int, string) {
	return func() (int, string) { return status, body }
}

// Bundle is the pages under test and the fake API behind them.
type Bundle struct {
	API    *FakeAPI
	Engine *gin.Engine
}

// Setup mounts pages with mount on an engine whose authentication is a
// header, in front of a fake API answering replies.
func Setup(t *testing.T, replies map[string]func() (int, string), mount func(kit.Deps, gin.IRouter)) Bundle {
	t.Helper()
	api := &FakeAPI{Replies: replies}
	e := gin.New()
	e.Use(func(c *gin.Context) {
		p, ok := People[c.GetHeader("X-Test-User")]
		if !ok {
			c.AbortWithStatus(http.StatusUnauthorized)
			return
		}
		c.Request = c.Request.WithContext(authn.WithPrincipal(c.Request.Context(), p))
		// As the authentication does for a form that carries its CSRF
		// token in the body rather than in the header.
		if c.GetHeader("X-Test-Parse-Form") != "" {
			_ = authn.FormToken(c)
		}
	})
	guard := &authz.Guard{Decider: access.NewDecider(facts{}, access.DeciderConfig{})}
	mount(kit.Deps{API: api, Guard: guard, IdleTimeout: 15 * time.Minute, PublicURL: "http://127.0.0.1:8080",
		IssuerURL: "http://127.0.0.1:8080/dev/oidc", Log: slog.New(slog.NewTextHandler(io.Discard, nil))}, e.Group("/"))
	return Bundle{API: api, Engine: e}
}

// Pages is a mount function for Setup from a persona's Mount.
func Pages(mount func(*kit.Kit, gin.IRouter)) func(kit.Deps, gin.IRouter) {
	return func(d kit.Deps, r gin.IRouter) { mount(kit.New(d), r) }
}

// Page is one response of the console.
type Page struct {
	Code   int
	Header http.Header
	Body   string
}

// Get asks for a page as user, with cookies.
func (b Bundle) Get(t *testing.T, user, path string, cookies ...*http.Cookie) Page {
	t.Helper()
	return b.Do(t, user, http.MethodGet, path, nil, cookies...)
}

// Post submits a form as user, with the user's CSRF token.
func (b Bundle) Post(t *testing.T, user, path string, form url.Values) Page {
	t.Helper()
	form.Set("csrf_token", People[user].CSRF)
	return b.Do(t, user, http.MethodPost, path, form)
}

// Do sends a request as user, with the form (if any) as its body.
func (b Bundle) Do(t *testing.T, user, method, path string, form url.Values, cookies ...*http.Cookie) Page {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("X-Test-User", user)
	req.Header.Set("Cookie", "backdesk_session=sess-"+user)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	w := httptest.NewRecorder()
	b.Engine.ServeHTTP(w, req)
	return Page{Code: w.Code, Header: w.Header(), Body: w.Body.String()}
}

// Cookie returns the cookie name a response sets.
func (p Page) Cookie(name string) *http.Cookie {
	for _, c := range (&http.Response{Header: p.Header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}
