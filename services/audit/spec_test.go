package audit_test

import (
	"context"
	"io"
	"log/slog"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/backdesk/backdesk/pkg/audit/recorder"
	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/backdesk/backdesk/pkg/platform/web"
	auditapi "github.com/backdesk/backdesk/services/audit"
	"github.com/backdesk/backdesk/services/internal/apitest"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"
)

// The audit routes and the audit paths of docs/openapi.yaml are the same
// set, and the report and policy answers are the ones it documents.
func TestAuditRoutesMatchTheSpec(t *testing.T) {
	t.Parallel()
	env := newAnomalyEnv(t)
	rec := recorder.New(env.db, env.store, recorder.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { rec.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })

	as := identity.Principal{}
	e := web.NewEngine(web.Options{Service: "audit-test"})
	api := e.Group("/", func(c *gin.Context) {
		c.Request = c.Request.WithContext(authn.WithPrincipal(c.Request.Context(), as))
		c.Next()
	})
	newAPI(t, env.db, env.store, rec, func(d *auditapi.Deps) { d.Hours = env.hours }).Mount(api)

	param := regexp.MustCompile(`:([A-Za-z_]+)`)
	var served, documented []string
	for _, r := range e.Routes() {
		if strings.HasPrefix(r.Path, "/api/v1/audit/") {
			served = append(served, r.Method+" "+param.ReplaceAllString(r.Path, "{$1}"))
		}
	}
	for path, item := range apitest.Spec(t).Paths.Map() {
		if strings.HasPrefix(path, "/api/v1/audit/") {
			for method := range item.Operations() {
				documented = append(documented, method+" "+path)
			}
		}
	}
	sort.Strings(served)
	sort.Strings(documented)
	require.Equal(t, documented, served)

	client := apitest.New(t, e)
	as = complianceOfficer
	require.Equal(t, 200, client.Do("GET", anomaliesPath(""), "").Code)
	require.Equal(t, 200, client.Do("GET", anomaliesPath("&practice=prac-2&volume_factor=2.5&volume_min_reads=10"), "").Code)
	require.Equal(t, 400, client.Do("GET", anomaliesPath("&volume_factor=0"), "").Code)
	require.Equal(t, 200, client.Do("GET", "/api/v1/audit/policy", "").Code)
	require.Equal(t, 200, client.Do("GET", "/api/v1/audit/events?person=alice", "").Code)
	require.Equal(t, 200, client.Do("GET", "/api/v1/audit/events/evt-alice-001", "").Code)
	require.Equal(t, 200, client.Do("GET", "/api/v1/audit/reports/patients/"+secretPatient, "").Code)
	require.Equal(t, 200, client.Do("GET", "/api/v1/audit/reports/patients/"+secretPatient+"?format=csv", "").Code)
	as = identity.Principal{Issuer: "http://issuer.test", Subject: "dev-alice", Roles: []identity.Role{identity.Agent}}
	require.Equal(t, 403, client.Do("GET", anomaliesPath(""), "").Code)
	require.Equal(t, 403, client.Do("GET", "/api/v1/audit/policy", "").Code)
}
