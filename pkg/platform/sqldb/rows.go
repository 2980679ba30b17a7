package sqldb

import (
	"context"
	"database/sql"
	"errors"
)

// Scanner reads one row into a value; *sql.Row and *sql.Rows both scan.
type Scanner interface {
	Scan(dest ...any) error
}

// List runs query on q and reads every row with scan, so a store writes
// only what is its own: the statement and how one row becomes a value.
func List[T any](ctx context.Context, q Querier, scan func(Scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, MapError(err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, MapError(rows.Err())
}

// One runs query on q and reads its one row with scan; found is false
// when there is none.
func One[T any](ctx context.Context, q Querier, scan func(Scanner) (T, error), query string, args ...any) (v T, found bool, err error) {
	v, err = scan(q.QueryRowContext(ctx, query, args...))
	if errors.Is(err, sql.ErrNoRows) {
		var zero T
		return zero, false, nil
	}
	if err != nil {
		return v, false, MapError(err)
	}
	return v, true, nil
}
