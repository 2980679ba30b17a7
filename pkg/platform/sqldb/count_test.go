package sqldb_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// Round trips are counted as the server sees them: each statement, and
// each transaction's begin and its commit or rollback; a scoped
// transaction on PostgreSQL adds the statement that names its practice.
func TestRoundTripsAreCounted(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		before := db.Counts()
		var n int
		require.NoError(t, db.QueryRowContext(ctx, `SELECT 1`).Scan(&n))
		require.Equal(t, sqldb.Counts{Statements: 1}, db.Counts().Sub(before))

		before = db.Counts()
		require.NoError(t, db.Tx(sqldb.WithPractice(ctx, "p-1"), func(tx *sql.Tx) error {
			return tx.QueryRowContext(ctx, `SELECT 2`).Scan(&n)
		}))
		scope := int64(0)
		if db.Dialect == sqldb.Postgres {
			scope = 1
		}
		got := db.Counts().Sub(before)
		require.Equal(t, sqldb.Counts{Statements: 1 + scope, Begins: 1, Commits: 1}, got)
		require.Equal(t, 3+scope, got.RoundTrips())

		before = db.Counts()
		boom := errors.New("boom")
		require.ErrorIs(t, db.Tx(ctx, func(tx *sql.Tx) error { return boom }), boom)
		require.Equal(t, sqldb.Counts{Begins: 1, Rollbacks: 1}, db.Counts().Sub(before))

		// Prepared statements count each execution.
		before = db.Counts()
		st, err := db.PrepareContext(ctx, `SELECT 3`)
		require.NoError(t, err)
		for range 3 {
			require.NoError(t, st.QueryRowContext(ctx).Scan(&n))
		}
		require.NoError(t, st.Close())
		require.Equal(t, int64(3), db.Counts().Sub(before).Statements)
	})
}
