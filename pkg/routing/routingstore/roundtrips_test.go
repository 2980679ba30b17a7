package routingstore_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// Routing an item costs the same round trips whatever the size of the
// agents' pool and of their queues: the pool, its grants and the
// patient's owners are read once per item, never per agent. The
// ceiling is the figure of docs/development.md, "Round trips": the
// chosen agent's count is read in a statement after its row lock, so
// that it sees what another router committed meanwhile.
func TestRoutingAnItemCostsAFixedNumberOfRoundTrips(t *testing.T) {
	t.Parallel()
	for _, d := range testenv.Dialects {
		ctx := context.Background()
		cost := func(agents int) int64 {
			db, _ := testenv.NewDB(t, d)
			w := newWorld(t, db, agents, 40)
			for i := range 3 * agents {
				w.item(t, fmt.Sprintf("w%d", i), fmt.Sprintf("pt%02d", i%50), policy.BalanceFollowup)
				_, err := w.store.Route(ctx, fmt.Sprintf("w%d", i))
				require.NoError(t, err)
			}
			w.item(t, "last", "pt49", policy.Recare)
			before := w.db.Counts()
			stop := w.db.Watch()
			r, err := w.store.Route(ctx, "last")
			sent := stop()
			require.NoError(t, err)
			require.NotEmpty(t, r.OwnerID)
			got := w.db.Counts().Sub(before).RoundTrips()
			if w.db.Dialect == sqldb.Postgres {
				require.LessOrEqual(t, got, int64(11), "round trips to route one item:\n%s", strings.Join(sent, "\n"))
			}
			return got
		}
		few, many := cost(2), cost(12)
		require.Equal(t, few, many, "%s: 2 agents against 12", d)
		t.Logf("%s: routing one item costs %d round trips", d, many)
	}
}
