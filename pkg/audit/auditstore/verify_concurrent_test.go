package auditstore_test

import (
	"context"
	"database/sql"
	"sync"
	"testing"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// Verify run while events are appended and integrated finds nothing
// wrong: it reads the checkpoints and the leaves in one view, so leaves
// committed with their checkpoint after it began never look like leaves
// past the latest checkpoint, which is how a forged insert shows.
func TestVerifyBesideIntegration(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		b := setup(t, db)
		b.store.BatchSize = 3 // several checkpoints per integration
		b.appendN(t, 5)
		b.integrate(t)
		ctx, stop := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		var writeErr error
		wg.Add(1)
		go func() { // no require here: FailNow belongs to the test's goroutine
			defer wg.Done()
			defer stop()
			for range 60 {
				evs := b.events(4)
				writeErr = db.Tx(ctx, func(tx *sql.Tx) error { return b.store.Append(ctx, tx, evs) })
				if writeErr == nil {
					_, writeErr = b.store.Integrate(ctx, b.signer)
				}
				if writeErr != nil {
					return
				}
			}
		}()
		runs := 0
		for ctx.Err() == nil {
			rep, err := b.store.Verify(context.Background(), b.verifier, nil)
			if err != nil {
				stop()
				wg.Wait()
			}
			require.NoError(t, err, "verify run %d", runs)
			require.Equal(t, rep.Size, rep.Leaves)
			runs++
		}
		wg.Wait()
		require.NoError(t, writeErr)
		t.Logf("%d verifications beside 60 integrations", runs)
		rep, err := b.store.Verify(context.Background(), b.verifier, nil)
		require.NoError(t, err)
		require.EqualValues(t, 245, rep.Size)
	})
}
