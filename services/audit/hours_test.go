package audit_test

import (
	"context"
	"testing"
	"time"

	pkgaudit "github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/roster"
	"github.com/backdesk/backdesk/pkg/roster/rosterstore"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/backdesk/backdesk/services/audit"
	"github.com/stretchr/testify/require"
)

// The anomaly report reads agents' working hours from the roster, in the
// agent's time zone.
func TestAgentHoursComeFromTheRoster(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		r := roster.NewService(rosterstore.New(db, auditstore.New(db)))
		seeder := pkgaudit.Event{Actor: pkgaudit.SystemActor} // the platform sets the roster up
		now := time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)
		id, err := r.EnsureUser(ctx, "https://idp", "dev-alice", "Alice", "alice@example.com", now)
		require.NoError(t, err)
		require.NoError(t, r.PutAgent(ctx, seeder, roster.Agent{UserID: id, DisplayName: "Alice", Active: true, Capacity: 10,
			Timezone: "America/Chicago", Hours: "mon-fri 08:00-17:00"}, now))
		nohours, err := r.EnsureUser(ctx, "https://idp", "dev-bob", "Bob", "bob@example.com", now)
		require.NoError(t, err)
		require.NoError(t, r.PutAgent(ctx, seeder, roster.Agent{UserID: nohours, DisplayName: "Bob", Active: true, Capacity: 10}, now))

		hours := audit.AgentHours(r)
		w, ok, err := hours(ctx, "https://idp", "dev-alice")
		require.NoError(t, err)
		require.True(t, ok)
		chicago, err := time.LoadLocation("America/Chicago")
		require.NoError(t, err)
		require.True(t, w.Contains(time.Date(2026, 3, 4, 9, 30, 0, 0, chicago)), "Wednesday morning in Chicago")
		require.False(t, w.Contains(time.Date(2026, 3, 4, 7, 30, 0, 0, chicago)), "before the shift")
		require.False(t, w.Contains(time.Date(2026, 3, 7, 10, 0, 0, 0, chicago)), "Saturday")
		require.False(t, w.Contains(time.Date(2026, 3, 4, 16, 30, 0, 0, time.UTC).Add(7*time.Hour)), "late evening in Chicago")

		for _, subject := range []string{"dev-bob", "nobody"} {
			_, ok, err = hours(ctx, "https://idp", subject)
			require.NoError(t, err)
			require.False(t, ok, "%s: no fixed hours, or not an agent, is unknown", subject)
		}
	})
}
