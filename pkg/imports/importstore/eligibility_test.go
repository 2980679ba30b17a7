package importstore_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/imports"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/pkg/records"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/backdesk/backdesk/pkg/work/priority"
	"github.com/stretchr/testify/require"
)

// activePractice creates a practice in zone that has signed its BAA and
// is active, so the daily generation makes its work, with patients E1 to
// En.
func (b *bundle) activePractice(t testing.TB, npi, zone string, patients int) string {
	t.Helper()
	ctx := context.Background()
	p, err := b.practices.Create(ctx, practice.NewPractice{Name: "P " + npi, NPI: npi, Timezone: zone})
	require.NoError(t, err)
	_, err = b.practices.RecordBAA(sqldb.WithPractice(ctx, p.ID), p.ID, practice.BAA{SignerName: "D",
		SignedOn: records.Date{Year: 2026, Month: 1, Day: 2}, DocumentSHA256: strings.Repeat("ab", 32), RecordedBy: "u", RecordedAt: b.now})
	require.NoError(t, err)
	_, err = testenv.OwnerDB(t, b.db).ExecContext(ctx, `UPDATE practices SET status = 'active' WHERE id = $1`, p.ID)
	require.NoError(t, err)
	var sb strings.Builder
	sb.WriteString("patient_id,first_name,last_name,date_of_birth\n")
	for i := 1; i <= patients; i++ {
		fmt.Fprintf(&sb, "E%d,Ann,Lee,01/02/1980\n", i)
	}
	b.run(t, p.ID, "patients", sb.String())
	return p.ID
}

// run imports a canonical file and requires every row of it applied.
func (b *bundle) run(t testing.TB, practiceID, kind, csv string) {
	t.Helper()
	ctx := sqldb.WithPractice(context.Background(), practiceID)
	imp, err := b.svc.Submit(ctx, imports.Upload{PracticeID: practiceID, Kind: kind, Filename: kind + ".csv", CreatedBy: "u",
		Content: strings.NewReader(csv)})
	require.NoError(t, err)
	require.NoError(t, b.svc.Run(ctx, imp.ID))
	got, err := b.svc.Get(ctx, imp.ID)
	require.NoError(t, err)
	require.Equal(t, imports.Succeeded, got.State, got.ErrorMessage)
	require.Zero(t, got.RowsRejected, "%+v", got.Errors)
}

// check is an eligibility check as stored, with its visit's id.
type check struct {
	patient, visit, state string
	due                   time.Time
	priority              int
	reasons               string
}

// checks reads the practice's eligibility checks, by the practice's
// patient id, as the owner.
func checks(t *testing.T, db *sqldb.DB, practiceID string) map[string]check {
	t.Helper()
	rows, err := testenv.OwnerDB(t, db).QueryContext(context.Background(), `SELECT p.external_id, COALESCE(a.external_id, w.subject_id),
w.subject_type, w.state, w.due_at, w.priority, w.priority_reasons
FROM work_items w JOIN patients p ON p.id = w.patient_id LEFT JOIN appointments a ON a.id = w.subject_id
WHERE w.practice_id = $1 AND w.kind = 'eligibility_check' AND w.state NOT IN ('resolved', 'closed')`, practiceID)
	require.NoError(t, err)
	defer rows.Close()
	out := map[string]check{}
	for rows.Next() {
		var c check
		var subject string
		require.NoError(t, rows.Scan(&c.patient, &c.visit, &subject, &c.state, &c.due, &c.priority, &c.reasons))
		_, dup := out[c.patient]
		require.False(t, dup, "one unfinished check per patient: %s", c.patient)
		if c.visit != "seeded" {
			require.Equal(t, "appointment", subject, "a generated check is about its visit")
		}
		c.due = c.due.UTC()
		out[c.patient] = c
	}
	require.NoError(t, rows.Err())
	return out
}

// seedCheck stores an eligibility check for a patient, in state, finished
// at finished (zero for unfinished).
func seedCheck(t *testing.T, db *sqldb.DB, practiceID, patient, state string, finished time.Time) {
	t.Helper()
	owner := testenv.OwnerDB(t, db)
	ctx := context.Background()
	var pid string
	require.NoError(t, owner.QueryRowContext(ctx, `SELECT id FROM patients WHERE practice_id = $1 AND external_id = $2`, practiceID, patient).Scan(&pid))
	var fin any
	if !finished.IsZero() {
		fin = finished.UTC()
	}
	_, err := owner.ExecContext(ctx, `INSERT INTO work_items (id, practice_id, patient_id, kind, subject_type, subject_id, state, due_at,
created_at, updated_at, finished_at) VALUES ($1, $2, $3, 'eligibility_check', 'appointment', 'seeded', $4, $5, $5, $5, $6)`,
		"seeded-"+patient, practiceID, pid, state, finished.Add(-time.Hour).UTC(), fin)
	require.NoError(t, err)
}

