package devstack_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/roster"
	"github.com/backdesk/backdesk/pkg/roster/rosterstore"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

type grantJSON struct {
	ID      string `json:"id"`
	State   string `json:"state"`
	Version int    `json:"version"`
}

// The access routes through HTTP on both databases: a practice admin
// grants and revokes, a billing manager requests and the admin decides,
// compliance reviews break-glass. Each refusal carries its rule's code.
func TestGrantsRequestsAndBreakGlassOverHTTP(t *testing.T) {
	t.Parallel()
	for _, d := range testenv.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			dbURL := appDatabase(t, d) // the application role on PostgreSQL, as in production
			b := setup(t, dbURL)
			ctx := context.Background()
			db := b.stack.DB
			var practiceID, patientID string
			require.NoError(t, db.Tx(sqldb.AllPractices(ctx), func(tx *sql.Tx) error {
				return tx.QueryRowContext(ctx, `SELECT practice_id, id FROM patients ORDER BY external_id LIMIT 1`).Scan(&practiceID, &patientID)
			}))
			// An agent on a team, set up as a billing manager would.
			r := roster.NewService(rosterstore.New(db, auditstore.New(db)))
			seeder := audit.Event{Actor: audit.SystemActor} // the platform sets the roster up
			now := time.Now()
			issuer := b.stack.Config.OIDCIssuer
			uid, err := r.EnsureUser(ctx, issuer, "dev-bob", "Bob Agent", "bob@backdesk.test", now)
			require.NoError(t, err)
			require.NoError(t, r.PutAgent(ctx, seeder, roster.Agent{UserID: uid, DisplayName: "Bob", Active: true}, now))
			team, err := r.CreateTeam(ctx, seeder, "HTTP test team "+string(d), now)
			require.NoError(t, err)
			require.NoError(t, r.AddMember(ctx, seeder, team.ID, uid, now))

			as := func(user string) []string { return bearer(b.token(t, user)) }
			grants := "/api/v1/practices/" + practiceID + "/grants"
			body := fmt.Sprintf(`{"grantee":{"type":"team","id":%q},"kinds":["balance_followup"],"reason":"Outsourced AR follow-up"}`, team.ID)

			res := b.api.Do("POST", grants, body, as("admin")...)
			require.Equal(t, 403, res.Code, "platform admins do not give grants: %s", res.Body)
			require.Contains(t, string(res.Body), `"not_a_member"`)
			res = b.api.Do("POST", grants, `{"grantee":{"type":"team","id":"nope"},"kinds":["balance_followup"],"reason":"Outsourced AR follow-up"}`, as("pat")...)
			require.Equal(t, 400, res.Code)
			require.Contains(t, string(res.Body), `"grantee.id"`)
			res = b.api.Do("POST", grants, body, as("pat")...)
			require.Equal(t, 201, res.Code, string(res.Body))
			var g grantJSON
			res.JSON(t, &g)
			require.Equal(t, "active", g.State)

			res = b.api.Do("GET", grants, "", as("pat")...)
			require.Equal(t, 200, res.Code)
			require.Contains(t, string(res.Body), g.ID)
			res = b.api.Do("GET", grants, "", as("maria")...)
			require.Equal(t, 403, res.Code)

			// Requests: maria asks, maria cannot decide, pat approves.
			reqs := "/api/v1/practices/" + practiceID + "/access-requests"
			res = b.api.Do("POST", reqs, fmt.Sprintf(`{"team_id":%q,"kinds":["claim_followup"],"days":30,"reason":"Claims team takes over payer calls"}`, team.ID), as("maria")...)
			require.Equal(t, 201, res.Code, string(res.Body))
			var req struct {
				ID string `json:"id"`
			}
			res.JSON(t, &req)
			res = b.api.Do("POST", "/api/v1/access-requests/"+req.ID+"/approve", `{}`, as("maria")...)
			require.Equal(t, 403, res.Code)
			res = b.api.Do("GET", "/api/v1/access-requests/"+req.ID, "", as("maria")...)
			require.Equal(t, 200, res.Code)
			res = b.api.Do("POST", "/api/v1/access-requests/"+req.ID+"/approve", `{"note":"ok"}`, as("pat")...)
			require.Equal(t, 200, res.Code, string(res.Body))
			var decided struct {
				Request struct{ State, GrantID string } `json:"request"`
				Grant   grantJSON                       `json:"grant"`
			}
			require.NoError(t, json.Unmarshal(res.Body, &decided))
			require.Equal(t, "approved", decided.Request.State)
			require.NotEmpty(t, decided.Grant.ID)

			// Revocation: stale versions conflict, the current one revokes.
			res = b.api.Do("POST", "/api/v1/grants/"+g.ID+"/revoke", `{"version":7}`, as("pat")...)
			require.Equal(t, 409, res.Code)
			res = b.api.Do("POST", "/api/v1/grants/"+g.ID+"/revoke", fmt.Sprintf(`{"version":%d,"note":"contract ended"}`, g.Version), as("pat")...)
			require.Equal(t, 200, res.Code, string(res.Body))
			res.JSON(t, &g)
			require.Equal(t, "revoked", g.State)

			// Break-glass: a reason is required; compliance sees and reviews it.
			res = b.api.Do("POST", "/api/v1/break-glass", fmt.Sprintf(`{"patient_id":%q,"reason":"need it"}`, patientID), as("carol")...)
			require.Equal(t, 400, res.Code)
			require.Contains(t, string(res.Body), `"reason"`)
			res = b.api.Do("POST", "/api/v1/break-glass", fmt.Sprintf(`{"patient_id":%q,"reason":"need it"}`, patientID), as("maria")...)
			require.Equal(t, 403, res.Code)
			res = b.api.Do("POST", "/api/v1/break-glass", fmt.Sprintf(`{"patient_id":%q,"reason":"Patient disputes a charge on the phone now"}`, patientID), as("carol")...)
			require.Equal(t, 201, res.Code, string(res.Body))
			var bg struct {
				ID   string `json:"id"`
				Open bool   `json:"open"`
			}
			res.JSON(t, &bg)
			require.True(t, bg.Open)
			res = b.api.Do("GET", "/api/v1/break-glass?unreviewed=true", "", as("carol")...)
			require.Equal(t, 200, res.Code)
			require.Contains(t, string(res.Body), bg.ID)
			res = b.api.Do("GET", "/api/v1/break-glass", "", as("alice")...)
			require.Equal(t, 403, res.Code)
			// Another compliance officer reviews it: carol opened it.
			res = b.api.Do("POST", "/api/v1/break-glass/"+bg.ID+"/review", `{"note":"Confirmed against the call log","disposition":"justified"}`, as("cleo")...)
			require.Equal(t, 200, res.Code, string(res.Body))
			res.JSON(t, &bg)
			require.False(t, bg.Open, "a reviewed session is closed")

			// Every change is in the audit trail.
			var n int
			require.NoError(t, db.QueryRowContext(ctx, `SELECT count(*) FROM audit_events WHERE action IN ('grant', 'revoke', 'break_glass')`).Scan(&n))
			require.GreaterOrEqual(t, n, 4)
		})
	}
}
