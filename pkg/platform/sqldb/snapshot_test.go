package sqldb_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// Every read inside a Snapshot sees the state of its first read: a write
// that commits between two of them shows in neither, and shows to the
// next Snapshot. A Snapshot refuses to write on PostgreSQL and never holds
// SQLite's write lock, so writers go on while it reads.
func TestSnapshotSeesOneState(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		probeTable(t, db, `CREATE TABLE snapshot_probe (n integer)`, "SELECT, INSERT", "snapshot_probe")
		insert := func() {
			require.NoError(t, db.Tx(ctx, func(tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, `INSERT INTO snapshot_probe (n) VALUES (1)`)
				return err
			}))
		}
		count := func(q sqldb.Querier) int {
			var n int
			require.NoError(t, q.QueryRowContext(ctx, `SELECT count(*) FROM snapshot_probe`).Scan(&n))
			return n
		}
		insert()
		require.NoError(t, db.Snapshot(ctx, func(q sqldb.Querier) error {
			require.Equal(t, 1, count(q))
			insert() // commits on another connection while the snapshot is open
			require.Equal(t, 1, count(q), "a write committed after the first read stays out of view")
			require.Equal(t, 2, count(db.DB), "the pool sees it")
			return nil
		}))
		require.NoError(t, db.Snapshot(ctx, func(q sqldb.Querier) error {
			require.Equal(t, 2, count(q))
			return nil
		}))
		if db.Dialect == sqldb.Postgres {
			err := db.Snapshot(ctx, func(q sqldb.Querier) error {
				_, err := q.ExecContext(ctx, `INSERT INTO snapshot_probe (n) VALUES (1)`)
				return err
			})
			require.Error(t, err, "a snapshot is read-only")
		}
	})
}
