package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// sharedReads is one request's read-only transaction, which its Scoped
// reads share: begin, set the scope and commit once per request instead
// of once per read.
type sharedReads struct {
	db   *DB
	base context.Context // the request's; the transaction lives as long as it
	mu   sync.Mutex      // held while a read runs; TryLock keeps nesting safe
	conn *sql.Conn       // the transaction's connection, for pipelined reads
	tx   *sql.Tx
	// scope is the practice scope the open transaction carries.
	scope string
}

type sharedKey struct{}

// ShareReads returns a context under which db's Scoped reads run in one
// read-only transaction, begun by the first read and committed by end
// (call it when the request is done); a read in another practice scope
// than the last moves the transaction to that scope. A request's reads
// then cost one statement each instead of four (begin, scope, read,
// commit). Each statement still sees what was committed before it ran
// (read committed), so a read after a write sees the write.
//
// The transaction is committed before any write transaction (Tx) begins
// under the same context, so a request never holds two connections and
// the pool cannot starve. A read that fails ends the shared transaction
// (PostgreSQL refuses every later statement of a transaction after an
// error); the next read begins another. A read that starts while another
// holds the transaction (a nested Scoped, or a parallel one) runs in a
// transaction of its own. It is for short requests: a stream that reads
// for minutes would keep a transaction open as long.
//
// Only PostgreSQL needs it; elsewhere ctx is returned unchanged.
func (db *DB) ShareReads(ctx context.Context) (shared context.Context, end func()) {
	if db.Dialect != Postgres {
		return ctx, func() {}
	}
	s := &sharedReads{db: db, base: ctx}
	return context.WithValue(ctx, sharedKey{}, s), s.end
}

// sharedFor returns the shared reads of ctx that belong to db.
func (db *DB) sharedFor(ctx context.Context) *sharedReads {
	s, _ := ctx.Value(sharedKey{}).(*sharedReads)
	if s == nil || s.db != db {
		return nil
	}
	return s
}

// run runs fn in the shared transaction for scope. It reports false when
// it could not (the transaction is busy, or cannot begin), and the
// caller then runs fn on its own.
func (s *sharedReads) run(scope string, fn func(q Querier) error) (bool, error) {
	return s.with(scope, func() error { return fn(s.tx) })
}

// with runs fn while holding the shared transaction, open in scope. It
// reports false when it could not (the transaction is busy, or cannot
// begin).
func (s *sharedReads) with(scope string, fn func() error) (bool, error) {
	if !s.mu.TryLock() {
		return false, nil
	}
	defer s.mu.Unlock()
	if s.tx != nil && s.scope != scope {
		// The scope is the transaction's setting, read by each statement:
		// moving the open transaction to another scope costs one round
		// trip, where ending it and beginning another would cost three.
		if _, err := s.tx.ExecContext(s.base, setPractice, scope); err != nil {
			s.rollback()
		} else {
			s.scope = scope
		}
	}
	if s.tx == nil && !s.begin(scope) {
		return false, nil
	}
	if err := fn(); err != nil {
		// No row is an answer, not a failure: PostgreSQL carries on.
		if !errors.Is(err, sql.ErrNoRows) {
			s.rollback()
		}
		return true, err
	}
	return true, nil
}

// begin opens the shared transaction on a connection of its own, in
// scope; it reports whether it could.
func (s *sharedReads) begin(scope string) bool {
	if s.base.Err() != nil {
		return false
	}
	conn, err := s.db.Conn(s.base)
	if err != nil {
		return false
	}
	tx, err := conn.BeginTx(s.base, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		_ = conn.Close()
		return false
	}
	if _, err := tx.ExecContext(s.base, setPractice, scope); err != nil {
		_ = tx.Rollback()
		_ = conn.Close()
		return false
	}
	s.conn, s.tx, s.scope = conn, tx, scope
	return true
}

// rollback ends a transaction a statement failed in.
func (s *sharedReads) rollback() {
	if s.tx != nil {
		_ = s.tx.Rollback()
		_ = s.conn.Close()
		s.tx, s.conn = nil, nil
	}
}

// release commits the shared transaction if no read is using it, before
// the request begins a write transaction.
func (s *sharedReads) release() {
	if !s.mu.TryLock() {
		return
	}
	defer s.mu.Unlock()
	s.finish()
}

func (s *sharedReads) end() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.finish()
}

// finish ends the open transaction. It only read, so committing cannot
// lose anything; an error here (a connection gone) changes no result
// already returned.
func (s *sharedReads) finish() {
	if s.tx != nil {
		_ = s.tx.Commit()
		_ = s.conn.Close()
		s.tx, s.conn = nil, nil
	}
}
