package workqueue_test

import (
	"context"
	"testing"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/backdesk/backdesk/services/internal/catalog"
	"github.com/backdesk/backdesk/services/internal/servetest"
	"github.com/stretchr/testify/require"
)

// An agent's queue costs the same number of database round trips however
// many items it lists: its reads are per request and per practice, never
// per item.
func TestQueueCostsTheSameWhateverItsLength(t *testing.T) {
	t.Parallel()
	for _, d := range testenv.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			db, url := testenv.NewDB(t, d)
			ctx := context.Background()
			proc, dom := servetest.Open(t, "workqueue", url)
			p, err := dom.Practices.Create(ctx, practice.NewPractice{Name: "Queue", NPI: "1234567893", Timezone: "UTC"})
			require.NoError(t, err)
			owner := testenv.OwnerDB(t, db)
			seedAgents(t, owner, p.ID)
			_, err = owner.ExecContext(ctx, `UPDATE practices SET status = 'active' WHERE id = $1`, p.ID)
			require.NoError(t, err)
			e := web.NewEngine(web.Options{Service: "roundtrips"})
			require.NoError(t, catalog.Build(ctx, proc, dom, catalog.Options{API: e.Group("/", asAgent)}, "workqueue"))

			cost := func() sqldb.Counts {
				require.NoError(t, call(e, 0, "GET", "/api/v1/work/queue", "", nil)) // warm: caches filled
				before := proc.DB.Counts()
				var q struct {
					Items []struct{} `json:"items"`
				}
				require.NoError(t, call(e, 0, "GET", "/api/v1/work/queue", "", &q))
				return proc.DB.Counts().Sub(before)
			}
			seedItems(t, owner, p.ID, 0, 3)
			few := cost()
			seedItems(t, owner, p.ID, 3, 60)
			many := cost()
			require.Equal(t, few, many, "3 items against 63")
			t.Logf("%s: GET /api/v1/work/queue costs %d round trips (%+v)", d, many.RoundTrips(), many)
		})
	}
}
