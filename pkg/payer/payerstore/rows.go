package payerstore

import (
	"fmt"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
)

// batchRows bounds the rows one statement carries: well within SQLite's
// limit on parameters at 17 columns a row, and more claims than a
// remittance usually pays, so that one remittance costs one statement a
// table.
const batchRows = 1000

// withRows puts rows (ncols values each, one after another in args) in
// front of stmt as the table v(cols), and numbers stmt's own parameters,
// extra, after the rows': stmt marks them %s, each used once, in order.
// On PostgreSQL the rows travel as one array a column and the statement
// is planned once whatever their number; on SQLite as a VALUES list
// (sqldb.Dialect.InsertRows).
func withRows(d sqldb.Dialect, cols string, ncols int, args []any, stmt string, extra ...any) (string, []any, error) {
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

// chunks calls fn with values batchRows at a time.
func chunks(values []string, fn func([]string) error) error {
	for start := 0; start < len(values); start += batchRows {
		if err := fn(values[start:min(start+batchRows, len(values))]); err != nil {
			return err
		}
	}
	return nil
}

// anys turns values into the arguments of a one-column withRows.
func anys(values []string) []any {
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = v
	}
	return out
}
