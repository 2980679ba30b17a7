package devstack_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/backdesk/backdesk/services/devstack"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/stretchr/testify/require"
)

// signIn completes a browser login as user (with a second factor when mfa
// is set) and returns the session cookie.
func (br *browser) signIn(user string, mfa bool) *http.Cookie {
	br.t.Helper()
	res, body := br.get(br.base + "/auth/login?return_to=/api/v1/me")
	require.Equal(br.t, 200, res.StatusCode, body)
	form := url.Values{"authRequestID": {res.Request.URL.Query().Get("authRequestID")}, "user": {user}}
	if mfa {
		form.Set("mfa", "true")
	}
	br.lastCB = nil
	res, err := br.c.PostForm(res.Request.URL.String(), form)
	require.NoError(br.t, err)
	res.Body.Close()
	require.NotNil(br.t, br.lastCB)
	res, body = br.get(br.lastCB.String())
	require.Equal(br.t, 200, res.StatusCode, body)
	for _, c := range br.c.Jar.Cookies(res.Request.URL) {
		if c.Name == authn.SessionCookie {
			return c
		}
	}
	br.t.Fatal("no session cookie after sign-in")
	return nil
}

// withCookie is a request header carrying a session cookie.
func withCookie(c *http.Cookie) []string { return []string{"Cookie", c.Name + "=" + c.Value} }

func demoPatient(t *testing.T, b bundle) (practiceID, patientID string) {
	t.Helper()
	require.NoError(t, b.stack.DB.QueryRowContext(context.Background(),
		`SELECT practice_id, id FROM patients ORDER BY external_id LIMIT 1`).Scan(&practiceID, &patientID))
	return practiceID, patientID
}

// The audit trail is read by compliance and by practice admins; a session
// cookie in it would let any of them become the person it names.
func TestSessionCookieStaysOutOfTheAuditTrail(t *testing.T) {
	t.Parallel()
	_, dbURL := testenv.NewEmptyDB(t, "sqlite")
	b := setup(t, dbURL)
	practiceID, patientID := demoPatient(t, b)
	cookie := newBrowser(t, b.baseURL).signIn("pat", false)

	res := b.api.Do("GET", "/api/v1/practices/"+practiceID+"/patients/"+patientID, "", withCookie(cookie)...)
	require.Equal(t, 200, res.Code, string(res.Body))
	res = b.api.Do("GET", "/api/v1/me", "", withCookie(cookie)...)
	require.Equal(t, 200, res.Code)

	carol := bearer(b.token(t, "carol"))
	var list struct {
		Items []struct {
			Action string `json:"action"`
			Actor  struct {
				SessionRef string `json:"session_ref"`
			} `json:"actor"`
		} `json:"items"`
	}
	res = b.api.Do("GET", "/api/v1/audit/events?actor=dev-pat", "", carol...)
	require.Equal(t, 200, res.Code, string(res.Body))
	res.JSON(t, &list)
	refs := map[string]bool{}
	for _, e := range list.Items {
		if e.Action == "read" {
			refs[e.Actor.SessionRef] = true
		}
	}
	require.Len(t, refs, 1, "the read names its session once")
	for ref := range refs {
		require.NotEmpty(t, ref)
		require.NotEqual(t, cookie.Value, ref)
	}
	for _, path := range []string{
		"/api/v1/audit/events?actor=dev-pat",
		"/api/v1/audit/export?format=csv&actor=dev-pat",
		"/api/v1/audit/export?format=fhir&actor=dev-pat",
	} {
		res := b.api.Do("GET", path, "", carol...)
		require.Equal(t, 200, res.Code, path)
		require.NotContains(t, string(res.Body), cookie.Value, path)
	}
	var stored int
	require.NoError(t, b.stack.DB.QueryRowContext(context.Background(),
		`SELECT COUNT(*) FROM audit_events WHERE body LIKE $1`, "%"+cookie.Value+"%").Scan(&stored))
	require.Zero(t, stored, "no stored event holds the cookie")
	require.NotContains(t, b.logs.String(), cookie.Value, "nor does the log")
}

