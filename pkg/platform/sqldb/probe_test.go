package sqldb_test

import (
	"context"
	"testing"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// probeTable creates a table of the test's own as the database's owner,
// runs the owner's statements after it (rows to start with), and on
// PostgreSQL grants the application role the privileges listed, e.g.
// "SELECT, INSERT".
func probeTable(t *testing.T, db *sqldb.DB, create, privileges, table string, then ...string) {
	t.Helper()
	ctx := context.Background()
	owner := testenv.OwnerDB(t, db)
	for _, stmt := range append([]string{create}, then...) {
		_, err := owner.ExecContext(ctx, stmt)
		require.NoError(t, err, stmt)
	}
	if db.Dialect == sqldb.Postgres {
		_, err := owner.ExecContext(ctx, `GRANT `+privileges+` ON `+table+` TO `+testenv.AppRole)
		require.NoError(t, err)
	}
}
