package sqldb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// held is a statement waiting to be sent in a pipeline.
type held struct {
	query string
	args  []any
}

// errExecs marks a pipeline whose leading statements failed: the
// transaction they were to begin or carry is in no known state.
var errExecs = errors.New("pipelined statement failed")

// pipeline sends execs, then reads, on conn's own driver connection as
// one batch ended by a single Sync: one round trip. The execs' results
// are checked in order and each read's rows go to it. An exec's failure
// comes back wrapping errExecs.
func pipeline(ctx context.Context, conn *sql.Conn, execs []held, reads []Read) error {
	return conn.Raw(func(driverConn any) error {
		pc, ok := Unwrap(driverConn).(*stdlib.Conn)
		if !ok {
			return errors.New("not a pgx connection")
		}
		var b pgx.Batch
		for _, h := range execs {
			b.Queue(h.query, h.args...)
		}
		for _, r := range reads {
			b.Queue(r.Query, r.Args...)
		}
		br := pc.Conn().SendBatch(ctx, &b)
		for range execs {
			if _, err := br.Exec(); err != nil {
				_ = br.Close()
				return errors.Join(errExecs, err)
			}
		}
		for _, r := range reads {
			if err := eachRow(br, r); err != nil {
				_ = br.Close()
				return err
			}
		}
		return br.Close()
	})
}

func eachRow(br pgx.BatchResults, r Read) error {
	rows, err := br.Query()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := r.Row(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// endTx sends statement (COMMIT or ROLLBACK) on the transaction open on
// conn; a connection the server did not answer is discarded rather than
// returned to the pool.
func (db *DB) endTx(ctx context.Context, conn *sql.Conn, statement string) {
	db.sentEnd(statement)
	if err := pipeline(ctx, conn, []held{{query: statement}}, nil); err != nil {
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	}
}

// sentEnd counts the COMMIT or ROLLBACK of a transaction.
func (db *DB) sentEnd(statement string) {
	if db.counter == nil {
		return
	}
	if statement == "COMMIT" {
		db.counter.commits.Add(1)
	} else {
		db.counter.rollbacks.Add(1)
	}
	db.counter.note(statement)
}
