package scalebench_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/backdesk/backdesk/pkg/testenv/scale"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/backdesk/backdesk/services/internal/catalog"
	"github.com/backdesk/backdesk/services/internal/domains"
	"github.com/backdesk/backdesk/services/internal/serve"
	"github.com/backdesk/backdesk/services/internal/servetest"
	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"
)

// bench is one loaded company served in-process.
type bench struct {
	c      *scale.Company
	owner  *sqldb.DB // the table owner's connection, for loading and PostgreSQL's counters
	app    *sqldb.DB // the application role's, for EXPLAIN as the services see the tables
	sample sample    // arguments for the catalog's lookups
	proc   *serve.Process
	dom    *domains.Domains
	h      http.Handler
	loaded scale.Report
}

// open loads the company of size into a database of its own (dropped when
// t ends) and serves the workqueue and audit routes over it as the
// services build them, each request signed in as the person its X-As
// header names.
func open(t *testing.T, size scale.Size) *bench {
	t.Helper()
	ctx := context.Background()
	app, url := testenv.NewDB(t, sqldb.Postgres)
	b := &bench{c: scale.New(size, time.Now()), owner: testenv.OwnerDB(t, app), app: app}
	skey, _, err := audit.GenerateKey("backdesk-scale")
	require.NoError(t, err)
	signer, err := audit.ParseSigner(skey)
	require.NoError(t, err)
	b.loaded, err = scale.Load(ctx, b.owner, b.c, signer)
	require.NoError(t, err)
	b.proc, b.dom = servetest.Open(t, "workqueue", url)
	// The audit routes check checkpoints against the key that signed them.
	require.NoError(t, b.proc.SetAuditKey(skey))
	e := web.NewEngine(web.Options{Service: "scalebench"})
	require.NoError(t, catalog.Build(ctx, b.proc, b.dom, catalog.Options{API: e.Group("/", b.signIn)}, "workqueue", "audit"))
	b.h = e
	b.sample = b.newSample()
	return b
}

// People a request can be made as, in its X-As header.
func asAgent(a int) string   { return "agent:" + strconv.Itoa(a) }
func asManager() string      { return "manager:0" }
func asCompliance() string   { return "compliance" }
func asAdminOf(p int) string { return "admin:" + strconv.Itoa(p) }
func splitAs(s string) (string, int) {
	role, n, _ := strings.Cut(s, ":")
	i, _ := strconv.Atoi(n)
	return role, i
}

// signIn puts on the request the principal its X-As header names, as
// authentication would after a sign-in.
func (b *bench) signIn(c *gin.Context) {
	role, n := splitAs(c.GetHeader("X-As"))
	p := identity.Principal{Issuer: scale.Issuer}
	switch role {
	case "agent":
		p.UserID, p.Subject, p.Roles = b.c.AgentID(n), b.c.AgentSubject(n), []identity.Role{identity.Agent}
	case "manager":
		p.UserID, p.Subject, p.Roles = b.c.ManagerID(n), b.c.ManagerSubject(n), []identity.Role{identity.BillingManager}
	case "compliance":
		p.UserID, p.Subject, p.Roles = b.c.ComplianceID(), b.c.ComplianceSubject(), []identity.Role{identity.Compliance}
	case "admin":
		p.UserID, p.Subject, p.Roles = b.c.AdminID(n), b.c.AdminSubject(n), []identity.Role{identity.PracticeAdmin}
		p.Memberships = []identity.Membership{{PracticeID: b.c.PracticeID(n), Role: identity.PracticeAdmin}}
	}
	c.Request = c.Request.WithContext(authn.WithPrincipal(c.Request.Context(), p))
}

// call makes one request as who and decodes a JSON answer into out (when
// given). A 204 is reported as ok=false.
func (b *bench) call(who, method, path, body string, out any) (ok bool, err error) {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("X-As", who)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	w := httptest.NewRecorder()
	b.h.ServeHTTP(w, req)
	switch {
	case w.Code == http.StatusNoContent:
		return false, nil
	case w.Code != http.StatusOK:
		return false, fmt.Errorf("%s %s as %s: status %d: %s", method, path, who, w.Code, w.Body)
	case out != nil:
		return true, json.Unmarshal(w.Body.Bytes(), out)
	}
	return true, nil
}

// stream makes one request whose answer is read and dropped as it comes,
// as a download is, and returns how many bytes it was.
func (b *bench) stream(who, path string) (int64, error) {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("X-As", who)
	w := &discard{header: http.Header{}}
	b.h.ServeHTTP(w, req)
	if w.code != http.StatusOK {
		return w.n, fmt.Errorf("GET %s as %s: status %d", path, who, w.code)
	}
	return w.n, nil
}

// discard is a ResponseWriter that counts what it is sent and keeps none
// of it, so a month's export need not fit in memory.
type discard struct {
	header http.Header
	code   int
	n      int64
}

func (d *discard) Header() http.Header { return d.header }

func (d *discard) WriteHeader(code int) {
	if d.code == 0 {
		d.code = code
	}
}

func (d *discard) Write(p []byte) (int, error) {
	d.WriteHeader(http.StatusOK)
	d.n += int64(len(p))
	return len(p), nil
}

func (d *discard) Flush() {}
