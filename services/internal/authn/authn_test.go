package authn_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/backdesk/backdesk/pkg/identity/identitystore"
	"github.com/backdesk/backdesk/pkg/platform/oidcauth"
	"github.com/backdesk/backdesk/pkg/platform/session"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/gin-gonic/gin"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type testBundle struct {
	engine   *gin.Engine
	sessions *session.Store
	clock    *clock
	// uploads receives what the upload route read of each body.
	uploads chan string
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	return setupWith(t, nil)
}

// setupWith is setup with a chance to change the authenticator first; its
// identity service maps groups named like roles to those roles.
func setupWith(t *testing.T, adjust func(a *authn.Authenticator, b *testBundle)) *testBundle {
	t.Helper()
	opt, err := redis.ParseURL(testenv.Redis(t))
	require.NoError(t, err)
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { _ = rdb.Close() })
	b := &testBundle{clock: &clock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}, uploads: make(chan string, 16)}
	b.sessions = session.NewStore(rdb, session.Config{Idle: 15 * time.Minute, Absolute: 12 * time.Hour, Now: b.clock.now})
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	db, _ := testenv.NewDB(t, sqldb.SQLite)
	roles, err := identity.ParseRoleMap("")
	require.NoError(t, err)
	a := &authn.Authenticator{Sessions: b.sessions, Identity: identity.NewService(identitystore.New(db, auditstore.New(db)), roles, b.clock.now),
		RolesClaim: "groups", Log: log}
	if adjust != nil {
		adjust(a, b)
	}
	b.engine = web.NewEngine(web.Options{Service: "test", Logger: log})
	b.engine.MaxMultipartMemory = 1 << 20 // so that any full parse of an upload spills to disk
	api := b.engine.Group("/", a.Require())
	api.GET("/api/v1/thing", func(c *gin.Context) {
		p, _ := authn.PrincipalFrom(c.Request.Context())
		c.JSON(http.StatusOK, gin.H{"session_ref": p.SessionRef})
	})
	api.GET("/api/v1/roles", func(c *gin.Context) {
		p, _ := authn.PrincipalFrom(c.Request.Context())
		c.JSON(http.StatusOK, gin.H{"roles": p.Roles})
	})
	api.POST("/api/v1/heartbeat", authn.Background, func(c *gin.Context) { c.Status(http.StatusNoContent) })
	web.AllowBody(http.MethodPost, "/api/v1/upload", 8<<20)
	api.POST("/api/v1/upload", func(c *gin.Context) {
		mr, err := c.Request.MultipartReader()
		if err != nil {
			c.Status(http.StatusBadRequest)
			return
		}
		var got strings.Builder
		for {
			part, err := mr.NextPart()
			if err != nil {
				break
			}
			n, _ := io.Copy(io.Discard, part)
			got.WriteString(part.FormName())
			got.WriteString(":")
			got.WriteString(strings.Repeat("#", min(int(n), 3)))
			got.WriteString(" ")
		}
		b.uploads <- got.String()
		c.Status(http.StatusCreated)
	})
	return b
}

func (b *testBundle) signIn(t *testing.T) (string, session.Session) {
	t.Helper()
	id, sess, err := b.sessions.Create(context.Background(), session.Session{Issuer: "https://idp", Subject: "alice"}, session.Secrets{})
	require.NoError(t, err)
	return id, sess
}

func (b *testBundle) do(method, path, sid string, body io.Reader, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, body)
	req.AddCookie(&http.Cookie{Name: authn.SessionCookie, Value: sid})
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	b.engine.ServeHTTP(w, req)
	return w
}

// A page left open polls and beats, and still signs out after 15 minutes
// without an action; only what the person does keeps the session.
func TestBackgroundRequestsDoNotKeepASessionAlive(t *testing.T) {
	t.Parallel()
	b := setup(t)
	sid, sess := b.signIn(t)
	for minute := 1; minute <= 14; minute++ {
		b.clock.add(time.Minute)
		require.Equal(t, 200, b.do("GET", "/api/v1/thing", sid, nil, authn.ActivityHeader, "background").Code, "poll at minute %d", minute)
		require.Equal(t, 204, b.do("POST", "/api/v1/heartbeat", sid, nil, authn.CSRFHeader, sess.CSRF).Code, "heartbeat at minute %d", minute)
	}
	b.clock.add(time.Minute)
	w := b.do("GET", "/api/v1/thing", sid, nil)
	require.Equal(t, 401, w.Code, "fifteen minutes with no action end the session, server-side")
	require.Contains(t, w.Body.String(), "session_expired")

	sid, _ = b.signIn(t)
	for minute := 1; minute <= 30; minute++ {
		b.clock.add(time.Minute)
		require.Equal(t, 200, b.do("GET", "/api/v1/thing", sid, nil).Code, "an action at minute %d", minute)
	}
}