// The daily generation verifies coverage before the visits of the next
// three business days, in the practice's time zone: one check per patient
// not verified lately, about the patient's earliest visit, due by the
// close of the business day before it.
func TestGenerationVerifiesUpcomingVisits(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		b := setup(t, db)
		la, err := time.LoadLocation("America/Los_Angeles")
		require.NoError(t, err)
		b.now = time.Date(2026, 11, 2, 18, 0, 0, 0, time.UTC) // a month early: no visit is near yet
		p := b.activePractice(t, "1234567893", "America/Los_Angeles", 12)
		b.run(t, p, "appointments", "appointment_id,patient_id,start,status\n"+
			"V1,E1,12/05/2026 10:00,\n"+ // Saturday: inside, the weekend is part of the window
			"V2,E2,12/08/2026 16:00,confirmed\n"+ // Tuesday, the third business day
			"V3,E3,12/09/2026 09:00,\n"+ // Wednesday: the fourth, outside
			"V4,E4,12/03/2026 08:00,\n"+ // this morning: gone by
			"V5,E5,12/07/2026 09:00,\n"+ // verified ten days ago
			"V6,E6,12/07/2026 09:30,\n"+ // verified forty days ago
			"V7,E7,12/07/2026 10:00,\n"+ // a check still open
			"V8,E8,12/07/2026 11:00,cancelled\n"+
			"V9A,E9,12/04/2026 09:00,\n"+ // two visits: the earliest is verified
			"V9B,E9,12/07/2026 14:00,\n"+
			"V10,E10,12/08/2026 00:30,\n"+ // 00:30 on the window's last day
			"V11,E11,12/09/2026 00:30,\n"+ // 00:30 the day after
			"V12,E12,12/08/2026 23:30,\n") // 07:30 UTC on Wednesday, yet Tuesday where the practice is
		require.Empty(t, checks(t, db, p), "nothing is near a month early")

		// Thursday 3 December, 10:00 in Los Angeles.
		b.now = time.Date(2026, 12, 3, 18, 0, 0, 0, time.UTC)
		seedCheck(t, db, p, "E5", "resolved", b.now.AddDate(0, 0, -10))
		seedCheck(t, db, p, "E6", "resolved", b.now.AddDate(0, 0, -40))
		seedCheck(t, db, p, "E7", "waiting", time.Time{})
		seedCheck(t, db, p, "E2", "closed", b.now.AddDate(0, 0, -5)) // closed unverified: not fresh

		n, err := b.svc.Generate(ctx, p)
		require.NoError(t, err)
		require.Equal(t, 6, n)
		got := checks(t, db, p)
		visits := map[string]string{}
		for patient, c := range got {
			visits[patient] = c.visit
		}
		require.Equal(t, map[string]string{"E1": "V1", "E2": "V2", "E6": "V6", "E7": "seeded", "E9": "V9A", "E10": "V10", "E12": "V12"}, visits)

		due := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 17, 0, 0, 0, la).UTC() }
		require.Equal(t, due(2026, 12, 4), got["E1"].due, "a Saturday visit is due Friday")
		require.Equal(t, due(2026, 12, 3), got["E9"].due, "a Friday visit is due the Thursday before")
		require.Equal(t, due(2026, 12, 7), got["E10"].due, "the day before in the practice's zone")
		require.Equal(t, due(2026, 12, 4), got["E6"].due, "a Monday visit is due the Friday before")
		require.Equal(t, "open", got["E1"].state)

		reasons, err := priority.Decode(got["E10"].reasons)
		require.NoError(t, err)
		require.Equal(t, []priority.Reason{{Code: priority.VisitSoon, Points: 120, Text: "visit on 2026-12-08 at 00:30 PST"}}, reasons)
		require.Equal(t, 120, got["E10"].priority)
		reasons, err = priority.Decode(got["E9"].reasons)
		require.NoError(t, err)
		require.Equal(t, "visit on 2026-12-04 at 09:00 PST", reasons[0].Text)
		require.Equal(t, 300, got["E9"].priority, "tomorrow comes first")
		for _, c := range got {
			for _, id := range []string{"V", "E1", p} {
				require.NotContains(t, c.reasons, id, "reasons name the visit by its time, never by an id")
			}
		}

		// Again the same day: nothing more.
		n, err = b.svc.Generate(ctx, p)
		require.NoError(t, err)
		require.Zero(t, n)
		require.Equal(t, got, checks(t, db, p))

		// Monday: Wednesday's visits come into the window, and the checks
		// still open rise as their visits near. The checks nobody worked
		// whose visit has passed (Saturday's V1, Friday's V9A, this
		// morning's V6) are closed; E9's Monday visit gets its own.
		b.now = time.Date(2026, 12, 7, 18, 0, 0, 0, time.UTC)
		n, err = b.svc.Generate(ctx, p)
		require.NoError(t, err)
		require.Equal(t, 3, n, "V3, V11 and V9B; the open checks stay as they are")
		monday := checks(t, db, p)
		require.NotContains(t, monday, "E1")
		require.NotContains(t, monday, "E6")
		require.Equal(t, "V9B", monday["E9"].visit)
		require.Equal(t, "seeded", monday["E7"].visit, "a check about no visit of the schedule stays")
		require.Equal(t, "V3", monday["E3"].visit)
		require.Equal(t, "V11", monday["E11"].visit)
		require.Equal(t, due(2026, 12, 8), monday["E11"].due)
		require.Equal(t, 300, monday["E2"].priority, "Tuesday's visit is tomorrow now")
	})
}

