package statement_test

import (
	"math"
	"testing"

	"github.com/backdesk/backdesk/pkg/records"
	"github.com/backdesk/backdesk/pkg/statement"
	"github.com/stretchr/testify/require"
)

func TestFormatCents(t *testing.T) {
	for c, want := range map[int64]string{
		0:              "$0.00",
		5:              "$0.05",
		99:             "$0.99",
		100:            "$1.00",
		123456:         "$1,234.56",
		-200:           "-$2.00",
		-123456:        "-$1,234.56",
		100000000:      "$1,000,000.00",
		99999999:       "$999,999.99",
		math.MaxInt64:  "$92,233,720,368,547,758.07",
		math.MinInt64:  "-$92,233,720,368,547,758.08",
		-1:             "-$0.01",
		1_000_000_000:  "$10,000,000.00",
		-1_000_000_000: "-$10,000,000.00",
	} {
		require.Equal(t, want, statement.FormatCents(c), "%d", c)
	}
}

func TestFormatDate(t *testing.T) {
	require.Equal(t, "Mar 4, 2026", statement.FormatDate(records.Date{Year: 2026, Month: 3, Day: 4}))
	require.Equal(t, "Dec 31, 2025", statement.FormatDate(records.ParseDate("2025-12-31")))
	require.Equal(t, "", statement.FormatDate(records.Date{}))
}
