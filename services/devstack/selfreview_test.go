package devstack_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/backdesk/backdesk/services/devstack/devissuer"
	"github.com/stretchr/testify/require"
)

// Reviewers cannot close their own cases: compliance does not review its
// own break-glass session or an anomaly about itself, a practice admin
// does not re-certify a grant it gave, and a second account of the same
// person (the same verified email) is that person. Each refusal is a 403
// with its code and an audited denial. A break-glass review needs a note
// of substance and a disposition, which the answer shows.
func TestReviewersCannotCloseTheirOwnCases(t *testing.T) {
	t.Parallel()
	for _, d := range testenv.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			b := setup(t, appDatabase(t, d))
			ctx := context.Background()
			demo := memberships(t, b, "pat")[0]
			var patientID string
			require.NoError(t, b.stack.DB.Tx(sqldb.WithPractice(ctx, demo), func(tx *sql.Tx) error {
				return tx.QueryRow(`SELECT id FROM patients WHERE practice_id = $1 ORDER BY id LIMIT 1`, demo).Scan(&patientID)
			}))
			as := func(user string) []string { return bearer(b.token(t, user)) }
			denials := func(code string) int {
				t.Helper()
				var n int
				require.NoError(t, b.stack.DB.QueryRowContext(ctx,
					`SELECT count(*) FROM audit_events WHERE outcome = 'deny' AND body LIKE $1`, `%"reason":"`+code+`"%`).Scan(&n))
				return n
			}
			// carol opens break-glass and reads the patient under it.
			res := b.api.Do("POST", "/api/v1/break-glass", fmt.Sprintf(`{"patient_id":%q,"reason":"Patient disputes a charge on the phone now"}`, patientID), as("carol")...)
			require.Equal(t, 201, res.Code, string(res.Body))
			var bg struct {
				ID string `json:"id"`
			}
			res.JSON(t, &bg)
			res = b.api.Do("GET", "/api/v1/practices/"+demo+"/patients/"+patientID, "", as("carol")...)
			require.Equal(t, 200, res.Code, string(res.Body))

			review := "/api/v1/break-glass/" + bg.ID + "/review"
			good := `{"note":"Call log shows the patient called about this charge.","disposition":"justified"}`
			res = b.api.Do("POST", review, good, as("carol")...)
			require.Equal(t, 403, res.Code, "compliance reviewed its own break-glass: %s", res.Body)
			require.Contains(t, string(res.Body), `"code":"self_review"`)
			require.Contains(t, string(res.Body), "someone other than the person who opened it")
			require.Equal(t, 1, denials("self_review"))
			res = b.api.Do("GET", "/api/v1/break-glass?unreviewed=true", "", as("cleo")...)
			require.Contains(t, string(res.Body), bg.ID, "the session still waits for a review")

			for _, tc := range []struct{ body, field string }{
				{`{"note":"ok","disposition":"justified"}`, "note"},
				{`{"note":"   looked at it, fine      "}`, "note"},
				{`{"note":"Call log shows the patient called about this charge."}`, "disposition"},
				{`{"note":"Call log shows the patient called about this charge.","disposition":"fine"}`, "disposition"},
			} {
				res = b.api.Do("POST", review, tc.body, as("cleo")...)
				require.Equal(t, 400, res.Code, "%s: %s", tc.body, res.Body)
				require.Contains(t, string(res.Body), `"field":"`+tc.field+`"`)
			}
			res = b.api.Do("POST", review, good, as("cleo")...)
			require.Equal(t, 200, res.Code, string(res.Body))
			var reviewed struct {
				Open              bool   `json:"open"`
				ReviewNote        string `json:"review_note"`
				ReviewDisposition string `json:"review_disposition"`
			}
			res.JSON(t, &reviewed)
			require.False(t, reviewed.Open)
			require.Equal(t, "justified", reviewed.ReviewDisposition)
			require.Equal(t, "Call log shows the patient called about this charge.", reviewed.ReviewNote)

			// The anomaly about carol's break-glass is someone else's to close.
			var rep struct {
				Items []struct {
					Key   string `json:"key"`
					Kind  string `json:"kind"`
					Actor struct {
						Subject string `json:"subject"`
					} `json:"actor"`
				} `json:"items"`
			}
			res = b.api.Do("GET", "/api/v1/audit/reports/anomalies", "", as("cleo")...)
			require.Equal(t, 200, res.Code, string(res.Body))
			res.JSON(t, &rep)
			key := ""
			for _, it := range rep.Items {
				if it.Kind == "break_glass" && it.Actor.Subject == "dev-carol" {
					key = it.Key
				}
			}
			require.NotEmpty(t, key)
			note := fmt.Sprintf(`{"key":%q,"note":"Confirmed with the practice: the patient called."}`, key)
			res = b.api.Do("POST", "/api/v1/audit/reviews", note, as("carol")...)
			require.Equal(t, 403, res.Code, "compliance closed an anomaly about itself: %s", res.Body)
			require.Contains(t, string(res.Body), `"code":"self_review"`)
			require.Equal(t, 2, denials("self_review"))
			res = b.api.Do("POST", "/api/v1/audit/reviews", fmt.Sprintf(`{"key":%q,"note":"Confirmed with the practice."}`, key+"x"), as("cleo")...)
			require.Equal(t, 400, res.Code, "a key the report never gave: %s", res.Body)
			require.Contains(t, string(res.Body), `"field":"key"`)
			res = b.api.Do("POST", "/api/v1/audit/reviews", note, as("cleo")...)
			require.Equal(t, 201, res.Code, string(res.Body))

			// pat gave the demo grant, so pat does not re-certify it.
			var grants struct {
				Grants []struct {
					ID      string `json:"id"`
					Version int    `json:"version"`
				} `json:"grants"`
			}
			b.api.Do("GET", "/api/v1/practices/"+demo+"/grants", "", as("pat")...).JSON(t, &grants)
			require.NotEmpty(t, grants.Grants)
			g := grants.Grants[0]
			res = b.api.Do("POST", "/api/v1/grants/"+g.ID+"/recertify", fmt.Sprintf(`{"version":%d}`, g.Version), as("pat")...)
			require.Equal(t, 403, res.Code, "a practice admin re-certified its own grant: %s", res.Body)
			require.Contains(t, string(res.Body), `"code":"self_review"`)
			require.Equal(t, 3, denials("self_review"))

			// maria asks for access; then maria's account at the provider
			// carries pat's verified address: one person, two accounts, so
			// pat cannot approve.
			var team string
			require.NoError(t, b.stack.DB.QueryRowContext(ctx, `SELECT id FROM teams ORDER BY created_at LIMIT 1`).Scan(&team))
			res = b.api.Do("POST", "/api/v1/practices/"+demo+"/access-requests",
				fmt.Sprintf(`{"team_id":%q,"kinds":["claim_followup"],"days":30,"reason":"Claims team takes over payer calls"}`, team), as("maria")...)
			require.Equal(t, 201, res.Code, string(res.Body))
			var req struct {
				ID string `json:"id"`
			}
			res.JSON(t, &req)
			signInAs(t, b, "maria", "pat@backdesk.test")
			res = b.api.Do("POST", "/api/v1/access-requests/"+req.ID+"/approve", `{"note":"ok"}`, as("pat")...)
			require.Equal(t, 403, res.Code, "one person approved its own request from a second account: %s", res.Body)
			require.Contains(t, string(res.Body), `"code":"self_approval"`)
			require.Equal(t, 1, denials("self_approval"))

			// The same for break-glass: alice's account carries carol's
			// address, so carol does not review alice's session.
			res = b.api.Do("POST", "/api/v1/break-glass", fmt.Sprintf(`{"patient_id":%q,"reason":"Patient on the phone, no item assigned yet"}`, patientID), as("alice")...)
			require.Equal(t, 201, res.Code, string(res.Body))
			res.JSON(t, &bg)
			signInAs(t, b, "alice", "carol@backdesk.test")
			res = b.api.Do("POST", "/api/v1/break-glass/"+bg.ID+"/review", good, as("carol")...)
			require.Equal(t, 403, res.Code, "reviewed a session opened from one's other account: %s", res.Body)
			require.Contains(t, string(res.Body), `"code":"self_review"`)
			require.Equal(t, 4, denials("self_review"))
		})
	}
}

// signInAs signs a demo user's identity in with another verified address,
// as the provider would after the address changed: the user's record then
// links it to whoever else signs in with that address verified.
func signInAs(t *testing.T, b bundle, user, email string) {
	t.Helper()
	for _, u := range devissuer.DemoUsers() {
		if u.Username == user {
			_, err := b.stack.Identity.Principal(context.Background(), identity.Identity{Issuer: b.stack.Config.OIDCIssuer,
				Subject: u.Subject, Name: u.Name, Email: email, EmailVerified: true, Groups: u.Groups})
			require.NoError(t, err)
			return
		}
	}
	t.Fatalf("no demo user %q", user)
}
