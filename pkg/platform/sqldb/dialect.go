package sqldb

import (
	"fmt"
	"strings"
)

// ForUpdate returns the row-locking clause that keeps a row read in a
// transaction from changing under it until the transaction ends: on
// PostgreSQL "FOR UPDATE" (of the given table aliases, when named);
// SQLite runs one writer at a time and its write transactions start
// immediate, so it needs nothing.
func (d Dialect) ForUpdate(of ...string) string {
	if d != Postgres {
		return ""
	}
	if len(of) == 0 {
		return " FOR UPDATE"
	}
	return " FOR UPDATE OF " + strings.Join(of, ", ")
}

// Concurrent reports whether writers run side by side (PostgreSQL), so
// that ordering among them must be arranged with locks, rather than one
// at a time (SQLite).
func (d Dialect) Concurrent() bool { return d == Postgres }

// InsertRows builds one multi-row statement: head (e.g. "INSERT INTO t (a,
// b) "), the rows, then tail (e.g. an ON CONFLICT or RETURNING clause).
// args holds the rows one after another, ncols values each. On PostgreSQL
// the rows travel as one array per column through unnest, which is
// planned once however many rows there are; on SQLite as a VALUES list
// of anonymous placeholders (see Param). A column's values share one Go
// type (see ColumnArrays). Callers keep each statement to a thousand rows
// or so, within both engines' limits.
func (d Dialect) InsertRows(head string, ncols int, args []any, tail string) (string, []any, error) {
	if ncols <= 0 || len(args) == 0 || len(args)%ncols != 0 {
		return "", nil, fmt.Errorf("sqldb: %d values do not make rows of %d columns", len(args), ncols)
	}
	var b strings.Builder
	b.WriteString(head)
	if d == Postgres {
		cols, types, err := ColumnArrays(args, ncols)
		if err != nil {
			return "", nil, err
		}
		b.WriteString("SELECT * FROM unnest(")
		for j, typ := range types {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "$%d::%s[]", j+1, typ)
		}
		b.WriteString(")")
		args = cols
	} else {
		b.WriteString("VALUES ")
		for i := 0; i < len(args)/ncols; i++ {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(")
			for j := 1; j <= ncols; j++ {
				if j > 1 {
					b.WriteString(", ")
				}
				b.WriteString(d.Param(i*ncols + j))
			}
			b.WriteString(")")
		}
	}
	b.WriteString(tail)
	return b.String(), args, nil
}

// In returns the condition that column is one of values, and its
// arguments, numbered from first: on PostgreSQL one text array through
// ANY, planned once whatever the count; on SQLite an IN list of
// placeholders, which callers keep under its limit on parameters (a few
// thousand values). No values is a condition no row meets.
func (d Dialect) In(column string, first int, values []string) (string, []any) {
	if len(values) == 0 {
		return "1 = 0", nil
	}
	if d == Postgres {
		return fmt.Sprintf("%s = ANY($%d::text[])", column, first), []any{values}
	}
	marks := make([]string, len(values))
	args := make([]any, len(values))
	for i, v := range values {
		marks[i], args[i] = d.Param(first+i), v
	}
	return column + " IN (" + strings.Join(marks, ", ") + ")", args
}

// WithRows puts rows (ncols values each, one after another in args) in
// front of stmt as the table v(cols), and numbers stmt's own parameters,
// extra, after the rows': stmt marks them %s, each used once, in order.
// On PostgreSQL the rows travel as one array a column and the statement
// is planned once whatever their number; on SQLite as a VALUES list
// (InsertRows).
func (d Dialect) WithRows(cols string, ncols int, args []any, stmt string, extra ...any) (string, []any, error) {
	q, qargs, err := d.InsertRows("WITH v ("+cols+") AS (", ncols, args, ") ")
	if err != nil {
		return "", nil, err
	}
	marks := make([]any, len(extra))
	for i := range extra {
		marks[i] = d.Param(len(qargs) + i + 1)
	}
	return q + fmt.Sprintf(stmt, marks...), append(qargs[:len(qargs):len(qargs)], extra...), nil
}
