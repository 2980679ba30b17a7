package sqldb_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// In selects the rows whose column is one of the values, on both engines,
// with the parameters before it numbered as usual.
func TestInMatchesAnyOfTheValues(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := sqldb.AllPractices(context.Background())
		d := db.Dialect
		count := func(values []string) int {
			in, args := d.In("name", 2, values)
			q := fmt.Sprintf(`SELECT COUNT(*) FROM (SELECT 'a' AS name, 1 AS k UNION ALL SELECT 'b', 1 UNION ALL SELECT 'c', 2) t WHERE k = %s AND %s`, d.Param(1), in)
			var n int
			require.NoError(t, db.QueryRowContext(ctx, q, append([]any{1}, args...)...).Scan(&n))
			return n
		}
		require.Equal(t, 2, count([]string{"a", "b", "c"}))
		require.Equal(t, 1, count([]string{"b", "z"}))
		require.Equal(t, 0, count(nil))
	})
}