// An ID token names who signed in to the console; it is not a credential
// for the API, before or after logout.
func TestIDTokensAreNotBearerTokens(t *testing.T) {
	t.Parallel()
	_, dbURL := testenv.NewEmptyDB(t, "sqlite")
	b := setup(t, dbURL)
	iss := b.issuer(t)
	access, idToken, err := iss.Mint("pat", mintOpts())
	require.NoError(t, err)
	now := time.Now()
	good := with(claimsFor(iss.Issuer(), now), "sub", "dev-pat")
	sign := func(c map[string]any) string {
		tok, err := iss.SignClaims(c)
		require.NoError(t, err)
		return tok
	}
	for _, tc := range []struct {
		name   string
		token  string
		status int
	}{
		{"access token", access, 200},
		{"ID token from the same sign-in", idToken, 401},
		{"a nonce", sign(with(good, "nonce", "n-1")), 401},
		{"an at_hash", sign(with(good, "at_hash", "x4C2gnDMQg5mP3FBnyeHdw")), 401},
		{"a c_hash", sign(with(good, "c_hash", "x4C2gnDMQg5mP3FBnyeHdw")), 401},
		{"Keycloak's ID typ", sign(with(good, "typ", "ID")), 401},
		{"Keycloak's Bearer typ", sign(with(good, "typ", "Bearer")), 200},
		{"several audiences, no azp", sign(with(good, "aud", []string{devstack.DevClientID, "account"})), 401},
		{"several audiences, azp another client", sign(with(with(good, "aud", []string{devstack.DevClientID, "account"}), "azp", "someone-else")), 401},
		{"several audiences, azp this client", sign(with(with(good, "aud", []string{devstack.DevClientID, "account"}), "azp", devstack.DevClientID)), 200},
		{"one audience, azp another client", sign(with(good, "azp", "someone-else")), 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := b.api.Do("GET", "/api/v1/me", "", bearer(tc.token)...)
			require.Equal(t, tc.status, res.Code, string(res.Body))
		})
	}
	require.NotContains(t, b.logs.String(), idToken[:40], "tokens are never logged")
}

// Logout sends the browser to the provider naming the client, not
// carrying the ID token in the URL.
func TestLogoutURLCarriesNoToken(t *testing.T) {
	t.Parallel()
	_, dbURL := testenv.NewEmptyDB(t, "sqlite")
	b := setup(t, dbURL)
	br := newBrowser(t, b.baseURL)
	cookie := br.signIn("alice", false)
	var w *httptest.ResponseRecorder
	for path := "/"; ; {
		page := httptest.NewRequest("GET", path, nil)
		page.AddCookie(cookie)
		w = httptest.NewRecorder()
		b.engine.ServeHTTP(w, page)
		if w.Code != http.StatusSeeOther {
			break
		}
		path = w.Header().Get("Location")
	}
	require.Equal(t, 200, w.Code)
	csrf := regexpFirst(t, w.Body.String(), `name="csrf_token" value="([^"]+)"`)
	out := httptest.NewRequest("POST", "/auth/logout", strings.NewReader("csrf_token="+url.QueryEscape(csrf)))
	out.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	out.AddCookie(cookie)
	w = httptest.NewRecorder()
	b.engine.ServeHTTP(w, out)
	require.Equal(t, http.StatusSeeOther, w.Code, w.Body.String())
	loc := w.Header().Get("Location")
	require.Contains(t, loc, "/dev/oidc/end_session")
	require.Contains(t, loc, "client_id="+devstack.DevClientID)
	require.NotContains(t, loc, "id_token_hint")
	require.NotContains(t, loc, "eyJ", "no JWT in the URL")
}

