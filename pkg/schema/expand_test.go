package schema_test

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/schema"
	"github.com/stretchr/testify/require"
)

// contracting matches statements that take away what the previous
// release's code may still use.
var contracting = regexp.MustCompile(`(?i)\b(drop\s+table|drop\s+column|rename\s+(column|to)|alter\s+column\s+\S+\s+(set\s+data\s+)?type|set\s+not\s+null)\b`)

// helm rollback (and every rolling update) runs the previous release's
// code against the newest schema, and no migration runs backwards, so a
// migration only adds: a table, a column with a default, an index. One
// that drops, renames or tightens must say so on a line
// "-- contract: <why the previous release no longer uses it>", and ships
// a release after the code stopped using what it removes
// (docs/deploy.md, "Upgrades").
func TestMigrationsOnlyExpand(t *testing.T) {
	t.Parallel()
	for _, d := range []sqldb.Dialect{sqldb.Postgres, sqldb.SQLite} {
		fsys := schema.FS(d)
		names, err := fs.Glob(fsys, "*.sql")
		require.NoError(t, err)
		require.NotEmpty(t, names)
		for _, name := range names {
			raw, err := fs.ReadFile(fsys, name)
			require.NoError(t, err)
			if strings.Contains(string(raw), "-- contract: ") {
				continue
			}
			for i, line := range strings.Split(string(raw), "\n") {
				code, _, _ := strings.Cut(line, "--")
				require.Falsef(t, contracting.MatchString(code),
					"%s/%s line %d takes away what the previous release may use: %q; expand now and contract a release later, marked with \"-- contract: <why>\"",
					d, name, i+1, strings.TrimSpace(line))
			}
		}
	}
	require.True(t, contracting.MatchString("ALTER TABLE claims DROP COLUMN payer"), "the check must see a dropped column")
}
