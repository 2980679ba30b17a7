package devstack

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/records"
	"github.com/backdesk/backdesk/pkg/records/recordcsv"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/stretchr/testify/require"
)

// Whatever day the dev binary first starts, its demo schedule has visits
// within the next three business days, so the demo shows insurance to
// verify, and every row of it reads.
func TestDemoScheduleHasVisitsToVerify(t *testing.T) {
	t.Parallel()
	chicago, err := time.LoadLocation("America/Chicago")
	require.NoError(t, err)
	for day := range 7 {
		now := time.Date(2026, 12, 7+day, 10, 0, 0, 0, chicago) // Monday to Sunday
		r, err := recordcsv.NewReader(strings.NewReader(demoFiles(now)["appointments"]),
			recordcsv.Options{Kind: records.Appointments, Location: chicago})
		require.NoError(t, err)
		from, to := work.VisitWindow(now, chicago, 3)
		near := 0
		for {
			row, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			require.NoError(t, err)
			a := row.Appointment
			if a.Status.Expected() && !a.Start.Before(from) && a.Start.Before(to) {
				near++
			}
		}
		require.Empty(t, r.Errors(), now.Weekday())
		require.GreaterOrEqual(t, near, 3, now.Weekday())
	}
}
