package console

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/backdesk/backdesk/services/internal/authz"
	"github.com/gin-gonic/gin"
)

// people are the signed-in persons the tests act as, by the X-Test-User
// header the fake authentication reads.
var people = map[string]identity.Principal{
	"alice": {UserID: "u-alice", Name: "Alice Agent", Roles: []identity.Role{identity.Agent}, SessionRef: "s1", CSRF: "csrf-alice"},
	"maria": {UserID: "u-maria", Name: "Maria Billing", Roles: []identity.Role{identity.BillingManager}, SessionRef: "s2", CSRF: "csrf-maria"},
	"pat": {UserID: "u-pat", Name: "Pat Practice", Roles: []identity.Role{identity.PracticeAdmin}, SessionRef: "s3", CSRF: "csrf-pat",
		Memberships: []identity.Membership{{PracticeID: "pr-1", Role: identity.PracticeAdmin}}},
	"carol":  {UserID: "u-carol", Subject: "dev-carol", Name: "Carol Compliance", Roles: []identity.Role{identity.Compliance}, SessionRef: "s4", CSRF: "csrf-carol"},
	"nobody": {UserID: "u-nobody", Name: "No Role", SessionRef: "s5", CSRF: "csrf-nobody"},
}

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

// apiCall is one request the fake API received.
type apiCall struct {
	Method, Path, Query, CSRF, Cookie, RequestID string
	Body                                         map[string]any
	ContentType                                  string
	Raw                                          []byte
}

// fakeAPI answers API calls from canned replies keyed "METHOD /path".
type fakeAPI struct {
	mu      sync.Mutex
	calls   []apiCall
	replies map[string]func() (int, string)
	// handlers answer "METHOD /path" themselves, before replies: for
	// answers that are not JSON, and for reading a body as it streams.
	handlers map[string]http.HandlerFunc
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	h, ok := f.handlers[r.Method+" "+r.URL.Path]
	f.mu.Unlock()
	if ok {
		h(w, r)
		return
	}
	raw, _ := io.ReadAll(r.Body)
	c := apiCall{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, CSRF: r.Header.Get(authn.CSRFHeader),
		Cookie: r.Header.Get("Cookie"), RequestID: r.Header.Get("X-Request-ID"), ContentType: r.Header.Get("Content-Type"), Raw: raw}
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &c.Body)
	}
	f.mu.Lock()
	f.calls = append(f.calls, c)
	reply, ok := f.replies[r.Method+" "+r.URL.Path]
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

// last returns the last call to method and path.
func (f *fakeAPI) last(t *testing.T, method, path string) apiCall {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := len(f.calls) - 1; i >= 0; i-- {
		if f.calls[i].Method == method && f.calls[i].Path == path {
			return f.calls[i]
		}
	}
	t.Fatalf("the API was not called with %s %s; calls: %+v", method, path, f.calls)
	return apiCall{}
}

func (f *fakeAPI) called(method, path string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.calls {
		if c.Method == method && c.Path == path {
			return true
		}
	}
	return false
}

func answer(status int, body string) func() (int, string) {
	return func() (int, string) { return status, body }
}

type bundle struct {
	api    *fakeAPI
	engine *gin.Engine
}

// setup mounts the console on an engine whose authentication is a header,
// in front of a fake API.
func setup(t *testing.T, replies map[string]func() (int, string)) bundle {
	t.Helper()
	api := &fakeAPI{replies: replies}
	e := gin.New()
	e.Use(func(c *gin.Context) {
		p, ok := people[c.GetHeader("X-Test-User")]
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
	New(Deps{API: api, Guard: guard, IdleTimeout: 15 * time.Minute, PublicURL: "http://127.0.0.1:8080",
		IssuerURL: "http://127.0.0.1:8080/dev/oidc"}).Mount(e.Group("/"))
	return bundle{api: api, engine: e}
}

// page is one response of the console.
type page struct {
	Code   int
	Header http.Header
	Body   string
}

// get asks for a page as user, with cookies.
func (b bundle) get(t *testing.T, user, path string, cookies ...*http.Cookie) page {
	t.Helper()
	return b.do(t, user, http.MethodGet, path, nil, cookies...)
}

// post submits a form as user, with the user's CSRF token.
func (b bundle) post(t *testing.T, user, path string, form url.Values) page {
	t.Helper()
	form.Set("csrf_token", people[user].CSRF)
	return b.do(t, user, http.MethodPost, path, form)
}

func (b bundle) do(t *testing.T, user, method, path string, form url.Values, cookies ...*http.Cookie) page {
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
	b.engine.ServeHTTP(w, req)
	return page{Code: w.Code, Header: w.Header(), Body: w.Body.String()}
}

// cookie returns the cookie name a response sets.
func (p page) cookie(name string) *http.Cookie {
	for _, c := range (&http.Response{Header: p.Header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}
