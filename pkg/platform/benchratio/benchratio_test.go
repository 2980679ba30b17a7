package benchratio_test

import (
	"strings"
	"testing"

	"github.com/backdesk/backdesk/pkg/platform/benchratio"
	"github.com/stretchr/testify/require"
)

const sample = `goos: linux
BenchmarkInsert/sqlite/store-2         	    1000	    200000 ns/op	    4096 B/op	      60 allocs/op
BenchmarkInsert/sqlite/baseline-2      	    1000	    100000 ns/op	    2048 B/op	      30 allocs/op
BenchmarkLookup/sqlite/store           	   50000	     20000 ns/op
BenchmarkLookup/sqlite/baseline        	   50000	     25000 ns/op
BenchmarkAlone-2                       	      10	   5000000 ns/op	   1234 rows/s
PASS
`

func TestParseAndReport(t *testing.T) {
	t.Parallel()
	rs, err := benchratio.Parse(strings.NewReader(sample))
	require.NoError(t, err)
	require.Len(t, rs, 5)
	require.Equal(t, "BenchmarkInsert/sqlite/store", rs[0].Name)
	require.Equal(t, 200000.0, rs[0].NsPerOp)
	require.Equal(t, 4096.0, rs[0].Metrics["B/op"])
	require.Equal(t, 1234.0, rs[4].Metrics["rows/s"])

	var out strings.Builder
	paired := benchratio.Report(&out, rs)
	require.Equal(t, 2, paired)
	require.Regexp(t, `BenchmarkInsert/sqlite/store\s+200000\s+0\.50x`, out.String())
	require.Regexp(t, `BenchmarkLookup/sqlite/store\s+20000\s+1\.25x`, out.String())
	require.Regexp(t, `BenchmarkAlone\s+5000000\s+-\s+1234 rows/s`, out.String())
}
