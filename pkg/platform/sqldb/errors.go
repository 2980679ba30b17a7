package sqldb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"net"
	"strings"

	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// MapError turns driver errors into apperr kinds: no rows becomes
// ErrNotFound, a unique or foreign-key violation becomes ErrConflict, and a
// lost connection becomes ErrUnavailable. The driver error stays wrapped for
// logs; its text can quote a constraint name but never a row's values,
// because apperr messages here are fixed strings.
func MapError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return &apperr.Error{Kind: apperr.KindNotFound, Code: "not_found", Message: "not found", Err: err}
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505":
			return apperr.Conflict("conflict", "already exists", err)
		case "23503":
			return apperr.Conflict("reference", "refers to a record that does not exist or is still referenced", err)
		case "57P01", "57P02", "57P03", "53300":
			return apperr.Unavailable("database unavailable", err)
		}
		return err
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		switch sqErr.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return apperr.Conflict("conflict", "already exists", err)
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return apperr.Conflict("reference", "refers to a record that does not exist or is still referenced", err)
		}
		return err
	}
	var netErr net.Error
	if errors.As(err, &netErr) || errors.Is(err, driver.ErrBadConn) || strings.Contains(err.Error(), "database is closed") {
		return apperr.Unavailable("database unavailable", err)
	}
	return err
}

// retryable reports a transaction that lost a race and may succeed if run again.
func retryable(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "40001" || pgErr.Code == "40P01"
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		c := sqErr.Code() & 0xff
		return c == sqlite3.SQLITE_BUSY || c == sqlite3.SQLITE_LOCKED
	}
	return false
}
