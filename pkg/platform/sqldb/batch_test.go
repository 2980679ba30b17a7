package sqldb_test

import (
	"context"
	"testing"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// Reads that need no answer from one another go out together: under a
// request's shared transaction on PostgreSQL, one round trip for all of
// them (with the begin and the scope when they are the first), each
// read's rows handed to it in order. A failing read fails the
// call and ends the shared transaction; the next read works. Elsewhere,
// and without a shared transaction, each read is a statement.
func TestReadAllPipelinesReads(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		bg := context.Background()
		probeTable(t, db, `CREATE TABLE pipe_probe (n integer, word text)`, "SELECT", "pipe_probe",
			`INSERT INTO pipe_probe (n, word) VALUES (1, 'one'), (2, 'two'), (3, 'three')`)
		var words []string
		var total, ones int
		reads := []sqldb.Read{
			{Query: `SELECT word FROM pipe_probe WHERE n >= $1 ORDER BY n`, Args: []any{2}, Row: func(r sqldb.Scanner) error {
				var w string
				err := r.Scan(&w)
				words = append(words, w)
				return err
			}},
			{Query: `SELECT sum(n) FROM pipe_probe`, Row: func(r sqldb.Scanner) error { return r.Scan(&total) }},
			{Query: `SELECT count(*) FROM pipe_probe WHERE word = $1`, Args: []any{"one"}, Row: func(r sqldb.Scanner) error { return r.Scan(&ones) }},
		}

		ctx, end := db.ShareReads(sqldb.WithPractice(bg, "p-1"))
		before := db.Counts()
		require.NoError(t, db.ReadAll(ctx, reads...))
		end()
		got := db.Counts().Sub(before)
		require.Equal(t, []string{"two", "three"}, words)
		require.Equal(t, 6, total)
		require.Equal(t, 1, ones)
		if db.Dialect == sqldb.Postgres {
			require.Equal(t, sqldb.Counts{Begins: 1, Commits: 1}, got, "the begin, the scope and the reads in one round trip, then the commit")
		} else {
			require.Equal(t, sqldb.Counts{Statements: 3}, got)
		}

		// A read that fails fails the call, and the shared transaction
		// it broke is not used again.
		ctx, end = db.ShareReads(sqldb.WithPractice(bg, "p-1"))
		defer end()
		bad := append([]sqldb.Read{{Query: `SELECT no_such_column FROM pipe_probe`, Row: func(sqldb.Scanner) error { return nil }}}, reads...)
		require.Error(t, db.ReadAll(ctx, bad...))
		words = nil
		require.NoError(t, db.ReadAll(ctx, reads...))
		require.Equal(t, []string{"two", "three"}, words)

		// In an open shared transaction they are one round trip more.
		before = db.Counts()
		words = nil
		require.NoError(t, db.ReadAll(ctx, reads...))
		require.Equal(t, []string{"two", "three"}, words)
		if db.Dialect == sqldb.Postgres {
			require.Equal(t, sqldb.Counts{Statements: 1}, db.Counts().Sub(before))
		}

		// Without a shared transaction the reads run as Scoped runs them.
		words = nil
		require.NoError(t, db.ReadAll(sqldb.WithPractice(bg, "p-1"), reads...))
		require.Equal(t, []string{"two", "three"}, words)
	})
}
