package payerstore

import (
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
)

// batchRows bounds the rows one statement carries: well within SQLite's
// limit on parameters at 17 columns a row, and more claims than a
// remittance usually pays, so that one remittance costs one statement a
// table.
const batchRows = 1000

// withRows is sqldb.Dialect.WithRows.
func withRows(d sqldb.Dialect, cols string, ncols int, args []any, stmt string, extra ...any) (string, []any, error) {
	return d.WithRows(cols, ncols, args, stmt, extra...)
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
