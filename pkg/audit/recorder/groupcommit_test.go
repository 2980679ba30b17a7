package recorder_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/audit/recorder"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// groupCommitter counts the groups it is given and how often Append is
// called around it.
type groupCommitter struct {
	*auditstore.Store
	groups, appends atomic.Int32
	fail            atomic.Bool
}

func (g *groupCommitter) Append(ctx context.Context, q sqldb.Querier, events []audit.Event) error {
	g.appends.Add(1)
	return g.Store.Append(ctx, q, events)
}

func (g *groupCommitter) CommitEvents(ctx context.Context, events []audit.Event) error {
	g.groups.Add(1)
	if g.fail.Load() {
		return errors.New("connection reset")
	}
	return g.Store.CommitEvents(ctx, events)
}

// A store that commits groups itself is preferred to a transaction
// around Append, and what it commits is there when Record returns.
func TestGroupCommitterIsUsedAndDurableOnReturn(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		store := &groupCommitter{Store: auditstore.New(db)}
		rec := start(t, db, store)
		const callers = 64
		var wg sync.WaitGroup
		for i := 0; i < callers; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				e := event(i)
				if i%2 == 0 {
					e.PracticeID, e.PatientIDs = "", nil // NULL search columns
				}
				require.NoError(t, rec.Record(context.Background(), e))
			}()
		}
		wg.Wait()
		require.Equal(t, callers, count(t, db))
		require.Zero(t, store.appends.Load(), "no transaction around Append")
		require.Positive(t, store.groups.Load())
		require.LessOrEqual(t, int(store.groups.Load()), callers)

		store.fail.Store(true)
		require.ErrorIs(t, rec.Record(context.Background(), event(0)), recorder.ErrUnavailable)
		require.Equal(t, callers, count(t, db))
	})
}
