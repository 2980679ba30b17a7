package auditstore_test

import (
	"context"
	"database/sql"
	"errors"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
)

func TestIntegrateInRoundsAndProve(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		b := setup(t, db)
		b.store.BatchSize = 150 // several checkpoints per round

		cp := b.integrate(t)
		require.Zero(t, cp.Size, "an empty log has no checkpoint")

		var bodies [][]byte
		for _, n := range []int{1, 99, 300, 600} {
			for _, e := range b.appendN(t, n) {
				body, err := audit.Canonical(e)
				require.NoError(t, err)
				bodies = append(bodies, body)
			}
			cp = b.integrate(t)
			require.Equal(t, uint64(len(bodies)), cp.Size)
		}
		require.Equal(t, uint64(1000), cp.Size)
		require.Equal(t, cp.Size, b.integrate(t).Size, "nothing new, nothing integrated")

		// Every stored checkpoint opens with the public key, and its root is
		// the RFC 6962 root of the bodies integrated so far, computed here
		// without the store's code.
		rows, err := db.QueryContext(ctx, `SELECT note FROM audit_checkpoints ORDER BY size`)
		require.NoError(t, err)
		var cps []audit.Checkpoint
		for rows.Next() {
			var msg string
			require.NoError(t, rows.Scan(&msg))
			c := openNote(t, msg, b.verifier)
			require.Equal(t, referenceRoot(bodies[:c.Size]), c.Root, "root at %d", c.Size)
			cps = append(cps, c)
		}
		require.NoError(t, rows.Err())
		require.Greater(t, len(cps), 5)

		latest, err := b.store.LatestCheckpoint(ctx)
		require.NoError(t, err)
		require.Equal(t, uint64(1000), openNote(t, string(latest.Note), b.verifier).Size)

		rnd := rand.New(rand.NewPCG(1, 2))
		for range 40 {
			c := cps[rnd.IntN(len(cps))]
			i := rnd.Uint64N(c.Size)
			p, err := b.store.InclusionProof(ctx, i, c.Size)
			require.NoError(t, err)
			require.NoError(t, proof.VerifyInclusion(rfc6962.DefaultHasher, i, c.Size, leafHash(bodies[i]), p, c.Root), "leaf %d in %d", i, c.Size)
			if i+1 < c.Size {
				require.Error(t, proof.VerifyInclusion(rfc6962.DefaultHasher, i, c.Size, leafHash(bodies[i+1]), p, c.Root))
			}

			from, to := cps[rnd.IntN(len(cps))], cps[rnd.IntN(len(cps))]
			if from.Size > to.Size {
				from, to = to, from
			}
			p, err = b.store.ConsistencyProof(ctx, from.Size, to.Size)
			require.NoError(t, err)
			require.NoError(t, proof.VerifyConsistency(rfc6962.DefaultHasher, from.Size, to.Size, p, from.Root, to.Root), "%d to %d", from.Size, to.Size)
		}

		idx, err := b.store.LeafIndex(ctx, "evt-000500")
		require.NoError(t, err)
		require.Equal(t, uint64(499), idx)
		_, err = b.store.InclusionProof(ctx, 0, 1001)
		require.Error(t, err, "no proof beyond the log")

		rep, err := b.store.Verify(ctx, b.verifier, &cps[2])
		require.NoError(t, err)
		require.Equal(t, uint64(1000), rep.Leaves)
		require.Equal(t, len(cps), rep.Checkpoints)
		require.Equal(t, cps[2].Size, rep.SavedSize)
	})
}

func TestIntegrateLeavesPendingEventsForNextRound(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		b := setup(t, db)
		b.appendN(t, 10)
		b.integrate(t)
		b.appendN(t, 5)
		rep, err := b.store.Verify(ctx, b.verifier, nil)
		require.NoError(t, err)
		require.Equal(t, uint64(10), rep.Leaves)
		require.Equal(t, uint64(5), rep.Pending)
	})
}

