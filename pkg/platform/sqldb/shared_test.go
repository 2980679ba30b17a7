package sqldb_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// A request's scoped reads share one read-only transaction on PostgreSQL:
// begin and scope once (one round trip), one statement per read, commit at
// the end. A write
// transaction commits it first (one connection per request), reads after a
// write see it, a failed read ends it, a nested read takes a transaction
// of its own, and a change of scope moves the transaction to the new
// scope. Elsewhere nothing changes.
func TestScopedReadsShareATransaction(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		bg := context.Background()
		probeTable(t, db, `CREATE TABLE shared_probe (n integer)`, "SELECT, INSERT", "shared_probe")
		count := func(ctx context.Context) int {
			var n int
			require.NoError(t, db.Scoped(ctx, func(q sqldb.Querier) error {
				return q.QueryRowContext(ctx, `SELECT count(*) FROM shared_probe`).Scan(&n)
			}))
			return n
		}

		ctx, end := db.ShareReads(sqldb.WithPractice(bg, "p-1"))
		before := db.Counts()
		for range 3 {
			require.Zero(t, count(ctx))
		}
		end()
		got := db.Counts().Sub(before)
		if db.Dialect != sqldb.Postgres {
			require.Equal(t, sqldb.Counts{Statements: 3}, got, "SQLite reads run on the pool as before")
			return
		}
		require.Equal(t, sqldb.Counts{Statements: 3, Begins: 1, Commits: 1}, got, "one transaction begun with its scope, three reads")

		// A write commits the shared transaction before it begins, and the
		// next read, in a new shared transaction, sees what it wrote.
		ctx, end = db.ShareReads(sqldb.WithPractice(bg, "p-1"))
		require.Zero(t, count(ctx))
		before = db.Counts()
		require.NoError(t, db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO shared_probe (n) VALUES (1)`)
			return err
		}))
		require.Equal(t, int64(2), db.Counts().Sub(before).Commits, "the shared transaction's commit, then the write's")
		require.Equal(t, 1, count(ctx))

		// A failed read ends the shared transaction; the next read works.
		err := db.Scoped(ctx, func(q sqldb.Querier) error {
			_, err := q.ExecContext(ctx, `SELECT no_such_column FROM shared_probe`)
			return err
		})
		require.Error(t, err)
		require.Equal(t, 1, count(ctx))

		// A write through Scoped fails loudly: the shared transaction only
		// reads.
		err = db.Scoped(ctx, func(q sqldb.Querier) error {
			_, err := q.ExecContext(ctx, `INSERT INTO shared_probe (n) VALUES (2)`)
			return err
		})
		require.ErrorContains(t, err, "read-only")

		// A read nested in another runs in a transaction of its own
		// rather than waiting for the one its caller holds.
		require.NoError(t, db.Scoped(ctx, func(q sqldb.Querier) error {
			require.Equal(t, 1, count(ctx))
			var n int
			return q.QueryRowContext(ctx, `SELECT count(*) FROM shared_probe`).Scan(&n)
		}))

		// Another practice's scope moves the shared transaction to it: one
		// statement, and the reads after it see the new scope.
		scopeOf := func(ctx context.Context) string {
			var scope string
			require.NoError(t, db.Scoped(ctx, func(q sqldb.Querier) error {
				return q.QueryRowContext(ctx, `SELECT current_setting('backdesk.practice_id')`).Scan(&scope)
			}))
			return scope
		}
		before = db.Counts()
		require.Equal(t, "p-2", scopeOf(sqldb.WithPractice(ctx, "p-2")))
		require.Equal(t, "p-2", scopeOf(sqldb.WithPractice(ctx, "p-2")))
		require.Equal(t, "p-1", scopeOf(ctx))
		require.Equal(t, sqldb.Counts{Statements: 1 + 2 + 1 + 1}, db.Counts().Sub(before), "two moves, three reads, no new transaction")
		end()
	})
}
