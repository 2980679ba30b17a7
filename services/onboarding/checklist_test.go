package onboarding_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/audit/recorder"
	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/backdesk/backdesk/services/internal/authz"
	"github.com/backdesk/backdesk/services/internal/servetest"
	"github.com/backdesk/backdesk/services/onboarding"
	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"
)

// TestChecklistSaysWhenAndByWhom: a done step says when it was done and
// the name of who did it; a step not done says neither.
func TestChecklistSaysWhenAndByWhom(t *testing.T) {
	for _, d := range testenv.Dialects {
		t.Run(string(d), func(t *testing.T) {
			db, url := testenv.NewDB(t, d)
			ctx := context.Background()
			proc, dom := servetest.Open(t, "onboarding", url)
			p, err := dom.Practices.Create(ctx, practice.NewPractice{Name: "Checklist Dental", NPI: "1234567893", Timezone: "America/Chicago"})
			require.NoError(t, err)
			at := time.Date(2026, 11, 20, 15, 4, 0, 0, time.UTC)
			owner := testenv.OwnerDB(t, db)
			for _, q := range []struct {
				sql  string
				args []any
			}{
				{`INSERT INTO users (id, issuer, subject, name, email, created_at, last_seen_at) VALUES ('u-pat', 'iss', 'pat', 'Pat Admin', 'pat@example.com', $1, $1)`, []any{at}},
				{`INSERT INTO practice_memberships (practice_id, user_id, role, created_at) VALUES ($2, 'u-pat', 'practice_admin', $1)`, []any{at, p.ID}},
				{`UPDATE practices SET baa_signer_name = 'Dr. Lee', baa_signed_on = '2026-11-19', baa_document_sha256 = 'ab', baa_recorded_by = 'u-pat', baa_recorded_at = $1 WHERE id = $2`, []any{at, p.ID}},
			} {
				_, err := owner.ExecContext(ctx, q.sql, q.args...)
				require.NoError(t, err, q.sql)
			}
			admin := identity.Principal{UserID: "u-pat", Issuer: "iss", Subject: "pat", Roles: []identity.Role{identity.PracticeAdmin},
				Memberships: []identity.Membership{{PracticeID: p.ID, Role: identity.PracticeAdmin}}}
			rec := recorder.New(db, auditstore.New(db), recorder.Config{})
			rctx, cancel := context.WithCancel(ctx)
			defer cancel()
			go rec.Run(rctx)
			e := web.NewEngine(web.Options{Service: "test"})
			g := e.Group("/", func(c *gin.Context) {
				c.Request = c.Request.WithContext(authn.WithPrincipal(c.Request.Context(), admin))
			})
			a, err := onboarding.New(onboarding.Deps{Practices: dom.Practices, Identity: proc.Identity, Imports: dom.Imports,
				Guard: &authz.Guard{Decider: proc.Decider, Recorder: rec}, Facts: proc.Facts, Recorder: rec,
				Patients: dom.Records.FullRecord, Checklist: proc.DB})
			require.NoError(t, err)
			a.Mount(g)

			w := httptest.NewRecorder()
			e.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/api/v1/practices/"+p.ID+"/checklist", nil))
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			var got api.Checklist
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &got))
			require.Equal(t, "baa", got.Steps[0].Key)
			require.True(t, got.Steps[0].Done)
			require.NotNil(t, got.Steps[0].DoneAt)
			require.True(t, at.Equal(*got.Steps[0].DoneAt))
			require.Equal(t, "Pat Admin", got.Steps[0].DoneBy, "by name, never an id")
			require.False(t, got.Steps[1].Done)
			require.Nil(t, got.Steps[1].DoneAt, "a step not done says nothing of when")
			require.NotContains(t, w.Body.String(), `"done_by":"u-pat"`)
		})
	}
}