func TestAuditTablesAreAppendOnly(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		b := setup(t, db)
		b.appendN(t, 3)
		b.integrate(t)
		for _, stmt := range []string{
			`UPDATE audit_events SET outcome = 'deny'`,
			`DELETE FROM audit_events WHERE id = 'evt-000002'`,
			`UPDATE audit_leaves SET leaf_hash = '00'`,
			`DELETE FROM audit_leaves`,
			`UPDATE audit_checkpoints SET note = ''`,
			`DELETE FROM audit_checkpoints`,
		} {
			// The triggers refuse even the owner, whom privileges do not stop;
			// on PostgreSQL the application role lacks the privilege anyway.
			err := testenv.OwnerDB(t, db).Tx(ctx, func(tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, stmt)
				return err
			})
			require.ErrorContains(t, err, "append-only", stmt)
			_, err = db.ExecContext(ctx, stmt)
			if db.Dialect == sqldb.Postgres {
				require.ErrorContains(t, err, "permission denied", stmt)
			} else {
				require.ErrorContains(t, err, "append-only", stmt)
			}
		}
		if db.Dialect == sqldb.Postgres {
			_, err := testenv.OwnerDB(t, db).ExecContext(ctx, `TRUNCATE audit_checkpoints`)
			require.ErrorContains(t, err, "append-only")
		}
		_, err := b.store.Verify(ctx, b.verifier, nil)
		require.NoError(t, err)
	})
}

func TestIntegratorRunsAlone(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		if db.Dialect != sqldb.Postgres {
			t.Skip("SQLite serialises writers itself")
		}
		ctx := context.Background()
		b := setup(t, db)
		b.appendN(t, 3)
		tx, err := db.BeginTx(ctx, nil)
		require.NoError(t, err)
		defer func() { _ = tx.Rollback() }()
		_, err = tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(107156823700481)`)
		require.NoError(t, err)
		_, err = b.store.Integrate(ctx, b.signer)
		require.ErrorIs(t, err, auditstore.ErrBusy)
	})
}

func openNote(t *testing.T, msg string, v note.Verifier) audit.Checkpoint {
	t.Helper()
	n, err := note.Open([]byte(msg), note.VerifierList(v))
	require.NoError(t, err)
	c, err := audit.OpenCheckpoint([]byte(msg), v)
	require.NoError(t, err)
	require.Equal(t, n.Text, audit.CheckpointText(v.Name(), c.Size, c.Root))
	return c
}

// referenceRoot is RFC 6962's MTH, written from the RFC's definition.
func referenceRoot(bodies [][]byte) []byte {
	if len(bodies) == 1 {
		return leafHash(bodies[0])
	}
	k := 1
	for k*2 < len(bodies) {
		k *= 2
	}
	return rfc6962.DefaultHasher.HashChildren(referenceRoot(bodies[:k]), referenceRoot(bodies[k:]))
}

// Appenders whose transactions commit out of seq order while the
// integrator runs must all end up in the log: none may be passed over.
func TestIntegrateMissesNoLateCommit(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		b := setup(t, db)
		const writers, rounds, per = 6, 15, 4
		batches := make([][]audit.Event, writers*rounds)
		for i := range batches {
			batches[i] = b.events(per)
		}
		done := make(chan struct{})
		integrated := make(chan error, 1)
		go func() {
			for {
				select {
				case <-done:
					integrated <- nil
					return
				default:
				}
				if _, err := b.store.Integrate(ctx, b.signer); err != nil && !errors.Is(err, auditstore.ErrBusy) {
					integrated <- err
					return
				}
			}
		}()
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				for r := range rounds {
					err := db.Tx(ctx, func(tx *sql.Tx) error {
						if err := b.store.Append(ctx, tx, batches[w*rounds+r]); err != nil {
							return err
						}
						time.Sleep(time.Duration((w+r)%3) * time.Millisecond) // commit out of seq order
						return nil
					})
					require.NoError(t, err)
				}
			})
		}
		wg.Wait()
		close(done)
		require.NoError(t, <-integrated)
		require.Equal(t, uint64(writers*rounds*per), b.integrate(t).Size)
		rep, err := b.store.Verify(ctx, b.verifier, nil)
		require.NoError(t, err)
		require.Equal(t, uint64(writers*rounds*per), rep.Leaves)
	})
}
