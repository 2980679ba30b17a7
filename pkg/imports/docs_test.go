package imports_test

import (
	"os"
	"strings"
	"testing"

	"github.com/backdesk/backdesk/pkg/records"
	"github.com/backdesk/backdesk/pkg/records/recordcsv"
	"github.com/stretchr/testify/require"
)

// The column tables in docs/imports.md are what practices read; they must
// list every column the reader knows, marked required when it is.
func TestDocsListEveryColumn(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../../docs/imports.md")
	require.NoError(t, err)
	for _, k := range records.Kinds {
		section := string(doc)[strings.Index(string(doc), "### `"+string(k)+"`"):]
		if next := strings.Index(section[4:], "### "); next > 0 {
			section = section[:next+4]
		}
		for _, c := range recordcsv.Columns(k) {
			req := " |  | "
			if c.Required {
				req = " | yes | "
			}
			require.Contains(t, section, "| `"+c.Name+"`"+req, "docs/imports.md, %s", k)
		}
	}
}
