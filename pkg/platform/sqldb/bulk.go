package sqldb

import (
	"fmt"
	"time"
)

// ColumnArrays turns the row-major arguments of a multi-row insert into one
// typed slice per column, with each column's PostgreSQL array type, for
// INSERT … SELECT * FROM unnest($1::text[], …): PostgreSQL plans that once
// however many rows it carries, where a VALUES list of thousands of
// parameters is planned anew each time. Columns may hold string, int64,
// bool, []byte, time.Time or *time.Time (NULL when nil); every row must use
// the same type in a column.
func ColumnArrays(args []any, ncols int) ([]any, []string, error) {
	nrows := len(args) / ncols
	out := make([]any, ncols)
	types := make([]string, ncols)
	for j := 0; j < ncols; j++ {
		switch args[j].(type) {
		case string:
			col := make([]string, nrows)
			for i := range col {
				col[i] = args[i*ncols+j].(string)
			}
			out[j], types[j] = col, "text"
		case int64:
			col := make([]int64, nrows)
			for i := range col {
				col[i] = args[i*ncols+j].(int64)
			}
			out[j], types[j] = col, "bigint"
		case bool:
			col := make([]bool, nrows)
			for i := range col {
				col[i] = args[i*ncols+j].(bool)
			}
			out[j], types[j] = col, "boolean"
		case []byte:
			col := make([][]byte, nrows)
			for i := range col {
				col[i] = args[i*ncols+j].([]byte)
			}
			out[j], types[j] = col, "bytea"
		case *time.Time:
			col := make([]*time.Time, nrows)
			for i := range col {
				col[i] = args[i*ncols+j].(*time.Time)
			}
			out[j], types[j] = col, "timestamptz"
		case time.Time:
			col := make([]time.Time, nrows)
			for i := range col {
				col[i] = args[i*ncols+j].(time.Time)
			}
			out[j], types[j] = col, "timestamptz"
		default:
			return nil, nil, fmt.Errorf("sqldb: column %d has unsupported type %T", j, args[j])
		}
	}
	return out, types, nil
}
