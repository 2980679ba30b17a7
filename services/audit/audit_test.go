package audit_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/audit/recorder"
	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/backdesk/backdesk/pkg/testenv"
	auditapi "github.com/backdesk/backdesk/services/audit"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"
)

// When the audit trail cannot be written, reading it must fail closed: 503
// and none of the events, in every format.
func TestAuditReadFailsClosedWhenNotRecorded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, dbURL := testenv.NewDB(t, sqldb.SQLite)
	store := auditstore.New(db)
	const patient, eventID = "patient-sentinel-5521", "evt-sentinel"
	require.NoError(t, db.Tx(ctx, func(tx *sql.Tx) error {
		return store.Append(ctx, tx, []audit.Event{{
			ID: eventID, Time: time.Now(), Actor: audit.Actor{Subject: "dev-alice"}, Action: audit.ActionRead,
			PracticeID: "p1", PatientIDs: []string{patient}, Outcome: audit.OutcomeAllow,
		}})
	}))
	signing, verifyKey, err := audit.GenerateKey("test-audit")
	require.NoError(t, err)
	signer, err := audit.ParseSigner(signing)
	require.NoError(t, err)
	verifier, err := audit.ParseVerifier(verifyKey)
	require.NoError(t, err)
	_, err = store.Integrate(ctx, signer)
	require.NoError(t, err)

	// The recorder writes through a connection that is already closed.
	broken, err := sqldb.Open(ctx, dbURL)
	require.NoError(t, err)
	require.NoError(t, broken.Close())
	rec := recorder.New(broken, auditstore.New(broken), recorder.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	runCtx, stop := context.WithCancel(ctx)
	t.Cleanup(stop)
	go rec.Run(runCtx)

	e := web.NewEngine(web.Options{Service: "audit-test"})
	api := e.Group("/", func(c *gin.Context) {
		p := identity.Principal{Issuer: "http://issuer.test", Subject: "dev-carol", Roles: []identity.Role{identity.Compliance}}
		c.Request = c.Request.WithContext(authn.WithPrincipal(c.Request.Context(), p))
		c.Next()
	})
	newAPI(t, db, store, rec, func(d *auditapi.Deps) { d.Verifier = verifier }).Mount(api)

	for _, path := range []string{
		"/api/v1/audit/checkpoint",
		"/api/v1/audit/consistency?from=1",
		"/api/v1/audit/events",
		"/api/v1/audit/events/" + eventID,
		"/api/v1/audit/export?format=csv",
		"/api/v1/audit/export?format=fhir",
		"/api/v1/audit/reports/patients/" + patient,
		"/api/v1/audit/reports/anomalies",
		"/api/v1/audit/policy",
	} {
		t.Run(path, func(t *testing.T) {
			w := httptest.NewRecorder()
			e.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
			require.Equal(t, 503, w.Code, w.Body.String())
			require.Contains(t, w.Header().Get("Content-Type"), "application/json")
			require.NotContains(t, w.Body.String(), eventID)
			require.NotContains(t, w.Body.String(), `"items"`)
			require.NotContains(t, w.Body.String(), "root_hash")
		})
	}
}
