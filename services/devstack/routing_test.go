package devstack_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// After start the demo's follow-up items reach alice and bob through the
// outbox, asynq and the router: every item gets an owner whose grant
// covers it, and the managers' view of unassigned work empties.
func TestDemoWorkIsRouted(t *testing.T) {
	t.Parallel()
	for _, d := range testenv.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			dbURL := appDatabase(t, d) // the application role on PostgreSQL, as in production
			b := setup(t, dbURL)
			ctx := context.Background()
			db := b.stack.DB
			counts := func() (open, owned int) {
				require.NoError(t, db.Tx(sqldb.AllPractices(ctx), func(tx *sql.Tx) error {
					if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM work_items WHERE state = 'open'`).Scan(&open); err != nil {
						return err
					}
					return tx.QueryRowContext(ctx, `SELECT count(*) FROM work_items WHERE state = 'assigned'`).Scan(&owned)
				}))
				return open, owned
			}
			// Routing runs in the background; wait for it to drain (the
			// deadline only stops a hung run).
			require.Eventually(t, func() bool { open, owned := counts(); return open == 0 && owned > 0 }, 2*time.Minute, 100*time.Millisecond,
				"every demo item should find an owner")
			_, owned := counts()
			t.Logf("%d demo items routed", owned)

			var list struct {
				Agents []struct {
					DisplayName string `json:"display_name"`
					Open        int    `json:"open"`
					Capacity    int    `json:"capacity"`
				} `json:"agents"`
			}
			res := b.api.Do("GET", "/api/v1/agents", "", bearer(b.token(t, "maria"))...)
			require.Equal(t, 200, res.Code, string(res.Body))
			res.JSON(t, &list)
			require.Len(t, list.Agents, 2)
			total := 0
			for _, a := range list.Agents {
				require.Greater(t, a.Open, 0, "%s has work", a.DisplayName)
				require.LessOrEqual(t, a.Open, a.Capacity)
				total += a.Open
			}
			require.Equal(t, owned, total)
			res = b.api.Do("GET", "/api/v1/work/unassigned", "", bearer(b.token(t, "maria"))...)
			require.Equal(t, 200, res.Code)
			require.JSONEq(t, `{"items":[]}`, string(res.Body))
		})
	}
}
