package sqldb

import (
	"context"
	"database/sql"
	"fmt"
)

// PracticeSetting is the PostgreSQL run-time setting that row-level security
// reads to decide which practice's rows a transaction may see and write.
const PracticeSetting = "backdesk.practice_id"

// AnyPractice is the scope value of work that spans practices on purpose:
// the router, the outbox relay, sign-in, platform administration.
const AnyPractice = "*"

type scopeKey struct{}

// WithPractice scopes the transactions run under ctx to one practice: on
// PostgreSQL, row-level security hides every other practice's rows.
func WithPractice(ctx context.Context, practiceID string) context.Context {
	return context.WithValue(ctx, scopeKey{}, practiceID)
}

// AllPractices scopes the transactions run under ctx to every practice. Only
// system work that spans practices by design asks for it, so each use is a
// deliberate, reviewable choice.
func AllPractices(ctx context.Context) context.Context {
	return context.WithValue(ctx, scopeKey{}, AnyPractice)
}

// PracticeScope returns the scope set on ctx, if any.
func PracticeScope(ctx context.Context) (string, bool) {
	s, ok := ctx.Value(scopeKey{}).(string)
	return s, ok
}

// setPractice makes the scope local to the transaction (the third argument),
// so it ends with it and never leaks to the pooled connection's next user.
const setPractice = `SELECT set_config('` + PracticeSetting + `', $1, true)`

// setScope hands ctx's practice scope to PostgreSQL for the rest of tx.
// Without a scope it does nothing: row-level security then shows no row of
// a practice-scoped table, which is the safe way to fail. SQLite has no
// row-level security.
func (db *DB) setScope(ctx context.Context, tx *sql.Tx) error {
	if db.Dialect != Postgres {
		return nil
	}
	scope, ok := PracticeScope(ctx)
	if !ok {
		return nil
	}
	if _, err := tx.ExecContext(ctx, setPractice, scope); err != nil {
		return fmt.Errorf("set practice scope: %w", MapError(err))
	}
	return nil
}

// Scoped runs fn with a Querier that honours ctx's practice scope, for
// reads and single statements that need no transaction of their own. On
// PostgreSQL with a scope it is a transaction (Tx) carrying the scope,
// since the setting lives only as long as one; otherwise fn runs on the
// pool directly. Like Tx, it may run fn again, and fn must consume any
// rows it opens before it returns.
//
// Under ShareReads, fn runs in the request's shared read-only
// transaction, so it must only read.
func (db *DB) Scoped(ctx context.Context, fn func(q Querier) error) error {
	if scope, ok := PracticeScope(ctx); ok && db.Dialect == Postgres {
		if s := db.sharedFor(ctx); s != nil {
			if ran, err := s.run(scope, fn); ran {
				return err
			}
		}
		return db.Tx(ctx, func(tx *sql.Tx) error { return fn(tx) })
	}
	return fn(db.DB)
}
