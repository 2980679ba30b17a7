package migrate_test

import (
	"context"
	"testing"
	"testing/fstest"

	"github.com/backdesk/backdesk/pkg/platform/migrate"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

func TestApplyIsIdempotentAndRefusesEditedFiles(t *testing.T) {
	t.Parallel()
	testenv.EachEmptyDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		fsys := fstest.MapFS{
			"0001_a.sql": {Data: []byte(`CREATE TABLE a (id INTEGER PRIMARY KEY);`)},
			"0002_b.sql": {Data: []byte(`CREATE TABLE b (id INTEGER PRIMARY KEY); INSERT INTO b (id) VALUES (1);`)},
		}
		ran, err := migrate.Apply(ctx, db, fsys)
		require.NoError(t, err)
		require.Len(t, ran, 2)

		ran, err = migrate.Apply(ctx, db, fsys)
		require.NoError(t, err)
		require.Empty(t, ran, "second run must apply nothing")

		fsys["0002_b.sql"] = &fstest.MapFile{Data: []byte(`CREATE TABLE b (id INTEGER);`)}
		_, err = migrate.Apply(ctx, db, fsys)
		require.ErrorContains(t, err, "0002_b.sql was edited after it was applied")
	})
}

func TestFailedMigrationLeavesNothingBehind(t *testing.T) {
	t.Parallel()
	testenv.EachEmptyDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		fsys := fstest.MapFS{
			"0001_ok.sql":  {Data: []byte(`CREATE TABLE ok (id INTEGER);`)},
			"0002_bad.sql": {Data: []byte(`CREATE TABLE half (id INTEGER); INSERT INTO nowhere VALUES (1);`)},
		}
		ran, err := migrate.Apply(ctx, db, fsys)
		require.ErrorContains(t, err, "0002_bad.sql")
		require.Len(t, ran, 1)
		_, err = db.ExecContext(ctx, `SELECT id FROM half`)
		require.Error(t, err, "the failed migration's first statement must be rolled back")
	})
}

func TestLoadRejectsBadNames(t *testing.T) {
	t.Parallel()
	_, err := migrate.Load(fstest.MapFS{"init.sql": {Data: []byte("x")}})
	require.ErrorContains(t, err, "init.sql")
	_, err = migrate.Load(fstest.MapFS{"0001_a.sql": {}, "1_b.sql": {}})
	require.ErrorContains(t, err, "share version 1")
}
