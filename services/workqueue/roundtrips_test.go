package workqueue_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/backdesk/backdesk/services/internal/catalog"
	"github.com/backdesk/backdesk/services/internal/serve"
	"github.com/backdesk/backdesk/services/internal/servetest"
	"github.com/stretchr/testify/assert"
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
			proc, e, owner, practiceID := agentDesk(t, d)

			cost := func() sqldb.Counts {
				require.NoError(t, call(e, 0, "GET", "/api/v1/work/queue", "", nil)) // warm: caches filled
				before := proc.DB.Counts()
				var q struct {
					Items []struct{} `json:"items"`
				}
				require.NoError(t, call(e, 0, "GET", "/api/v1/work/queue", "", &q))
				return proc.DB.Counts().Sub(before)
			}
			seedItems(t, owner, practiceID, 0, 3)
			few := cost()
			seedItems(t, owner, practiceID, 3, 60)
			many := cost()
			require.Equal(t, few, many, "3 items against 63")
			t.Logf("%s: GET /api/v1/work/queue costs %d round trips (%+v)", d, many.RoundTrips(), many)
		})
	}
}

// An agent's cycle (next, the item view, an outcome with a next contact
// date) has a ceiling of round trips per step on PostgreSQL, where each
// counts: the figures of docs/development.md, "Round trips". Counts are
// deterministic, so a change that adds one fails here, not in a noisy
// benchmark. The item view's reads share one transaction
// (serve.ShareReads) and go out in pipelines (sqldb.ReadAll); the
// practice's profile comes from the cache, and the item's practice from
// what the desk has seen, or, for an item another replica started ("view
// elsewhere"), from one more round trip. Writes send what they hold with
// the commit (sqldb.Write). The whole cycle stays within 12.
func TestAgentCycleRoundTrips(t *testing.T) {
	t.Parallel()
	ceilings := map[string]int64{"next": 4, "view": 5, "outcome": 2, "view elsewhere": 7}
	for _, d := range testenv.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			proc, e, owner, practiceID := agentDesk(t, d)
			seedItems(t, owner, practiceID, 0, 4)
			require.NoError(t, cycle(e, 0)) // warm: caches filled

			var started struct {
				ItemID  string `json:"item_id"`
				Version int    `json:"version"`
			}
			view := func() string { return "/api/v1/work/items/" + started.ItemID }
			// An item this replica has not listed or started, as when
			// another replica started it: its practice is looked up first.
			seedItems(t, owner, practiceID, 7, 1) // priority 0: next starts another
			elsewhere := "/api/v1/work/items/wi-000-000007"
			next := time.Now().UTC().AddDate(0, 0, 3).Format(time.RFC3339)
			steps := []struct {
				name string
				run  func() error
			}{
				{"next", func() error { return call(e, 0, "POST", "/api/v1/work/next", "", &started) }},
				{"view", func() error { return call(e, 0, "GET", view(), "", nil) }},
				{"outcome", func() error {
					body := fmt.Sprintf(`{"channel":"call","outcome":"voicemail","next_contact_at":%q,"version":%d}`, next, started.Version)
					return call(e, 0, "POST", view()+"/outcomes", body, nil)
				}},
				{"view elsewhere", func() error { return call(e, 0, "GET", elsewhere, "", nil) }},
			}
			var total int64
			for i, s := range steps {
				before := proc.DB.Counts()
				stop := proc.DB.Watch()
				require.NoError(t, s.run(), s.name)
				got := proc.DB.Counts().Sub(before)
				sent := stop()
				if i < 3 {
					total += got.RoundTrips()
				}
				t.Logf("%s: %s costs %d round trips (%+v)", d, s.name, got.RoundTrips(), got)
				if d == sqldb.Postgres {
					assert.LessOrEqual(t, got.RoundTrips(), ceilings[s.name], "%s: round trips:\n%s", s.name, strings.Join(sent, "\n"))
				}
			}
			t.Logf("%s: the cycle costs %d round trips", d, total)
			if d == sqldb.Postgres {
				assert.LessOrEqual(t, total, int64(12), "the cycle, the audit commits included")
			}
		})
	}
}

// agentDesk serves the workqueue routes, as the agents of seedAgents, for
// an active practice, and returns the process (whose database counts),
// the engine, the owner's connection for seeding and the practice.
func agentDesk(t *testing.T, d sqldb.Dialect) (*serve.Process, http.Handler, *sqldb.DB, string) {
	t.Helper()
	db, url := testenv.NewDB(t, d)
	ctx := context.Background()
	proc, dom := servetest.Open(t, "workqueue", url)
	p, err := dom.Practices.Create(ctx, practice.NewPractice{Name: "Desk", NPI: "1234567893", Timezone: "UTC"})
	require.NoError(t, err)
	owner := testenv.OwnerDB(t, db)
	seedAgents(t, owner, p.ID)
	_, err = owner.ExecContext(ctx, `UPDATE practices SET status = 'active' WHERE id = $1`, p.ID)
	require.NoError(t, err)
	// The caches are used once their invalidations flow; until then
	// every request reads through, and the counts would depend on when
	// the subscription came up.
	require.Eventually(t, proc.Facts.Live, 5*time.Second, 5*time.Millisecond, "the fact cache subscribes")
	e := web.NewEngine(web.Options{Service: "roundtrips"})
	require.NoError(t, catalog.Build(ctx, proc, dom, catalog.Options{API: e.Group("/", asAgent)}, "workqueue"))
	return proc, e, owner, p.ID
}