// The generation's round trips do not grow with the schedule: a practice
// with ten times the visits to verify costs what a small one does, and
// verifying visits costs a fixed few statements beyond the read of the
// schedule that every generation makes.
func TestGenerationCostsTheSameWhateverTheSchedule(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		b := setup(t, db)
		b.now = time.Date(2026, 12, 3, 18, 0, 0, 0, time.UTC)
		generate := func(npi string, visits int) int64 {
			p := b.activePractice(t, npi, "America/Chicago", max(visits, 1))
			if visits > 0 {
				var sb strings.Builder
				sb.WriteString("appointment_id,patient_id,start\n")
				for i := 1; i <= visits; i++ {
					fmt.Fprintf(&sb, "G%d,E%d,12/20/2026 %02d:%02d\n", i, i, 8+i%9, i%60)
				}
				b.run(t, p, "appointments", sb.String())
			}
			b.now = b.now.AddDate(0, 0, 14) // 20 December's visits are due
			defer func() { b.now = b.now.AddDate(0, 0, -14) }()
			before := db.Counts()
			n, err := b.svc.Generate(ctx, p)
			require.NoError(t, err)
			require.Equal(t, visits, n)
			return db.Counts().Sub(before).RoundTrips()
		}
		none, small, large := generate("1234567893", 0), generate("1245319599", 5), generate("1679576722", 50)
		t.Logf("%s: daily generation, %d round trips without visits, %d with 5 to verify, %d with 50", db.Dialect, none, small, large)
		require.Equal(t, small, large, "the visits cost the same, however many")
		require.LessOrEqual(t, small-none, int64(3), "reading who was verified lately, and writing the checks with their routing")
	})
}

// An appointments import makes the checks its near visits call for at
// once, in its own transaction, as the daily generation would.
func TestAppointmentsImportVerifiesNearVisits(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		b := setup(t, db)
		b.now = time.Date(2026, 12, 3, 18, 0, 0, 0, time.UTC) // Thursday, noon in Chicago
		p := b.activePractice(t, "1234567893", "America/Chicago", 3)
		imp := b.loadPreset(t, p, "appointments", "opendental", "AptNum,PatNum,AptDateTime,AptStatus\n"+
			"1,E1,2026-12-04 09:00:00,1\n2,E1,2026-12-07 09:00:00,1\n3,E2,2026-12-04 10:00:00,3\n4,E3,2026-12-15 10:00:00,1\n")
		require.Equal(t, 4, imp.RowsApplied)
		require.Equal(t, 1, imp.ItemsCreated, "E1's first visit; E2's is off the schedule, E3's too far")
		got := checks(t, db, p)
		require.Len(t, got, 1)
		require.Equal(t, "1", got["E1"].visit)

		// Re-importing changes nothing, the check included.
		again := b.loadPreset(t, p, "appointments", "opendental", "AptNum,PatNum,AptDateTime,AptStatus\n"+
			"1,E1,2026-12-04 09:00:00,1\n2,E1,2026-12-07 09:00:00,1\n3,E2,2026-12-04 10:00:00,3\n4,E3,2026-12-15 10:00:00,1\n")
		require.Zero(t, again.ItemsCreated)
		require.Equal(t, got, checks(t, db, p))
	})
}
