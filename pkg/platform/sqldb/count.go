package sqldb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"sync"
	"sync/atomic"
)

// Counts are the database round trips a DB has made: statements (queries
// and executions, prepared or not), and transactions begun, committed and
// rolled back. On PostgreSQL each is one round trip to the server; on
// SQLite, one call into the engine. They do not depend on how busy the
// machine is, so tests can hold operations to a ceiling and benchmarks
// can report them per operation.
type Counts struct {
	Statements, Begins, Commits, Rollbacks int64
}

// RoundTrips is the sum of the counts.
func (c Counts) RoundTrips() int64 { return c.Statements + c.Begins + c.Commits + c.Rollbacks }

// Sub returns c minus before: what happened in between.
func (c Counts) Sub(before Counts) Counts {
	return Counts{
		Statements: c.Statements - before.Statements, Begins: c.Begins - before.Begins,
		Commits: c.Commits - before.Commits, Rollbacks: c.Rollbacks - before.Rollbacks,
	}
}

// counter is shared by every connection of one DB.
type counter struct {
	statements, begins, commits, rollbacks atomic.Int64
	watch                                  atomic.Pointer[watch]
}

// watch collects the text of what a DB sends while a test watches.
type watch struct {
	mu   sync.Mutex
	sent []string
}

// note records what was sent, when somebody watches.
func (c *counter) note(what string) {
	if w := c.watch.Load(); w != nil {
		w.mu.Lock()
		w.sent = append(w.sent, what)
		w.mu.Unlock()
	}
}

// Watch records the text of every statement db sends, and BEGIN, COMMIT
// and ROLLBACK, until the returned stop is called, which returns them in
// the order they were sent. It is for tests that explain a count; one
// watch at a time.
func (db *DB) Watch() (stop func() []string) {
	w := &watch{}
	if db.counter != nil {
		db.counter.watch.Store(w)
	}
	return func() []string {
		if db.counter != nil {
			db.counter.watch.CompareAndSwap(w, nil)
		}
		w.mu.Lock()
		defer w.mu.Unlock()
		return w.sent
	}
}

func (c *counter) snapshot() Counts {
	return Counts{Statements: c.statements.Load(), Begins: c.begins.Load(), Commits: c.commits.Load(), Rollbacks: c.rollbacks.Load()}
}

// Counts returns the round trips db has made since it was opened.
func (db *DB) Counts() Counts {
	if db.counter == nil {
		return Counts{}
	}
	return db.counter.snapshot()
}

// countingConnector opens connections of the wrapped driver that count
// what they send.
type countingConnector struct {
	driver.Connector
	n *counter
}

func (c countingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: conn, n: c.n}, nil
}

// dsnConnector makes a Connector of a driver that has none.
type dsnConnector struct {
	dsn string
	drv driver.Driver
}

func (c dsnConnector) Connect(context.Context) (driver.Conn, error) { return c.drv.Open(c.dsn) }
func (c dsnConnector) Driver() driver.Driver                        { return c.drv }

// openCounting opens driverName's dsn with every connection counted.
func openCounting(driverName, dsn string, n *counter) (*sql.DB, error) {
	probe, err := sql.Open(driverName, dsn)
	if err != nil {
		return nil, err
	}
	drv := probe.Driver()
	_ = probe.Close()
	var conn driver.Connector = dsnConnector{dsn: dsn, drv: drv}
	if dc, ok := drv.(driver.DriverContext); ok {
		if conn, err = dc.OpenConnector(dsn); err != nil {
			return nil, err
		}
	}
	return sql.OpenDB(countingConnector{Connector: conn, n: n}), nil
}

// countingConn passes everything to the driver's connection, counting
// the calls that reach the server. It offers the optional interfaces
// database/sql looks for, and answers driver.ErrSkip where the wrapped
// connection lacks one, so database/sql falls back as it would.
type countingConn struct {
	driver.Conn
	n *counter
}

func (c *countingConn) Prepare(query string) (driver.Stmt, error) {
	st, err := c.Conn.Prepare(query)
	if err != nil {
		return nil, err
	}
	return &countingStmt{Stmt: st, n: c.n, query: query}, nil
}

