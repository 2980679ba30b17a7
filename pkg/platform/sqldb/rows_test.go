package sqldb_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

type probe struct {
	ID   string
	N    int64
	Flag bool
	At   time.Time
}

func scanProbe(s sqldb.Scanner) (probe, error) {
	var p probe
	err := s.Scan(&p.ID, &p.N, &p.Flag, &p.At)
	p.At = p.At.UTC()
	return p, err
}

// The same rows go in through InsertRows and come back through List and
// One on both engines, however many there are.
func TestInsertRowsListAndOne(t *testing.T) {
	t.Parallel()
	testenv.EachEmptyDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		stamp := map[sqldb.Dialect]string{sqldb.Postgres: "TIMESTAMPTZ", sqldb.SQLite: "TIMESTAMP"}[db.Dialect]
		_, err := db.ExecContext(ctx, `CREATE TABLE probes (id TEXT PRIMARY KEY, n BIGINT NOT NULL, flag BOOLEAN NOT NULL, at `+stamp+` NOT NULL)`)
		require.NoError(t, err)
		at := time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)
		var args []any
		var want []probe
		for i := range 1000 {
			p := probe{ID: fmt.Sprintf("p%04d", i), N: int64(i * i), Flag: i%2 == 0, At: at.Add(time.Duration(i) * time.Second)}
			want = append(want, p)
			args = append(args, p.ID, p.N, p.Flag, p.At)
		}
		q, qargs, err := db.Dialect.InsertRows(`INSERT INTO probes (id, n, flag, at) `, 4, args, ` ON CONFLICT (id) DO NOTHING`)
		require.NoError(t, err)
		require.NoError(t, db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, q, qargs...)
			return err
		}))

		got, err := sqldb.List(ctx, db, scanProbe, `SELECT id, n, flag, at FROM probes ORDER BY id`)
		require.NoError(t, err)
		require.Equal(t, want, got)

		one, found, err := sqldb.One(ctx, db, scanProbe, `SELECT id, n, flag, at FROM probes WHERE id = $1`, "p0007")
		require.NoError(t, err)
		require.True(t, found)
		require.Equal(t, want[7], one)
		_, found, err = sqldb.One(ctx, db, scanProbe, `SELECT id, n, flag, at FROM probes WHERE id = $1`, "nobody")
		require.NoError(t, err)
		require.False(t, found)

		_, _, err = db.Dialect.InsertRows(`INSERT INTO probes (id, n, flag, at) `, 4, args[:5], "")
		require.ErrorContains(t, err, "do not make rows")
	})
}

func TestLockingWords(t *testing.T) {
	t.Parallel()
	require.Equal(t, " FOR UPDATE", sqldb.Postgres.ForUpdate())
	require.Equal(t, " FOR UPDATE OF w", sqldb.Postgres.ForUpdate("w"))
	require.Empty(t, sqldb.SQLite.ForUpdate("w"))
	require.True(t, sqldb.Postgres.Concurrent())
	require.False(t, sqldb.SQLite.Concurrent())
}
