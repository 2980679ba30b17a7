package sqldb_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

func TestParseURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw     string
		dialect sqldb.Dialect
		wantErr string
	}{
		{raw: "postgres://u@h:5432/db?sslmode=disable", dialect: sqldb.Postgres},
		{raw: "postgresql://u@h/db", dialect: sqldb.Postgres},
		{raw: "sqlite://.backdesk/backdesk.db", dialect: sqldb.SQLite},
		{raw: "sqlite:///var/lib/backdesk.db", dialect: sqldb.SQLite},
		{raw: "sqlite://", wantErr: "needs a path"},
		{raw: "mysql://h/db", wantErr: `scheme "mysql" is not supported`},
	}
	for _, tc := range tests {
		_, dsn, d, err := sqldb.ParseURL(tc.raw)
		if tc.wantErr != "" {
			require.ErrorContains(t, err, tc.wantErr, tc.raw)
			continue
		}
		require.NoError(t, err, tc.raw)
		require.Equal(t, tc.dialect, d)
		if d == sqldb.SQLite {
			require.Contains(t, dsn, "foreign_keys(1)")
			require.Contains(t, dsn, "journal_mode(WAL)")
			require.Contains(t, dsn, "busy_timeout")
		}
	}
}

func TestErrorsMapToDomainKinds(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		db = testenv.OwnerDB(t, db) // creates a table
		_, err := db.ExecContext(ctx, `CREATE TABLE things (id TEXT PRIMARY KEY, parent TEXT REFERENCES things(id))`)
		require.NoError(t, err)
		_, err = db.ExecContext(ctx, `INSERT INTO things (id) VALUES ($1)`, "a")
		require.NoError(t, err)

		_, err = db.ExecContext(ctx, `INSERT INTO things (id) VALUES ($1)`, "a")
		require.ErrorIs(t, sqldb.MapError(err), apperr.ErrConflict)

		_, err = db.ExecContext(ctx, `INSERT INTO things (id, parent) VALUES ($1, $2)`, "b", "missing")
		require.ErrorIs(t, sqldb.MapError(err), apperr.ErrConflict)

		var id string
		err = db.QueryRowContext(ctx, `SELECT id FROM things WHERE id = $1`, "zzz").Scan(&id)
		require.ErrorIs(t, sqldb.MapError(err), apperr.ErrNotFound)

		// The same $n parameter may appear twice, on both engines.
		err = db.QueryRowContext(ctx, `SELECT id FROM things WHERE id = $1 OR parent = $1`, "a").Scan(&id)
		require.NoError(t, err)
		require.Equal(t, "a", id)
	})
}

func TestTxRollsBackOnError(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		db = testenv.OwnerDB(t, db) // creates a table
		_, err := db.ExecContext(ctx, `CREATE TABLE n (v INTEGER)`)
		require.NoError(t, err)
		boom := errors.New("boom")
		err = db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO n (v) VALUES (1)`)
			require.NoError(t, err)
			return boom
		})
		require.ErrorIs(t, err, boom)
		require.NoError(t, db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO n (v) VALUES (2)`)
			return err
		}))
		var sum int
		require.NoError(t, db.QueryRowContext(ctx, `SELECT COALESCE(SUM(v), 0) FROM n`).Scan(&sum))
		require.Equal(t, 2, sum)
	})
}

// On PostgreSQL a transaction carries the practice scope of its context,
// and only for its own duration; SQLite has no such setting and ignores it.
func TestTxCarriesThePracticeScope(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		setting := func(q sqldb.Querier) string {
			var v sql.NullString
			require.NoError(t, q.QueryRowContext(ctx, `SELECT current_setting('`+sqldb.PracticeSetting+`', true)`).Scan(&v))
			return v.String
		}
		if db.Dialect != sqldb.Postgres {
			require.NoError(t, db.Tx(sqldb.WithPractice(ctx, "p1"), func(*sql.Tx) error { return nil }))
			require.NoError(t, db.Scoped(sqldb.WithPractice(ctx, "p1"), func(q sqldb.Querier) error { return nil }))
			return
		}
		db.SetMaxOpenConns(1) // every call below reuses one connection
		for scope, want := range map[context.Context]string{
			sqldb.WithPractice(ctx, "p1"): "p1",
			sqldb.AllPractices(ctx):       sqldb.AnyPractice,
			ctx:                           "",
		} {
			require.NoError(t, db.Tx(scope, func(tx *sql.Tx) error {
				require.Equal(t, want, setting(tx))
				return nil
			}))
			require.NoError(t, db.Scoped(scope, func(q sqldb.Querier) error {
				require.Equal(t, want, setting(q))
				return nil
			}))
			require.Empty(t, setting(db), "the scope must end with its transaction")
		}
	})
}

func TestOpenUnreachablePostgresIsUnavailable(t *testing.T) {
	t.Parallel()
	_, err := sqldb.Open(context.Background(), "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=2")
	require.Error(t, err)
	require.ErrorIs(t, err, apperr.ErrUnavailable)
}

func TestColumnArraysTransposeRows(t *testing.T) {
	t.Parallel()
	when := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	cols, types, err := sqldb.ColumnArrays([]any{"a", int64(1), true, when, "b", int64(2), false, when}, 4)
	require.NoError(t, err)
	require.Equal(t, []string{"text", "bigint", "boolean", "timestamptz"}, types)
	require.Equal(t, []string{"a", "b"}, cols[0])
	require.Equal(t, []int64{1, 2}, cols[1])
	require.Equal(t, []bool{true, false}, cols[2])
	require.Equal(t, []time.Time{when, when}, cols[3])
	_, _, err = sqldb.ColumnArrays([]any{3.5}, 1)
	require.Error(t, err)
}
