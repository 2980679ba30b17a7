package reportstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/report"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// TestCoverageCountsEachComingVisitOnceByItsVerification seeds a week of
// visits at a practice in Chicago, Thursday 2026-03-05 at 10:00 there,
// with patients at every standing, and reads the coverage a practice
// admin sees.
func TestCoverageCountsEachComingVisitOnceByItsVerification(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		chicago, err := time.LoadLocation("America/Chicago")
		require.NoError(t, err)
		at := time.Date(2026, 3, 5, 10, 0, 0, 0, chicago)
		exec(t, db, `INSERT INTO practices (id, name, npi, timezone, status, created_at, updated_at) VALUES ('cv', 'Cv', '1', 'America/Chicago', 'active', $1, $1)`, at)
		exec(t, db, `INSERT INTO practices (id, name, npi, timezone, status, created_at, updated_at) VALUES ('other', 'Other', '2', 'UTC', 'active', $1, $1)`, at)
		patient := func(id, practice string) {
			exec(t, db, `INSERT INTO patients (id, practice_id, external_id, first_name, last_name, date_of_birth, created_at, updated_at)
VALUES ($1, $2, $1, 'A', 'B', '1980-01-01', $3, $3)`, id, practice, at)
		}
		visit := func(id, practice, patient string, starts time.Time, status string) {
			exec(t, db, `INSERT INTO appointments (id, practice_id, patient_id, external_id, starts_at, status, created_at, updated_at)
VALUES ($1, $2, $3, $1, $4, $5, $6, $6)`, id, practice, patient, starts.UTC(), status, at)
		}
		check := func(id, patient, state, stage, owner string, finished *time.Time) {
			exec(t, db, `INSERT INTO work_items (id, practice_id, patient_id, kind, subject_type, subject_id, state, stage, owner_id, due_at,
finished_at, attempts, created_at, updated_at) VALUES ($1, 'cv', $2, 'eligibility_check', 'appointment', $1, $3, $4, NULLIF($5, ''), $6, $7, 0, $6, $6)`,
				id, patient, state, stage, owner, at.UTC(), finished)
		}
		day := func(n, hour int) time.Time { return time.Date(2026, 3, 5+n, hour, 0, 0, 0, chicago) }
		for _, p := range []string{"verified", "stale", "asking", "asked", "agent", "owned", "none", "twice", "gone"} {
			patient(p, "cv")
		}
		patient("elsewhere", "other")
		exec(t, db, `INSERT INTO users (id, issuer, subject, name, email, created_at, last_seen_at) VALUES ('u-a', 'iss', 'u-a', 'A', '', $1, $1)`, at)

		visit("v-past", "cv", "verified", day(0, 8), "scheduled")   // earlier today: gone by
		visit("v-1", "cv", "verified", day(0, 16), "confirmed")     // today, late: Thursday 22:00 UTC
		visit("v-2", "cv", "stale", day(1, 9), "scheduled")         // resolved too long ago
		visit("v-3", "cv", "asking", day(1, 23), "scheduled")       // Friday 23:00 Chicago is Saturday in UTC
		visit("v-4", "cv", "asked", day(4, 9), "scheduled")         // Monday
		visit("v-5", "cv", "agent", day(4, 10), "scheduled")        // an agent's: needs a person
		visit("v-6", "cv", "owned", day(4, 11), "scheduled")        // asked, but an agent took it
		visit("v-7", "cv", "none", day(5, 9), "scheduled")          // no check yet
		visit("v-8", "cv", "twice", day(5, 10), "scheduled")        // verified, and asked again since
		visit("v-9", "cv", "gone", day(5, 11), "cancelled")         // not coming
		visit("v-10", "cv", "verified", day(7, 9), "scheduled")     // beyond a week
		visit("v-11", "other", "elsewhere", day(1, 9), "scheduled") // another practice's
		recent, old := at.AddDate(0, 0, -3), at.AddDate(0, 0, -40)
		check("c-verified", "verified", "resolved", "", "", &recent)
		check("c-stale", "stale", "resolved", "", "", &old)
		check("c-asking", "asking", "open", "clearinghouse_to_ask", "", nil)
		check("c-asked", "asked", "open", "clearinghouse_asked", "", nil)
		check("c-agent", "agent", "open", "clearinghouse_needs_agent", "", nil)
		check("c-owned", "owned", "assigned", "clearinghouse_asked", "u-a", nil)
		check("c-twice-1", "twice", "resolved", "", "", &recent)
		check("c-twice-2", "twice", "open", "clearinghouse_to_ask", "", nil)
		check("c-closed", "none", "closed", "", "", &recent)

		cov, err := reports(db).Coverage(context.Background(), "cv", at, chicago, 7, 3, 30)
		require.NoError(t, err)
		require.Equal(t, "America/Chicago", cov.Timezone)
		require.Equal(t, "2026-03-10", cov.CheckedThrough, "three business days after a Thursday end on Tuesday")
		got := map[string]string{}
		for _, d := range cov.Days {
			got[d.Date] = fmt.Sprintf("%d visits: %d verified, %d asked, %d with agents, %d not checked",
				d.Visits, d.Verified, d.Asked, d.WithAgents, d.NotChecked)
		}
		require.Equal(t, map[string]string{
			"2026-03-05": "1 visits: 1 verified, 0 asked, 0 with agents, 0 not checked",
			"2026-03-06": "2 visits: 0 verified, 1 asked, 0 with agents, 1 not checked",
			"2026-03-07": "0 visits: 0 verified, 0 asked, 0 with agents, 0 not checked",
			"2026-03-08": "0 visits: 0 verified, 0 asked, 0 with agents, 0 not checked",
			"2026-03-09": "3 visits: 0 verified, 1 asked, 2 with agents, 0 not checked",
			"2026-03-10": "2 visits: 1 verified, 0 asked, 0 with agents, 1 not checked",
			"2026-03-11": "0 visits: 0 verified, 0 asked, 0 with agents, 0 not checked",
		}, got)
		require.Len(t, cov.Days, 7)
		require.Equal(t, "2026-03-05", cov.Days[0].Date, "the days run in order from the practice's today")
	})
}

// TestCoverageWithoutVisitsStillListsTheDays: a practice that imports no
// appointments sees its days, all at zero.
func TestCoverageWithoutVisitsStillListsTheDays(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		exec(t, db, `INSERT INTO practices (id, name, npi, timezone, status, created_at, updated_at) VALUES ('cv', 'Cv', '1', 'UTC', 'active', $1, $1)`, now)
		cov, err := reports(db).Coverage(context.Background(), "cv", now, time.UTC, 3, 3, 30)
		require.NoError(t, err)
		require.Equal(t, []report.CoverageDay{{Date: "2026-03-05"}, {Date: "2026-03-06"}, {Date: "2026-03-07"}}, cov.Days)
	})
}
