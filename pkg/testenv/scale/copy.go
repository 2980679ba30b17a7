package scale

import (
	"context"
	"errors"
	"fmt"
	"iter"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// withConn runs fn on one of db's connections as the pgx connection it
// is, for COPY. With replica set, the session skips triggers, foreign-key
// checks included, for the load: the rows are made consistent by
// construction, as a restore's are (pg_restore --disable-triggers). Only
// a superuser may do that; the owner of BACKDESK_TEST_POSTGRES is one.
func withConn(ctx context.Context, db *sqldb.DB, replica bool, fn func(*pgx.Conn) error) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		sc, ok := sqldb.Unwrap(dc).(*stdlib.Conn)
		if !ok {
			return errors.New("scale: loading needs PostgreSQL through pgx")
		}
		pc := sc.Conn()
		// Each COPY is its own transaction; losing the last one in a
		// crash costs nothing here, waiting for its flush costs time.
		if _, err := pc.Exec(ctx, `SET synchronous_commit = off`); err != nil {
			return err
		}
		if replica {
			if _, err := pc.Exec(ctx, `SET session_replication_role = replica`); err != nil {
				return err
			}
			defer pc.Exec(context.WithoutCancel(ctx), `SET session_replication_role = DEFAULT`) //nolint:errcheck // the connection is closed after
		}
		return fn(pc)
	})
}

// copyRows streams what rows yields into table's columns with one COPY.
func copyRows(ctx context.Context, pc *pgx.Conn, table string, cols []string, rows iter.Seq[[]any]) (int64, error) {
	next, stop := iter.Pull(rows)
	defer stop()
	return pc.CopyFrom(ctx, pgx.Identifier{table}, cols, &pulled{next: next})
}

// pulled is a pgx.CopyFromSource over a pulled iterator.
type pulled struct {
	next func() ([]any, bool)
	row  []any
}

func (p *pulled) Next() bool {
	r, ok := p.next()
	p.row = r
	return ok
}

func (p *pulled) Values() ([]any, error) { return p.row, nil }

func (p *pulled) Err() error { return nil }

// ahead runs rows in a goroutine of its own, up to n rows ahead of the
// consumer, so making rows and sending them overlap.
func ahead(rows iter.Seq[[]any], n int) iter.Seq[[]any] {
	return func(yield func([]any) bool) {
		ch := make(chan []any, n)
		stop := make(chan struct{})
		defer close(stop)
		go func() {
			defer close(ch)
			for r := range rows {
				select {
				case ch <- r:
				case <-stop:
					return
				}
			}
		}()
		for r := range ch {
			if !yield(r) {
				return
			}
		}
	}
}

// withoutIndexes drops table's indexes other than its constraints' while
// fn loads it, then builds them again from their own definitions: one
// sort per index instead of an insertion per row, as a restore does. The
// schema after is the schema before.
func withoutIndexes(ctx context.Context, pc *pgx.Conn, table string, fn func() error) error {
	rows, err := pc.Query(ctx, `SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i
WHERE i.indrelid = $1::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`, table)
	if err != nil {
		return err
	}
	var names, defs []string
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			rows.Close()
			return err
		}
		names, defs = append(names, name), append(defs, def)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, name := range names {
		if _, err := pc.Exec(ctx, `DROP INDEX `+name); err != nil {
			return err
		}
	}
	if err := fn(); err != nil {
		return err
	}
	if _, err := pc.Exec(ctx, `SET maintenance_work_mem = '256MB'`); err != nil {
		return err
	}
	for _, def := range defs {
		if _, err := pc.Exec(ctx, def); err != nil {
			return fmt.Errorf("%s: %w", def, err)
		}
	}
	return nil
}
