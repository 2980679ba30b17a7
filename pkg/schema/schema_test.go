package schema_test

import (
	"testing"

	"github.com/backdesk/backdesk/pkg/platform/migrate"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/schema"
	"github.com/stretchr/testify/require"
)

// Both dialects must carry the same numbered files, or one database would
// lag the other without anyone noticing.
func TestDialectsHaveTheSameMigrations(t *testing.T) {
	t.Parallel()
	pg, err := migrate.Load(schema.FS(sqldb.Postgres))
	require.NoError(t, err)
	lite, err := migrate.Load(schema.FS(sqldb.SQLite))
	require.NoError(t, err)
	require.NotEmpty(t, pg)
	require.Len(t, lite, len(pg))
	for i := range pg {
		require.Equal(t, pg[i].Name, lite[i].Name)
	}
}
