package devstack_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// An item finished with a payment shows on the managers' board and the
// practice's summary; a hand-off to a team lands with a member; the item
// view carries talking points.
func TestBoardSummaryAndTeamHandoff(t *testing.T) {
	t.Parallel()
	for _, d := range testenv.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			dbURL := appDatabase(t, d) // the application role on PostgreSQL, as in production
			b := setup(t, dbURL)
			ctx := context.Background()
			db := b.stack.DB
			waitRouted(t, b)
			alice, maria, pat := bearer(b.token(t, "alice")), bearer(b.token(t, "maria")), bearer(b.token(t, "pat"))
			var aliceID, bobID string
			require.NoError(t, db.QueryRowContext(ctx, `SELECT id FROM users WHERE subject = 'dev-alice'`).Scan(&aliceID))
			require.NoError(t, db.QueryRowContext(ctx, `SELECT id FROM users WHERE subject = 'dev-bob'`).Scan(&bobID))

			type started struct {
				ItemID     string `json:"item_id"`
				PracticeID string `json:"practice_id"`
				Kind       string `json:"kind"`
				Version    int    `json:"version"`
			}
			var first started
			res := b.api.Do("POST", "/api/v1/work/next", "", alice...)
			require.Equal(t, 200, res.Code, string(res.Body))
			res.JSON(t, &first)
			view := "/api/v1/work/items/" + first.ItemID
			var item struct {
				TalkingPoints []string `json:"talking_points"`
			}
			res = b.api.Do("GET", view, "", alice...)
			require.Equal(t, 200, res.Code, string(res.Body))
			res.JSON(t, &item)
			require.NotEmpty(t, item.TalkingPoints)

			res = b.api.Do("POST", view+"/outcomes", fmt.Sprintf(`{"channel":"call","outcome":"paid","paid_cents":12000,"version":%d}`, first.Version), alice...)
			require.Equal(t, 200, res.Code, string(res.Body))

			// The board: alice completed one item today; nothing in it names a patient.
			var board struct {
				Agents []struct {
					UserID         string `json:"user_id"`
					CompletedToday int    `json:"completed_today"`
					ContactsToday  int    `json:"contacts_today"`
					OnShift        bool   `json:"on_shift"`
				} `json:"agents"`
				Totals struct {
					Assigned int `json:"assigned"`
				} `json:"totals"`
				History []struct {
					Day string `json:"day"`
				} `json:"history"`
			}
			res = b.api.Do("GET", "/api/v1/work/board?days=3", "", maria...)
			require.Equal(t, 200, res.Code, string(res.Body))
			for _, k := range phiKeys {
				require.NotContains(t, string(res.Body), k, "the board carries no patient data")
			}
			res.JSON(t, &board)
			require.Positive(t, board.Totals.Assigned)
			require.NotEmpty(t, board.History)
			found := false
			for _, a := range board.Agents {
				if a.UserID == aliceID {
					found = true
					require.Equal(t, 1, a.CompletedToday)
					require.Equal(t, 1, a.ContactsToday)
					require.True(t, a.OnShift, "the demo agents are available with no fixed hours")
				}
			}
			require.True(t, found, "alice is on the board")
			require.Equal(t, 403, b.api.Do("GET", "/api/v1/work/board", "", alice...).Code, "agents do not see the board")
			res = b.api.Do("GET", "/api/v1/work/board?days=500", "", maria...)
			require.Equal(t, 400, res.Code)
			require.Contains(t, string(res.Body), `"field":"days"`)

			// The practice's summary: the payment and the resolved item.
			var sum struct {
				ResolvedThisWeek []struct {
					Kind  string `json:"kind"`
					Count int    `json:"count"`
				} `json:"resolved_this_week"`
				ThisWeek struct {
					PaidCents int64 `json:"paid_cents"`
				} `json:"this_week"`
				LastContacts []struct {
					WorkItemID string `json:"work_item_id"`
					Outcome    string `json:"outcome"`
				} `json:"last_contacts"`
			}
			res = b.api.Do("GET", "/api/v1/work/practices/"+first.PracticeID+"/summary", "", pat...)
			require.Equal(t, 200, res.Code, string(res.Body))
			for _, k := range phiKeys {
				require.NotContains(t, string(res.Body), k, "the summary carries no patient data")
			}
			res.JSON(t, &sum)
			require.Equal(t, int64(12000), sum.ThisWeek.PaidCents)
			require.Len(t, sum.ResolvedThisWeek, 1)
			require.Equal(t, first.Kind, sum.ResolvedThisWeek[0].Kind)
			require.NotEmpty(t, sum.LastContacts)
			require.Equal(t, first.ItemID, sum.LastContacts[0].WorkItemID)
			require.Equal(t, "paid", sum.LastContacts[0].Outcome)

			// The coverage of the coming week's visits, in the practice's
			// days, counts without patient data.
			var cov struct {
				Timezone string `json:"timezone"`
				Days     []struct {
					Date   string `json:"date"`
					Visits int    `json:"visits"`
				} `json:"days"`
			}
			res = b.api.Do("GET", "/api/v1/work/practices/"+first.PracticeID+"/verification", "", pat...)
			require.Equal(t, 200, res.Code, string(res.Body))
			for _, k := range phiKeys {
				require.NotContains(t, string(res.Body), k, "the coverage carries no patient data")
			}
			res.JSON(t, &cov)
			require.NotEmpty(t, cov.Timezone)
			require.Len(t, cov.Days, 7)
			res = b.api.Do("GET", "/api/v1/work/practices/"+first.PracticeID+"/verification?days=90", "", pat...)
			require.Equal(t, 400, res.Code)
			require.Contains(t, string(res.Body), `"field":"days"`)

			// The practice admin sees its grants' teams by name, though it
			// may not list teams.
			var grants struct {
				Grants []struct {
					Grantee struct{ Type, ID, Name string } `json:"grantee"`
				} `json:"grants"`
			}
			res = b.api.Do("GET", "/api/v1/practices/"+first.PracticeID+"/grants", "", pat...)
			require.Equal(t, 200, res.Code, string(res.Body))
			res.JSON(t, &grants)
			require.NotEmpty(t, grants.Grants)
			require.Equal(t, "Lakeside billing team", grants.Grants[0].Grantee.Name)
			require.Equal(t, 403, b.api.Do("GET", "/api/v1/teams", "", pat...).Code)

			// A hand-off to the team goes to its other member, bob.
			var teams struct {
				Teams []struct {
					ID string `json:"id"`
				} `json:"teams"`
			}
			b.api.Do("GET", "/api/v1/teams", "", maria...).JSON(t, &teams)
			require.NotEmpty(t, teams.Teams)
			var second started
			res = b.api.Do("POST", "/api/v1/work/next", "", alice...)
			require.Equal(t, 200, res.Code, string(res.Body))
			res.JSON(t, &second)
			handoff := "/api/v1/work/items/" + second.ItemID + "/handoff"
			res = b.api.Do("POST", handoff, fmt.Sprintf(`{"team":"no-such-team","version":%d}`, second.Version), alice...)
			require.Equal(t, 400, res.Code)
			require.Contains(t, string(res.Body), `"field":"team"`)
			res = b.api.Do("POST", handoff, fmt.Sprintf(`{"team":%q,"to":%q,"version":%d}`, teams.Teams[0].ID, bobID, second.Version), alice...)
			require.Equal(t, 400, res.Code, "an agent or a team, not both")
			res = b.api.Do("POST", handoff, fmt.Sprintf(`{"team":%q,"note":"needs a Spanish speaker","version":%d}`, teams.Teams[0].ID, second.Version), alice...)
			require.Equal(t, 200, res.Code, string(res.Body))
			require.Contains(t, string(res.Body), bobID)
		})
	}
}
