package devstack_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// memberships returns the practices user administers, as /api/v1/me says.
func memberships(t *testing.T, b bundle, user string) []string {
	t.Helper()
	var me struct {
		Memberships []struct {
			PracticeID string `json:"practice_id"`
		} `json:"memberships"`
	}
	res := b.api.Do("GET", "/api/v1/me", "", bearer(b.token(t, user))...)
	require.Equal(t, 200, res.Code, string(res.Body))
	res.JSON(t, &me)
	out := []string{}
	for _, m := range me.Memberships {
		out = append(out, m.PracticeID)
	}
	return out
}

// countEvents counts audit events of an action with an outcome.
func countEvents(t *testing.T, b bundle, action, outcome string) int {
	t.Helper()
	var n int
	require.NoError(t, b.stack.DB.QueryRowContext(context.Background(),
		`SELECT count(*) FROM audit_events WHERE action = $1 AND outcome = $2`, action, outcome).Scan(&n))
	return n
}

// A platform admin cannot make itself a practice admin: an invitation to
// its own address is refused and audited, and it still cannot read a
// patient afterwards. An invitation that would make a platform admin or
// compliance officer a practice admin binds only after a second platform
// admin, neither its sender nor its receiver, confirms it.
func TestPlatformAdminCannotMakeItselfPracticeAdmin(t *testing.T) {
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
			invitations := "/api/v1/practices/" + demo + "/invitations"
			patient := "/api/v1/practices/" + demo + "/patients/" + patientID

			for _, email := range []string{"admin@backdesk.test", "  Admin@BackDesk.TEST "} {
				res := b.api.Do("POST", invitations, fmt.Sprintf(`{"email":%q}`, email), as("admin")...)
				require.Equal(t, 403, res.Code, "%q: %s", email, res.Body)
				require.Contains(t, string(res.Body), `"code":"self_invitation"`)
			}
			require.Empty(t, memberships(t, b, "admin"), "the refused invitation bound nothing")
			res := b.api.Do("GET", patient, "", as("admin")...)
			require.Equal(t, 403, res.Code, "a platform admin still reads no patient: %s", res.Body)
			require.Equal(t, 2, countEvents(t, b, "invitation_create", "deny"), "each refusal is audited")

			type invitation struct {
				ID    string `json:"id"`
				State string `json:"state"`
			}
			invite := func(who, email string, status int) invitation {
				t.Helper()
				res := b.api.Do("POST", invitations, fmt.Sprintf(`{"email":%q}`, email), as(who)...)
				require.Equal(t, status, res.Code, string(res.Body))
				var inv invitation
				res.JSON(t, &inv)
				return inv
			}
			confirm := func(who string, inv invitation, status int, code string) {
				t.Helper()
				res := b.api.Do("POST", invitations+"/"+inv.ID+"/confirm", "", as(who)...)
				require.Equal(t, status, res.Code, string(res.Body))
				require.Contains(t, string(res.Body), code)
			}

			// otto, another platform admin, is known: the invitation waits.
			require.Empty(t, memberships(t, b, "otto"))
			forOtto := invite("admin", "otto@backdesk.test", 201)
			require.Equal(t, "awaiting_confirmation", forOtto.State)
			require.Empty(t, memberships(t, b, "otto"), "no binding before confirmation")
			confirm("admin", forOtto, 403, `"code":"self_approval"`)
			confirm("otto", forOtto, 403, `"code":"self_approval"`)
			confirm("pat", forOtto, 403, `"code":"role_not_permitted"`)
			require.Empty(t, memberships(t, b, "otto"))

			// cleo, compliance, has never signed in: the invitation is open,
			// and waits once her sign-in shows her role.
			forCleo := invite("admin", "cleo@backdesk.test", 201)
			require.Equal(t, "open", forCleo.State)
			require.Empty(t, memberships(t, b, "cleo"), "a compliance officer's sign-in does not bind it")
			res = b.api.Do("GET", patient, "", as("cleo")...)
			require.Equal(t, 403, res.Code, string(res.Body))
			confirm("admin", forCleo, 403, `"code":"self_approval"`)
			confirm("otto", forCleo, 200, `"state":"confirmed"`)
			confirm("otto", forCleo, 409, `"code":"not_awaiting_confirmation"`)
			require.Equal(t, []string{demo}, memberships(t, b, "cleo"), "confirmed by a second person, it binds")

			// Ordinary invitees are not held up.
			require.Equal(t, "open", invite("pat", "frontdesk@lakeside.example", 201).State)

			require.Equal(t, 4, countEvents(t, b, "invitation_create", "allow"), "pat's at seeding, and three here")
			require.Equal(t, 3, countEvents(t, b, "invitation_confirm", "deny"), "every confirmation the identity rules refused")
			require.Equal(t, 1, countEvents(t, b, "invitation_confirm", "allow"))
			require.Equal(t, 1, countEvents(t, b, "invitation_accept", "deny"), "cleo's first sign-in")
			require.Equal(t, 2, countEvents(t, b, "membership_add", "allow"), "pat's at seeding, and cleo's")
		})
	}
}
