package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Writer is a write transaction whose statements can travel together
// (Write). Through its Querier methods a statement runs at once; Later
// holds a statement whose result nobody reads until the next statement
// or the commit, and One sends what is held (and, first, the begin and
// the practice scope) with a query whose one row it scans. On PostgreSQL
// a transaction that reads one row and then only writes costs two round
// trips: the begin, the scope and the read, then the writes and the
// commit.
type Writer struct {
	db   *DB
	ctx  context.Context
	conn *sql.Conn // PostgreSQL: the transaction's connection
	tx   *sql.Tx   // elsewhere: a transaction of database/sql
	// held are the statements not sent yet: the begin and the scope,
	// then those of Later.
	held  []held
	begun bool  // the begin has been sent
	err   error // the failure of held statements a QueryRowContext could not return
}

// Deferrer is a Querier that can hold a statement until the next one
// (Writer); ExecLater uses it.
type Deferrer interface {
	Querier
	Later(query string, args ...any)
}

// ExecLater runs query through q, held to travel with the next statement
// when q can hold it (a Writer), at once otherwise. An error of a held
// statement is reported by the statement or commit it travels with.
func ExecLater(ctx context.Context, q Querier, query string, args ...any) error {
	if d, ok := q.(Deferrer); ok {
		d.Later(query, args...)
		return nil
	}
	_, err := q.ExecContext(ctx, query, args...)
	return err
}

// Write runs fn in a write transaction in the practice scope of ctx, and
// commits it when fn returns nil, as Tx does (fn may run again when the
// database asks for a retry). On PostgreSQL the statements fn holds
// (Later) go out with the next statement or with the commit, and the
// begin and the scope with the first statement One sends.
func (db *DB) Write(ctx context.Context, fn func(w *Writer) error) error {
	if db.Dialect != Postgres {
		return db.Tx(ctx, func(tx *sql.Tx) error {
			w := &Writer{db: db, ctx: ctx, tx: tx}
			if err := fn(w); err != nil {
				return w.cause(err)
			}
			return w.flush(ctx)
		})
	}
	return retrying(ctx, func() error { return db.write(ctx, fn) })
}

func (db *DB) write(ctx context.Context, fn func(w *Writer) error) (err error) {
	if s := db.sharedFor(ctx); s != nil {
		s.release() // one connection per request at a time
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", MapError(err))
	}
	defer conn.Close()
	w := &Writer{db: db, ctx: ctx, conn: conn, held: []held{{query: "BEGIN"}}}
	if scope, ok := PracticeScope(ctx); ok {
		w.held = append(w.held, held{query: setPractice, args: []any{scope}})
	}
	defer func() {
		if p := recover(); p != nil {
			w.end("ROLLBACK")
			panic(p)
		}
		if err != nil {
			w.end("ROLLBACK")
		}
	}()
	if err = fn(w); err != nil {
		return w.cause(err)
	}
	if err = w.send(ctx, "COMMIT", nil); err != nil {
		return fmt.Errorf("commit: %w", MapError(err))
	}
	return nil
}

// Later holds query until the next statement or the commit.
func (w *Writer) Later(query string, args ...any) {
	w.held = append(w.held, held{query: query, args: args})
}

// cause is the error fn's failure stems from: a held statement's, when
// one failed where it could not be returned, else err.
func (w *Writer) cause(err error) error {
	if w.err != nil {
		return w.err
	}
	return err
}

// flush sends what is held, before a statement that runs at once.
func (w *Writer) flush(ctx context.Context) error {
	if w.tx != nil {
		for _, h := range w.held {
			if _, err := w.tx.ExecContext(ctx, h.query, h.args...); err != nil {
				return MapError(err)
			}
		}
		w.held = nil
		return nil
	}
	if len(w.held) == 0 {
		return nil
	}
	return MapError(w.send(ctx, "", nil))
}

// One sends what is held with query and scans its first row into dest;
// found is false when it returns none.
func (w *Writer) One(ctx context.Context, query string, args []any, dest ...any) (found bool, err error) {
	if w.tx != nil {
		if err := w.flush(ctx); err != nil {
			return false, err
		}
		err := w.tx.QueryRowContext(ctx, query, args...).Scan(dest...)
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		return err == nil, MapError(err)
	}
	err = w.send(ctx, "", &Read{Query: query, Args: args, Row: func(r Scanner) error {
		if found {
			return nil
		}
		found = true
		return r.Scan(dest...)
	}})
	return found, MapError(err)
}

// send sends what is held, then end (COMMIT) or last (a query whose
// rows go to it), in one round trip.
func (w *Writer) send(ctx context.Context, end string, last *Read) error {
	execs := w.held
	w.held = nil
	if end != "" {
		execs = append(execs, held{query: end})
	}
	var reads []Read
	if last != nil {
		reads = []Read{*last}
	}
	if len(execs)+len(reads) == 0 {
		return nil
	}
	w.db.sentWrite(execs, reads, !w.begun, end)
	w.begun = true
	return pipeline(ctx, w.conn, execs, reads)
}

// end rolls back a transaction that failed.
func (w *Writer) end(statement string) {
	if w.tx != nil || !w.begun {
		return
	}
	w.db.endTx(w.ctx, w.conn, statement)
}

// ExecContext sends what is held, then runs query.
func (w *Writer) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := w.flush(ctx); err != nil {
		return nil, err
	}
	return w.querier().ExecContext(ctx, query, args...)
}

// QueryContext sends what is held, then runs query.
func (w *Writer) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := w.flush(ctx); err != nil {
		return nil, err
	}
	return w.querier().QueryContext(ctx, query, args...)
}

// QueryRowContext sends what is held, then runs query. An error sending
// what was held is the row's.
func (w *Writer) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if err := w.flush(ctx); err != nil {
		// A Row cannot be made to carry err: the statement runs against a
		// cancelled context, which fails without reaching the server, and
		// Write reports err when fn returns the row's error.
		w.err = err
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		return w.querier().QueryRowContext(cancelled, query, args...)
	}
	return w.querier().QueryRowContext(ctx, query, args...)
}

func (w *Writer) querier() Querier {
	if w.tx != nil {
		return w.tx
	}
	return w.conn
}

// sentWrite counts one round trip of a write transaction: the begin when
// it carries the begin, the commit when it carries the commit, else a
// statement; a watch sees each statement.
func (db *DB) sentWrite(execs []held, reads []Read, begins bool, end string) {
	if db.counter == nil {
		return
	}
	switch {
	case begins:
		db.counter.begins.Add(1)
	case end == "COMMIT":
		db.counter.commits.Add(1)
	default:
		db.counter.statements.Add(1)
	}
	for _, h := range execs {
		db.counter.note("(pipelined) " + h.query)
	}
	for _, r := range reads {
		db.counter.note("(pipelined) " + r.Query)
	}
}