func (c *countingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	var st driver.Stmt
	var err error
	if p, ok := c.Conn.(driver.ConnPrepareContext); ok {
		st, err = p.PrepareContext(ctx, query)
	} else {
		st, err = c.Conn.Prepare(query)
	}
	if err != nil {
		return nil, err
	}
	return &countingStmt{Stmt: st, n: c.n, query: query}, nil
}

func (c *countingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	e, ok := c.Conn.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	c.n.statements.Add(1)
	c.n.note(query)
	return e.ExecContext(ctx, query, args)
}

func (c *countingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	q, ok := c.Conn.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	c.n.statements.Add(1)
	c.n.note(query)
	return q.QueryContext(ctx, query, args)
}

func (c *countingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	var tx driver.Tx
	var err error
	if b, ok := c.Conn.(driver.ConnBeginTx); ok {
		tx, err = b.BeginTx(ctx, opts)
	} else {
		//lint:ignore SA1019 the fallback database/sql itself uses for such drivers
		tx, err = c.Conn.Begin()
	}
	if err != nil {
		return nil, err
	}
	c.n.begins.Add(1)
	c.n.note("BEGIN")
	return &countingTx{Tx: tx, n: c.n}, nil
}

func (c *countingConn) Ping(ctx context.Context) error {
	if p, ok := c.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (c *countingConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *countingConn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

func (c *countingConn) CheckNamedValue(nv *driver.NamedValue) error {
	if ch, ok := c.Conn.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

type countingTx struct {
	driver.Tx
	n *counter
}

func (t *countingTx) Commit() error {
	t.n.commits.Add(1)
	t.n.note("COMMIT")
	return t.Tx.Commit()
}

func (t *countingTx) Rollback() error {
	t.n.rollbacks.Add(1)
	t.n.note("ROLLBACK")
	return t.Tx.Rollback()
}

type countingStmt struct {
	driver.Stmt
	n     *counter
	query string
}

func (s *countingStmt) Exec(args []driver.Value) (driver.Result, error) {
	s.n.statements.Add(1)
	s.n.note(s.query)
	//lint:ignore SA1019 the fallback database/sql itself uses for such drivers
	return s.Stmt.Exec(args)
}

func (s *countingStmt) Query(args []driver.Value) (driver.Rows, error) {
	s.n.statements.Add(1)
	s.n.note(s.query)
	//lint:ignore SA1019 the fallback database/sql itself uses for such drivers
	return s.Stmt.Query(args)
}

func (s *countingStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	s.n.statements.Add(1)
	s.n.note(s.query)
	if e, ok := s.Stmt.(driver.StmtExecContext); ok {
		return e.ExecContext(ctx, args)
	}
	vals, err := values(args)
	if err != nil {
		return nil, err
	}
	//lint:ignore SA1019 the fallback database/sql itself uses for such drivers
	return s.Stmt.Exec(vals)
}

func (s *countingStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	s.n.statements.Add(1)
	s.n.note(s.query)
	if q, ok := s.Stmt.(driver.StmtQueryContext); ok {
		return q.QueryContext(ctx, args)
	}
	vals, err := values(args)
	if err != nil {
		return nil, err
	}
	//lint:ignore SA1019 the fallback database/sql itself uses for such drivers
	return s.Stmt.Query(vals)
}

func (s *countingStmt) CheckNamedValue(nv *driver.NamedValue) error {
	if ch, ok := s.Stmt.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

func values(args []driver.NamedValue) ([]driver.Value, error) {
	out := make([]driver.Value, len(args))
	for i, a := range args {
		if a.Name != "" {
			return nil, driver.ErrSkip
		}
		out[i] = a.Value
	}
	return out, nil
}

// Unwrap returns the driver's own connection behind driverConn, the value
// (*sql.Conn).Raw hands over, for code that needs the driver itself (a
// pgx pipeline, say). Such code counts its round trips with Sent.
func Unwrap(driverConn any) any {
	if c, ok := driverConn.(*countingConn); ok {
		return c.Conn
	}
	return driverConn
}

// Sent counts n round trips made on a connection Unwrap exposed.
func (db *DB) Sent(n int) {
	if db.counter != nil {
		db.counter.statements.Add(int64(n))
		db.counter.note(fmt.Sprintf("(%d sent on the driver's own connection)", n))
	}
}
