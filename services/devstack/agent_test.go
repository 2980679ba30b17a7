package devstack_test

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// The agent's cycle on the demo data: queue, next, the item view (exactly
// the kind's fields, one audit event), an outcome that must carry its next
// contact date, and a stale write refused.
func TestAgentCycle(t *testing.T) {
	t.Parallel()
	for _, d := range testenv.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			_, dbURL := testenv.NewEmptyDB(t, d)
			b := setup(t, dbURL)
			ctx := context.Background()
			db := b.stack.DB
			require.Eventually(t, func() bool {
				var open int
				require.NoError(t, db.Tx(sqldb.AllPractices(ctx), func(tx *sql.Tx) error {
					return tx.QueryRowContext(ctx, `SELECT count(*) FROM work_items WHERE state = 'open'`).Scan(&open)
				}))
				return open == 0
			}, 2*time.Minute, 50*time.Millisecond, "the demo work is routed")
			alice, bob := bearer(b.token(t, "alice")), bearer(b.token(t, "bob"))

			var queue struct {
				Items []struct {
					ItemID string `json:"item_id"`
				} `json:"items"`
				Counts map[string]int `json:"counts"`
			}
			res := b.api.Do("GET", "/api/v1/work/queue", "", alice...)
			require.Equal(t, 200, res.Code, string(res.Body))
			res.JSON(t, &queue)
			require.NotEmpty(t, queue.Items)
			for _, k := range phiKeys {
				require.NotContains(t, string(res.Body), k, "the queue carries no patient data")
			}

			var started struct {
				ItemID  string      `json:"item_id"`
				Kind    policy.Kind `json:"kind"`
				Version int         `json:"version"`
			}
			res = b.api.Do("POST", "/api/v1/work/next", "", alice...)
			require.Equal(t, 200, res.Code, string(res.Body))
			res.JSON(t, &started)
			require.Equal(t, queue.Items[0].ItemID, started.ItemID, "next starts the top of the queue")

			view := "/api/v1/work/items/" + started.ItemID
			res = b.api.Do("GET", view, "", append(alice, "X-Request-ID", "cycle-view")...)
			require.Equal(t, 200, res.Code, string(res.Body))
			var item struct {
				Patient map[string]any `json:"patient"`
			}
			res.JSON(t, &item)
			want := access.FieldsOf(access.KindGroups[started.Kind])
			require.Equal(t, slices.Sorted(slices.Values(want)), slices.Sorted(maps.Keys(item.Patient)), "exactly the kind's field set")
			var events int
			require.NoError(t, db.QueryRowContext(ctx, `SELECT count(*) FROM audit_events WHERE body LIKE '%cycle-view%'`).Scan(&events))
			require.Equal(t, 1, events, "one audit event per view")

			res = b.api.Do("GET", view, "", bob...)
			require.Equal(t, 403, res.Code, "bob has the grant but not the item")
			require.Contains(t, string(res.Body), `"no_owned_work_item"`)

			outcomes := view + "/outcomes"
			res = b.api.Do("POST", outcomes, fmt.Sprintf(`{"channel":"call","outcome":"voicemail","version":%d}`, started.Version), alice...)
			require.Equal(t, 400, res.Code)
			require.Contains(t, string(res.Body), `"field":"next_contact_at"`)
			next := time.Now().UTC().AddDate(0, 0, 3).Format(time.RFC3339)
			body := fmt.Sprintf(`{"channel":"call","outcome":"voicemail","note":"left a message","next_contact_at":%q,"version":%d}`, next, started.Version)
			res = b.api.Do("POST", outcomes, body, alice...)
			require.Equal(t, 200, res.Code, string(res.Body))
			res = b.api.Do("POST", outcomes, body, alice...)
			require.Equal(t, 409, res.Code, "the same version twice is a stale write")
			res = b.api.Do("POST", outcomes, body, bob...)
			require.Equal(t, 403, res.Code)
		})
	}
}
