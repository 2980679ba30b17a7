package sqldb_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// A write transaction that reads one row and then only writes costs two
// round trips on PostgreSQL: the begin, the scope and the read together,
// then the held writes and the commit together. A held statement that
// fails fails the transaction with its own error, and nothing of it is
// kept. Elsewhere the same code runs statement by statement.
func TestWriteSendsHeldStatementsTogether(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		bg := context.Background()
		probeTable(t, db, `CREATE TABLE write_probe (n integer PRIMARY KEY, word text NOT NULL)`, "SELECT, INSERT, UPDATE", "write_probe",
			`INSERT INTO write_probe (n, word) VALUES (1, 'one')`)
		words := func() []string {
			var out []string
			require.NoError(t, db.ReadAll(bg, sqldb.Read{Query: `SELECT word FROM write_probe ORDER BY n`, Row: func(r sqldb.Scanner) error {
				var w string
				err := r.Scan(&w)
				out = append(out, w)
				return err
			}}))
			return out
		}
		ctx := sqldb.WithPractice(bg, "p-1")

		before := db.Counts()
		var word, scope string
		require.NoError(t, db.Write(ctx, func(w *sqldb.Writer) error {
			found, err := w.One(ctx, `UPDATE write_probe SET word = 'uno' WHERE n = $1 RETURNING word`, []any{1}, &word)
			if err != nil || !found {
				return err
			}
			w.Later(`INSERT INTO write_probe (n, word) VALUES ($1, $2)`, 2, "two")
			if err := sqldb.ExecLater(ctx, w, `INSERT INTO write_probe (n, word) VALUES ($1, $2)`, 3, "three"); err != nil {
				return err
			}
			if db.Dialect == sqldb.Postgres {
				_, err = w.One(ctx, `SELECT current_setting('backdesk.practice_id')`, nil, &scope)
			}
			return err
		}))
		got := db.Counts().Sub(before)
		require.Equal(t, "uno", word)
		require.Equal(t, []string{"uno", "two", "three"}, words())
		if db.Dialect == sqldb.Postgres {
			require.Equal(t, "p-1", scope, "the scope went out with the begin")
			require.Equal(t, sqldb.Counts{Statements: 1, Begins: 1, Commits: 1}, got,
				"the begin, scope and update; the held inserts with the scope's read; the commit")
		}

		// One that finds no row says so, and the transaction goes on.
		require.NoError(t, db.Write(ctx, func(w *sqldb.Writer) error {
			found, err := w.One(ctx, `UPDATE write_probe SET word = 'none' WHERE n = $1 RETURNING word`, []any{99}, &word)
			require.False(t, found)
			return err
		}))

		// A held insert that breaks the key fails the transaction with its
		// own error, at the commit or at the next statement, and the
		// update before it is not kept.
		for _, next := range []string{"commit", "row"} {
			err := db.Write(ctx, func(w *sqldb.Writer) error {
				if _, err := w.ExecContext(ctx, `UPDATE write_probe SET word = 'lost' WHERE n = 1`); err != nil {
					return err
				}
				w.Later(`INSERT INTO write_probe (n, word) VALUES ($1, $2)`, 2, "again")
				if next == "row" {
					var n int
					return w.QueryRowContext(ctx, `SELECT count(*) FROM write_probe`).Scan(&n)
				}
				return nil
			})
			require.Error(t, err, next)
			require.Equal(t, apperr.KindConflict, apperr.KindOf(err), "%s: the key's error, not another: %v", next, err)
			require.Equal(t, []string{"uno", "two", "three"}, words(), next)
		}

		// Through a plain transaction ExecLater runs at once.
		require.NoError(t, db.Tx(ctx, func(tx *sql.Tx) error {
			return sqldb.ExecLater(ctx, tx, `INSERT INTO write_probe (n, word) VALUES ($1, $2)`, 4, "four")
		}))
		require.Equal(t, []string{"uno", "two", "three", "four"}, words())
	})
}