func TestPrincipalCarriesSessionRefNotCookie(t *testing.T) {
	t.Parallel()
	b := setup(t)
	sid, sess := b.signIn(t)
	w := b.do("GET", "/api/v1/thing", sid, nil)
	require.Equal(t, 200, w.Code)
	require.Contains(t, w.Body.String(), sess.Ref)
	require.NotContains(t, w.Body.String(), sid)
}

func multipartBody(t *testing.T, fields [][2]string, fileSize int) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range fields {
		require.NoError(t, mw.WriteField(f[0], f[1]))
	}
	fw, err := mw.CreateFormFile("file", "patients.csv")
	require.NoError(t, err)
	_, err = fw.Write(bytes.Repeat([]byte("x"), fileSize))
	require.NoError(t, err)
	require.NoError(t, mw.Close())
	return &buf, mw.FormDataContentType()
}

// An upload posted without script carries the CSRF token in its first
// part; the token is read from there alone, the handler still reads the
// whole body, and no request leaves a temporary file behind. The test
// points TMPDIR at a directory of its own, so it cannot run in parallel.
func TestMultipartCSRFReadsOnlyTheFirstPartAndLeavesNoFiles(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	b := setup(t)
	sid, sess := b.signIn(t)
	const big = 3 << 20 // a full parse would spill it to disk

	body, ct := multipartBody(t, [][2]string{{"csrf_token", sess.CSRF}, {"kind", "patients"}}, big)
	w := b.do("POST", "/api/v1/upload", sid, body, "Content-Type", ct)
	require.Equal(t, 201, w.Code, w.Body.String())
	require.Equal(t, "csrf_token:### kind:### file:### ", <-b.uploads, "the handler reads every part, the token's included")

	for _, tc := range []struct {
		name   string
		fields [][2]string
		header []string
		status int
	}{
		{"no token", [][2]string{{"kind", "patients"}}, nil, 403},
		{"token not first", [][2]string{{"kind", "patients"}, {"csrf_token", sess.CSRF}}, nil, 403},
		{"wrong token", [][2]string{{"csrf_token", "forged"}}, nil, 403},
		{"token in the header", [][2]string{{"kind", "patients"}}, []string{authn.CSRFHeader, sess.CSRF}, 201},
	} {
		body, ct := multipartBody(t, tc.fields, big)
		w := b.do("POST", "/api/v1/upload", sid, body, append([]string{"Content-Type", ct}, tc.header...)...)
		require.Equal(t, tc.status, w.Code, tc.name)
		if tc.status == 201 {
			<-b.uploads
		}
	}

	body, ct = multipartBody(t, [][2]string{{"csrf_token", sess.CSRF}}, 9<<20)
	w = b.do("POST", "/api/v1/upload", sid, body, "Content-Type", ct)
	require.Equal(t, http.StatusRequestEntityTooLarge, w.Code, "a body over the route's limit is refused unread")

	left, err := filepath.Glob(filepath.Join(tmp, "*"))
	require.NoError(t, err)
	var files []string
	for _, f := range left {
		if st, err := os.Stat(f); err == nil && !st.IsDir() {
			files = append(files, filepath.Base(f))
		}
	}
	require.Empty(t, files, "temporary files left behind")
}

func TestBodiesAreCappedBeforeAuthentication(t *testing.T) {
	t.Parallel()
	b := setup(t)
	req := httptest.NewRequest("POST", "/api/v1/heartbeat", strings.NewReader(strings.Repeat("a", 2<<20)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	b.engine.ServeHTTP(w, req)
	require.Equal(t, http.StatusRequestEntityTooLarge, w.Code, "refused before anyone is asked who the caller is")
}

// A bearer token met with an issuer that does not match the provider's
// discovery document is answered 503 naming both issuers, so the mistake
// is read as configuration, not as an outage.
func TestIssuerMismatchIsSaidInThe503(t *testing.T) {
	t.Parallel()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"issuer":"` + srv.URL + `/","jwks_uri":"` + srv.URL + `/keys"}`))
	}))
	t.Cleanup(srv.Close)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a := &authn.Authenticator{Verifier: oidcauth.NewVerifier(oidcauth.Config{Issuer: srv.URL, ClientID: "backdesk"}), Log: log}
	e := web.NewEngine(web.Options{Service: "test", Logger: log})
	e.Group("/", a.Require()).GET("/api/v1/thing", func(c *gin.Context) { c.Status(http.StatusOK) })
	req := httptest.NewRequest("GET", "/api/v1/thing", nil)
	req.Header.Set("Authorization", "Bearer a.b.c")
	w := httptest.NewRecorder()
	e.ServeHTTP(w, req)
	require.Equal(t, http.StatusServiceUnavailable, w.Code)
	require.Contains(t, w.Body.String(), `issuer in discovery is \"`+srv.URL+`/\", configured is \"`+srv.URL+`\"`)
}
