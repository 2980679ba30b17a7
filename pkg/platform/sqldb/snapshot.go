package sqldb

import (
	"context"
	"database/sql"
	"fmt"
)

// Snapshot runs fn's reads against one consistent view of the database:
// every statement fn runs sees the same committed state, whatever commits
// meanwhile. On PostgreSQL that is a read-only REPEATABLE READ
// transaction carrying ctx's practice scope; on SQLite a deferred
// transaction, whose view WAL fixes at its first read, so it never takes
// the write lock that Tx's immediate transactions take. fn must only read
// and must consume any rows it opens before it returns.
//
// Use it when one answer is built from several statements that a writer
// changes together, such as a checkpoint and the leaves it covers.
func (db *DB) Snapshot(ctx context.Context, fn func(q Querier) error) error {
	if s := db.sharedFor(ctx); s != nil {
		s.release() // one connection per request at a time
	}
	if db.Dialect == Postgres {
		tx, err := db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
		if err != nil {
			return fmt.Errorf("begin snapshot: %w", MapError(err))
		}
		defer func() { _ = tx.Rollback() }()
		if err := db.setScope(ctx, tx); err != nil {
			return err
		}
		return fn(tx)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("snapshot connection: %w", MapError(err))
	}
	defer func() { _ = conn.Close() }()
	if _, err := conn.ExecContext(ctx, "BEGIN DEFERRED"); err != nil {
		return fmt.Errorf("begin snapshot: %w", MapError(err))
	}
	defer func() { _, _ = conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK") }()
	return fn(conn)
}
