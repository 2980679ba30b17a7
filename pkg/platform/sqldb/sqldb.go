// Package sqldb opens Backdesk's relational store by URL and hides the few
// places where PostgreSQL and SQLite differ. Queries everywhere are written
// once, in PostgreSQL's dialect with $n parameters (SQLite accepts $n too);
// the Dialect covers the rest. Driver errors leave this package as apperr
// kinds, so callers can test them with errors.Is. Transactions carry the
// practice scope of their context (WithPractice, AllPractices), which
// PostgreSQL's row-level security reads.
package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // registers the "sqlite" database/sql driver
)

// Dialect names the SQL engine behind a DB.
type Dialect string

// The supported engines.
const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// DB is a *sql.DB that knows its dialect and counts its round trips
// (Counts).
type DB struct {
	*sql.DB
	Dialect Dialect
	counter *counter
}

// Querier is what both *sql.DB and *sql.Tx offer; store methods that may run
// inside or outside a transaction take one.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// SQLite connection settings: WAL lets readers run beside the writer, the
// busy timeout makes writers queue rather than fail, and immediate
// transactions take the write lock up front so two transactions never
// deadlock upgrading from read to write.
const sqliteParams = "_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_txlock=immediate&_time_format=sqlite"

// ParseURL splits a BACKDESK_DATABASE_URL into driver name, DSN and dialect.
func ParseURL(raw string) (driver, dsn string, d Dialect, err error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", "", fmt.Errorf("database URL does not parse")
	}
	switch u.Scheme {
	case "postgres", "postgresql":
		return "pgx", raw, Postgres, nil
	case "sqlite":
		path := u.Host + u.Path
		if path == "" {
			return "", "", "", fmt.Errorf("sqlite URL needs a path, e.g. sqlite://.backdesk/backdesk.db")
		}
		return "sqlite", "file:" + path + "?" + sqliteParams, SQLite, nil
	default:
		return "", "", "", fmt.Errorf("database URL scheme %q is not supported; use postgres:// or sqlite://", u.Scheme)
	}
}

// Open connects to the database named by raw and checks that it answers.
// For SQLite the file's folder is created when missing.
func Open(ctx context.Context, raw string) (*DB, error) {
	driver, dsn, dialect, err := ParseURL(raw)
	if err != nil {
		return nil, err
	}
	if dialect == SQLite {
		u, _ := url.Parse(raw)
		if dir := filepath.Dir(u.Host + u.Path); dir != "" {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return nil, fmt.Errorf("create database folder: %w", err)
			}
		}
	}
	n := &counter{}
	sdb, err := openCounting(driver, dsn, n)
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", dialect, err)
	}
	switch dialect {
	case SQLite:
		sdb.SetMaxOpenConns(8)
	case Postgres:
		sdb.SetMaxOpenConns(32)
		sdb.SetMaxIdleConns(32)
		sdb.SetConnMaxIdleTime(5 * time.Minute)
	}
	db := &DB{DB: sdb, Dialect: dialect, counter: n}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := sdb.PingContext(pingCtx); err != nil {
		_ = sdb.Close()
		return nil, fmt.Errorf("connect to %s database: %w", dialect, MapError(err))
	}
	return db, nil
}

// Tx runs fn in a transaction, committing when it returns nil and rolling
// back otherwise. A transaction that loses a serialization race or a
// deadlock is retried a few times, so fn must be safe to run again.
//
// On PostgreSQL the transaction carries ctx's practice scope (WithPractice,
// AllPractices) for row-level security; without one it sees no row of a
// practice-scoped table.
func (db *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return retrying(ctx, func() error { return db.tx(ctx, fn) })
}

// retrying runs attempt up to four times while it fails with an error the
// database says may pass if the transaction runs again (a serialization
// failure, a deadlock), waiting a little longer each time.
func retrying(ctx context.Context, attempt func() error) error {
	const attempts = 4
	var err error
	for i := 0; i < attempts; i++ {
		err = attempt()
		if err == nil || !retryable(err) || ctx.Err() != nil {
			return err
		}
		time.Sleep(time.Duration(i+1) * 10 * time.Millisecond)
	}
	return err
}

func (db *DB) tx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	if s := db.sharedFor(ctx); s != nil {
		s.release() // one connection per request at a time
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", MapError(err))
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err = db.setScope(ctx, tx); err != nil {
		return err
	}
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", MapError(err))
	}
	return nil
}

// Param returns the placeholder for the i-th (1-based) parameter of a
// statement in which every parameter appears once, in order: "$i" for
// PostgreSQL and "?" for SQLite. Large multi-row statements need this:
// SQLite looks numbered parameters up by name, which costs time
// quadratic in their count, and anonymous ones not at all.
func (d Dialect) Param(i int) string {
	if d == SQLite {
		return "?"
	}
	return "$" + strconv.Itoa(i)
}

// Numbered returns n numbered placeholders from $first on, comma
// separated, for an IN list; both dialects read numbered placeholders,
// and a statement may use the same list twice.
func Numbered(first, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("$" + strconv.Itoa(first+i))
	}
	return b.String()
}

// SkipLocked returns the row-locking clause for a queue-style SELECT:
// PostgreSQL skips rows another transaction holds; SQLite has one writer at
// a time and needs nothing.
func (d Dialect) SkipLocked() string {
	if d == Postgres {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}
