package priority_test

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/backdesk/backdesk/pkg/work/priority"
	"github.com/stretchr/testify/require"
)

// The weights table in docs/priority.md is what practices and agents read;
// it must list exactly the bands and points the code uses, in the same
// order.
func TestDocsMatchWeights(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../../../docs/priority.md")
	require.NoError(t, err)
	rows := weightRows(t, string(doc))
	require.NotEmpty(t, rows, "no weights table in docs/priority.md")
	require.Equal(t, priority.Weights(), rows)
}

// weightRows reads the table under "## Weights": | `code` | from | to |
// points | why |.
func weightRows(t *testing.T, doc string) []priority.Weight {
	t.Helper()
	start := strings.Index(doc, "\n## Weights\n")
	require.GreaterOrEqual(t, start, 0, "no Weights section")
	section := doc[start+1:]
	if end := strings.Index(section[3:], "\n## "); end >= 0 {
		section = section[:end+3]
	}
	var out []priority.Weight
	for _, line := range strings.Split(section, "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		require.Len(t, cells, 5, line)
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		points, err := strconv.Atoi(cells[3])
		require.NoError(t, err, line)
		out = append(out, priority.Weight{
			Code:   strings.Trim(cells[0], "`"),
			Min:    bound(t, cells[1], line),
			Max:    bound(t, cells[2], line),
			Points: points,
		})
	}
	return out
}

// bound reads a band's bound: "—" (none), "yes" (a flag, 1), a dollar
// amount ("$1,000.00", in cents) or a day count ("31 days left").
func bound(t *testing.T, cell, line string) int64 {
	t.Helper()
	switch {
	case cell == "—":
		return priority.NoLimit
	case cell == "yes":
		return 1
	case strings.HasPrefix(cell, "$"):
		whole, frac, ok := strings.Cut(strings.ReplaceAll(cell[1:], ",", ""), ".")
		require.True(t, ok && len(frac) == 2, "amount %q in %s", cell, line)
		w, err := strconv.ParseInt(whole, 10, 64)
		require.NoError(t, err, line)
		f, err := strconv.ParseInt(frac, 10, 64)
		require.NoError(t, err, line)
		return w*100 + f
	}
	n, _, _ := strings.Cut(cell, " ")
	v, err := strconv.ParseInt(n, 10, 64)
	require.NoError(t, err, "bound %q in %s", cell, line)
	return v
}
