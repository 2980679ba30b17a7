package devstack_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/backdesk/backdesk/services/internal/auditmw"
	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"
)

// phiKeys are patient fields that only declared PHI routes may return.
var phiKeys = []string{`"date_of_birth"`, `"first_name"`, `"last_name"`, `"guarantor_name"`, `"phone"`}

func TestPHIRoutesAuditEveryRequestAndFailClosed(t *testing.T) {
	t.Parallel()
	_, dbURL := testenv.NewEmptyDB(t, "sqlite")
	b := setup(t, dbURL)
	spans := recordSpans(b)
	// A handler that fails with a text quoting a value, as a driver error
	// can; the text may reach the log, never a trace.
	b.stack.Engine.GET("/test/practices/:id/patients/:patientID/fail", func(c *gin.Context) {
		web.Fail(c, errors.New(`constraint violated by value "err-marker-77"`))
	})
	ctx := context.Background()
	db := b.stack.DB
	var practiceID, patientID string
	require.NoError(t, db.QueryRowContext(ctx, `SELECT practice_id, id FROM patients ORDER BY external_id LIMIT 1`).Scan(&practiceID, &patientID))
	path := "/api/v1/practices/" + practiceID + "/patients/" + patientID
	require.True(t, auditmw.Declared("GET", "/api/v1/practices/:id/patients/:patientID"))
	// The demo practice grants alice's team its work; without that grant
	// alice reads nobody, whatever the router has given her.
	revokeDemoGrants(t, b, practiceID)

	events := func(requestID string) (n int, outcome, subject, fields string) {
		rows, err := db.QueryContext(ctx, `SELECT outcome, actor_subject, body FROM audit_events WHERE body LIKE $1`, `%"`+requestID+`"%`)
		require.NoError(t, err)
		defer rows.Close()
		for rows.Next() {
			var body string
			require.NoError(t, rows.Scan(&outcome, &subject, &body))
			fields = body
			n++
		}
		return
	}
	tests := []struct {
		user    string
		path    string
		status  int
		outcome string
	}{
		{"pat", path, 200, "allow"},
		{"alice", path, 403, "deny"},
		{"admin", path, 403, "deny"}, // platform admins do not read patient records
		{"carol", path, 403, "deny"}, // compliance reads PHI only through break-glass
		{"pat", "/api/v1/practices/" + practiceID + "/patients/01890000-0000-7000-8000-000000000000", 404, "error"},
	}
	for _, tc := range tests {
		rid := "phi-" + tc.user + "-" + tc.outcome
		res := b.api.Do("GET", tc.path, "", "Authorization", "Bearer "+b.token(t, tc.user), "X-Request-ID", rid)
		require.Equal(t, tc.status, res.Code, "%s: %s", tc.user, res.Body)
		n, outcome, subject, body := events(rid)
		require.Equal(t, 1, n, "%s: exactly one event per request", tc.user)
		require.Equal(t, tc.outcome, outcome)
		require.Equal(t, "dev-"+tc.user, subject)
		require.Contains(t, body, tc.path[strings.LastIndex(tc.path, "/")+1:], "the event names the patient asked for")
		if tc.status == 200 {
			require.Contains(t, string(res.Body), `"date_of_birth"`)
			require.Contains(t, body, `"date_of_birth"`, "the event names the fields returned")
		} else {
			for _, k := range phiKeys {
				require.NotContains(t, string(res.Body), k)
			}
		}
	}

	// The audit store becomes unavailable: the PHI route answers 503 with
	// no patient data; routes without PHI keep working.
	_, err := db.ExecContext(ctx, `ALTER TABLE audit_events RENAME TO audit_events_away`)
	require.NoError(t, err)
	res := b.api.Do("GET", path, "", bearer(b.token(t, "pat"))...)
	require.Equal(t, http.StatusServiceUnavailable, res.Code)
	for _, k := range phiKeys {
		require.NotContains(t, string(res.Body), k)
	}
	require.Equal(t, 200, b.api.Do("GET", "/api/v1/practices", "", bearer(b.token(t, "pat"))...).Code)
	_, err = db.ExecContext(ctx, `ALTER TABLE audit_events_away RENAME TO audit_events`)
	require.NoError(t, err)
	require.Equal(t, 200, b.api.Do("GET", path, "", bearer(b.token(t, "pat"))...).Code)

	// Patient ids in the path and a query string, denied and failing
	// requests: the path, the query, the client's address and the error
	// texts stay out of the logs, the traces and the metrics.
	for _, p := range []string{path + "?q=query-marker-42", "/test" + path + "/fail?q=query-marker-42"} {
		for _, user := range []string{"pat", "alice"} {
			req := httptest.NewRequest("GET", p, nil)
			req.Header.Set("Authorization", "Bearer "+b.token(t, user))
			req.Header.Set("X-Forwarded-For", "203.0.113.9")
			b.engine.ServeHTTP(httptest.NewRecorder(), req)
		}
	}
	logs := b.logs.String()
	require.NotContains(t, logs, `"`+patientID+`"`, "patient ids stay out of the logs")
	require.NotContains(t, logs, "query-marker-42", "query values stay out of the logs")
	requireTelemetryClean(t, b, spans, "/api/v1/practices/:id/patients/:patientID",
		patientID, "query-marker-42", "192.0.2.1", "203.0.113.9", "err-marker-77", "constraint violated", "audit_events", "no such table")
}

// TestOnlyDeclaredRoutesReturnPatientFields walks every GET route without
// path parameters beyond the practice, as the practice's admin, and fails
// if a route not declared PHI returns patient fields.
func TestOnlyDeclaredRoutesReturnPatientFields(t *testing.T) {
	t.Parallel()
	_, dbURL := testenv.NewEmptyDB(t, "sqlite")
	b := setup(t, dbURL)
	var practiceID, patientID string
	require.NoError(t, b.stack.DB.QueryRowContext(context.Background(), `SELECT practice_id, id FROM patients LIMIT 1`).Scan(&practiceID, &patientID))
	pat := b.token(t, "pat")
	checked := 0
	for _, r := range b.routes() {
		if r.Method != "GET" || strings.HasPrefix(r.Path, "/dev/oidc") || strings.HasPrefix(r.Path, "/auth") {
			continue
		}
		p := strings.NewReplacer(":id", practiceID, ":patientID", patientID, ":importID", "01890000-0000-7000-8000-000000000000", ":kind", "recare").Replace(r.Path)
		req := httptest.NewRequest("GET", p, nil)
		req.Header.Set("Authorization", "Bearer "+pat)
		w := httptest.NewRecorder()
		b.engine.ServeHTTP(w, req)
		if !json.Valid(w.Body.Bytes()) {
			continue // pages, metrics, exports
		}
		returns := false
		for _, k := range phiKeys {
			if k == `"phone"` && r.Path == "/api/v1/practices/:id/locations" {
				continue // an office's phone is the practice's, for patients to call back
			}
			returns = returns || strings.Contains(w.Body.String(), k)
		}
		if returns {
			require.True(t, auditmw.Declared("GET", r.Path), "%s returns patient fields but is not declared PHI", r.Path)
		}
		checked++
	}
	require.Greater(t, checked, 10)
}

// revokeDemoGrants ends every grant of the practice, on every replica.
func revokeDemoGrants(t *testing.T, b bundle, practiceID string) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, b.stack.DB.Tx(sqldb.WithPractice(ctx, practiceID), func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE grants SET revoked_at = $2 WHERE practice_id = $1 AND revoked_at IS NULL`, practiceID, time.Now().UTC())
		return err
	}))
	b.stack.Facts.Invalidate(ctx, access.AllKey)
}