// With BACKDESK_OIDC_REQUIRE_MFA, PHI needs a sign-in that shows a second
// factor; refusals name the rule and are audited, break-glass included.
func TestPHIRequiresASecondFactorWhenConfigured(t *testing.T) {
	t.Parallel()
	_, dbURL := testenv.NewEmptyDB(t, "sqlite")
	b := setupWith(t, dbURL, func(c *devstack.Config) { c.OIDCRequireMFA = "practice_admin" })
	practiceID, patientID := demoPatient(t, b)
	path := "/api/v1/practices/" + practiceID + "/patients/" + patientID
	iss := b.issuer(t)
	plain, _, err := iss.Mint("pat", mintOpts())
	require.NoError(t, err)
	mfaOpts := mintOpts()
	mfaOpts.MFA = true
	strong, _, err := iss.Mint("pat", mfaOpts)
	require.NoError(t, err)

	res := b.api.Do("GET", path, "", append(bearer(plain), "X-Request-ID", "mfa-plain")...)
	require.Equal(t, 403, res.Code, string(res.Body))
	require.Contains(t, string(res.Body), `"mfa_required"`)
	require.Contains(t, string(res.Body), "second factor")
	var denied int
	require.NoError(t, b.stack.DB.QueryRowContext(context.Background(),
		`SELECT COUNT(*) FROM audit_events WHERE outcome = 'deny' AND body LIKE '%mfa-plain%'`).Scan(&denied))
	require.Equal(t, 1, denied, "the refusal is audited")

	res = b.api.Do("GET", path, "", bearer(strong)...)
	require.Equal(t, 200, res.Code, string(res.Body))
	res = b.api.Do("GET", "/api/v1/me", "", bearer(strong)...)
	require.Contains(t, string(res.Body), `"mfa":true`)

	// The browser: a session signed in with the second factor reads,
	// one without does not.
	res = b.api.Do("GET", path, "", withCookie(newBrowser(t, b.baseURL).signIn("pat", false))...)
	require.Equal(t, 403, res.Code)
	res = b.api.Do("GET", path, "", withCookie(newBrowser(t, b.baseURL).signIn("pat", true))...)
	require.Equal(t, 200, res.Code, string(res.Body))

	// Break-glass needs it of anyone once the rule is set.
	body := `{"patient_id":"` + patientID + `","reason":"patient on the phone disputes a charge"}`
	res = b.api.Do("POST", "/api/v1/break-glass", body, bearer(b.token(t, "carol"))...)
	require.Equal(t, 403, res.Code, string(res.Body))
	require.Contains(t, string(res.Body), `"mfa_required"`)
	carolMFA, _, err := iss.Mint("carol", mfaOpts)
	require.NoError(t, err)
	res = b.api.Do("POST", "/api/v1/break-glass", body, bearer(carolMFA)...)
	require.Equal(t, 201, res.Code, string(res.Body))
}

func regexpFirst(t *testing.T, s, pattern string) string {
	t.Helper()
	i := strings.Index(pattern, "(")
	require.GreaterOrEqual(t, i, 0)
	prefix := pattern[:i]
	at := strings.Index(s, prefix)
	require.GreaterOrEqual(t, at, 0, "no %q in the page", prefix)
	rest := s[at+len(prefix):]
	end := strings.IndexByte(rest, '"')
	require.GreaterOrEqual(t, end, 0)
	return rest[:end]
}

// A practice can demand a second factor of everyone who reads its
// patients, whatever the platform's own rule; the change takes effect at
// once and is audited.
func TestPracticeCanRequireASecondFactor(t *testing.T) {
	t.Parallel()
	_, dbURL := testenv.NewEmptyDB(t, "sqlite")
	b := setup(t, dbURL)
	practiceID, patientID := demoPatient(t, b)
	path := "/api/v1/practices/" + practiceID + "/patients/" + patientID
	iss := b.issuer(t)
	plain, _, err := iss.Mint("pat", mintOpts())
	require.NoError(t, err)
	mfaOpts := mintOpts()
	mfaOpts.MFA = true
	strong, _, err := iss.Mint("pat", mfaOpts)
	require.NoError(t, err)

	res := b.api.Do("GET", path, "", bearer(plain)...)
	require.Equal(t, 200, res.Code, "no rule yet")

	var p struct {
		Name       string `json:"name"`
		Timezone   string `json:"timezone"`
		Version    int    `json:"version"`
		RequireMFA bool   `json:"require_mfa"`
	}
	res = b.api.Do("GET", "/api/v1/practices/"+practiceID, "", bearer(plain)...)
	require.Equal(t, 200, res.Code)
	res.JSON(t, &p)
	require.False(t, p.RequireMFA)
	body := fmt.Sprintf(`{"name":%q,"timezone":%q,"version":%d,"require_mfa":true}`, p.Name, p.Timezone, p.Version)
	res = b.api.Do("PATCH", "/api/v1/practices/"+practiceID, body, bearer(plain)...)
	require.Equal(t, 200, res.Code, string(res.Body))
	res.JSON(t, &p)
	require.True(t, p.RequireMFA)

	res = b.api.Do("GET", path, "", bearer(plain)...)
	require.Equal(t, 403, res.Code, "the practice's rule holds at once")
	require.Contains(t, string(res.Body), `"mfa_required"`)
	res = b.api.Do("GET", path, "", bearer(strong)...)
	require.Equal(t, 200, res.Code, string(res.Body))

	var changed int
	require.NoError(t, b.stack.DB.QueryRowContext(context.Background(),
		`SELECT COUNT(*) FROM audit_events WHERE action = 'practice_update' AND body LIKE '%require_mfa%'`).Scan(&changed))
	require.Equal(t, 1, changed, "the change is audited, naming the setting")
}
