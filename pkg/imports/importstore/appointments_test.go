package importstore_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/imports"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/records"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// appointmentsCSV has every kind of row an appointments import can meet:
// good ones (lines 2, 3 and 13), one whose patient the practice does not
// have (4), and one for each rule the reader applies (5 to 12). The
// practice is in America/Chicago; 03/08/2026 02:30 is skipped there when
// the clocks spring forward.
const appointmentsCSV = "appointment_id,patient_id,start,start_time,location,provider,planned_procedures,payer_name,subscriber_id,status\n" +
	"A1,P1,12/08/2026 09:00,,Lakeside,DDS2,D0120 D1110,Delta Dental,XQZ448120,confirmed\n" +
	"A2,P2,12/08/2026,2:30 PM,,,,,,\n" +
	"A3,P9,12/08/2026 10:00,,,,,,,\n" +
	"A4,P1,12/08/2026,,,,,,,\n" +
	"A5,P1,13/45/2026 10:00,,,,,,,\n" +
	"A6,P2,03/08/2026 02:30,,,,,,,\n" +
	"A7,P2,12/09/2026 09:00,,,,PerEx Pro,,,\n" +
	"A8,P4,12/09/2026 09:00,,,,,,,tentative\n" +
	"A1,P4,12/09/2026 11:00,,,,,,,\n" +
	"A9,P4,12/09/2026 11:00,10:00,,,,,,\n" +
	"A10,,,,,,,,,\n" +
	"A11,P4,12/10/2026 08:00,,Northgate,,D2740,,,Cancelled\n"

// storedVisit is an appointment as the database holds it.
type storedVisit struct {
	ext, status, procs, payer, subscriber, location string
	start, updated                                  time.Time
}

// storedVisits reads a practice's appointments as the owner, by id.
func storedVisits(t *testing.T, db *sqldb.DB, practiceID string) []storedVisit {
	t.Helper()
	rows, err := testenv.OwnerDB(t, db).QueryContext(context.Background(), `SELECT external_id, status, planned_procedures, payer_name,
subscriber_id, location, starts_at, updated_at FROM appointments WHERE practice_id = $1 ORDER BY external_id`, practiceID)
	require.NoError(t, err)
	defer rows.Close()
	var out []storedVisit
	for rows.Next() {
		var v storedVisit
		require.NoError(t, rows.Scan(&v.ext, &v.status, &v.procs, &v.payer, &v.subscriber, &v.location, &v.start, &v.updated))
		v.start, v.updated = v.start.UTC(), v.updated.UTC()
		out = append(out, v)
	}
	require.NoError(t, rows.Err())
	return out
}

// loadPreset submits and runs an import with a preset, as load does.
func (b *bundle) loadPreset(t *testing.T, practiceID, kind, preset, csv string) imports.Import {
	t.Helper()
	ctx := sqldb.WithPractice(context.Background(), practiceID)
	imp, err := b.svc.Submit(ctx, imports.Upload{PracticeID: practiceID, Kind: kind, Preset: preset, Filename: kind + ".csv",
		CreatedBy: "u", Content: strings.NewReader(csv)})
	require.NoError(t, err)
	require.NoError(t, b.svc.Run(ctx, imp.ID))
	got, err := b.svc.Get(ctx, imp.ID)
	require.NoError(t, err)
	return got
}

func TestAppointmentsImportAppliesValidRowsAndReportsTheRest(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		b := setup(t, db)
		p := b.practice(t, "1234567893")
		b.load(t, p, "patients", patientsCSV, false)

		dry := b.load(t, p, "appointments", appointmentsCSV, true)
		require.Equal(t, imports.Succeeded, dry.State)
		require.Zero(t, dry.RowsApplied)
		require.Empty(t, storedVisits(t, db, p), "a dry run stores no appointment")

		imp := b.load(t, p, "appointments", appointmentsCSV, false)
		require.Equal(t, imports.Succeeded, imp.State, imp.ErrorMessage)
		require.Equal(t, 12, imp.RowsRead)
		require.Equal(t, 3, imp.RowsApplied, "%+v", imp.Errors)
		require.Equal(t, 9, imp.RowsRejected)
		require.Zero(t, imp.ItemsCreated, "December is months beyond the verification window of June 15")

		type where struct {
			Line         int
			Column, Rule string
		}
		var got []where
		for _, e := range imp.Errors {
			got = append(got, where{e.Line, e.Column, e.Rule})
			for _, v := range []string{"13/45/2026", "03/08/2026", "PerEx", "tentative", "XQZ448120", "Delta", "Lakeside", "P9"} {
				require.NotContains(t, e.Message, v, "row errors never quote a cell")
			}
			require.True(t, strings.HasPrefix(e.Message, e.Column), "the message names its column: %q", e.Message)
		}
		require.Equal(t, []where{
			{4, "patient_id", "unknown_patient"},
			{5, "start", "time"},
			{6, "start", "date"},
			{7, "start", "time"},
			{8, "planned_procedures", "procedure_code"},
			{9, "status", "enum"},
			{10, "appointment_id", "duplicate_id"},
			{11, "start_time", "time"},
			{12, "patient_id", "required"},
			{12, "start", "required"},
		}, got, "every problem of every row, at once, by line")

		visits := storedVisits(t, db, p)
		require.Len(t, visits, 3)
		a1, a11, a2 := visits[0], visits[1], visits[2] // by id: A1, A11, A2
		require.Equal(t, "A1", a1.ext)
		require.Equal(t, time.Date(2026, 12, 8, 15, 0, 0, 0, time.UTC), a1.start, "09:00 in Chicago is 15:00 UTC in December")
		require.Equal(t, []string{"confirmed", "D0120 D1110", "Delta Dental", "XQZ448120", "Lakeside"},
			[]string{a1.status, a1.procs, a1.payer, a1.subscriber, a1.location})
		require.Equal(t, "A2", a2.ext)
		require.Equal(t, time.Date(2026, 12, 8, 20, 30, 0, 0, time.UTC), a2.start, "the time from start_time")
		require.Equal(t, "scheduled", a2.status, "a blank status is a scheduled visit")
		require.Equal(t, "A11", a11.ext)
		require.Equal(t, "cancelled", a11.status, "a cancelled visit is stored")

		// The import is recorded with its counts, in the transaction that
		// applied it, and with nothing of its rows.
		evs := testenv.AuditEvents(t, db, auditstore.Query{PracticeID: p, TargetType: audit.TargetImport, TargetID: imp.ID,
			Action: string(audit.ActionImportFinish)})
		require.Len(t, evs, 1)
		require.Equal(t, "appointments", evs[0].Event.Reason)
		require.Equal(t, map[string]int{"rows_read": 12, "rows_applied": 3, "rows_rejected": 9, "items_created": 0}, evs[0].Event.Counts)
		for _, v := range []string{"XQZ448120", "Delta", "D0120", "A11"} {
			require.NotContains(t, evs[0].Body, v)
		}

		// The same file again changes nothing; a later export changes what
		// changed, by the practice's appointment id.
		b.now = b.now.Add(time.Hour)
		again := b.load(t, p, "appointments", appointmentsCSV, false)
		require.Equal(t, 3, again.RowsApplied)
		require.Equal(t, visits, storedVisits(t, db, p))
		b.load(t, p, "appointments", "appointment_id,patient_id,start,status\nA1,P1,12/08/2026 09:00,canceled\n", false)
		after := storedVisits(t, db, p)
		require.Equal(t, "cancelled", after[0].status)
		require.Equal(t, b.now, after[0].updated)
		require.Equal(t, visits[1:], after[1:], "the others are left alone")
	})
}

// Each system's export reads through its preset, down to the database.
func TestAppointmentsImportThroughPresets(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		b := setup(t, db)
		p := b.practice(t, "1234567893")
		b.load(t, p, "patients", patientsCSV, false)
		for _, tc := range []struct{ preset, csv string }{
			{"opendental", "AptNum,PatNum,AptDateTime,ProcDescript,ClinicNum,ProvNum,AptStatus\n" +
				"901,P1,2026-12-08 09:00:00,\"D0120, D1110\",1,2,1\n902,P2,2026-12-08 10:00:00,,1,2,5\n"},
			{"dentrix", "Appt ID,Chart Number,Appt Date,Appt Time,Provider ID,Clinic,Procedure Codes,Primary Carrier,Primary Subscriber ID,Appt Status\n" +
				"DX1,P1,12/08/2026,9:00am,DDS2,Lakeside,D0120,Cigna Dental,C-1,FIRM\n"},
			{"eaglesoft", "Appointment ID,Patient ID,Appointment Date,Start Time,Provider ID,Location,Planned Services,Primary Insurance,Primary Subscriber ID,Appointment Status\n" +
				"ES1,P4,12/09/2026,13:45,RDH1,Northgate,D1110,Aetna Dental,W-1,Checked Out\n"},
		} {
			imp := b.loadPreset(t, p, "appointments", tc.preset, tc.csv)
			require.Equal(t, imports.Succeeded, imp.State, tc.preset)
			require.Zero(t, imp.RowsRejected, "%s: %+v", tc.preset, imp.Errors)
		}
		got := map[string]string{}
		for _, v := range storedVisits(t, db, p) {
			got[v.ext] = v.status + " " + v.start.Format(time.RFC3339) + " " + v.procs
		}
		require.Equal(t, map[string]string{
			"901": "scheduled 2026-12-08T15:00:00Z D0120 D1110",
			"902": "broken 2026-12-08T16:00:00Z ",
			"DX1": "confirmed 2026-12-08T15:00:00Z D0120",
			"ES1": "completed 2026-12-09T19:45:00Z D1110",
		}, got)
	})
}

// An appointments import that fails while applying leaves the schedule as
// it was: the batch already written goes with the rest.
func TestFailedAppointmentsImportLeavesTheScheduleAsItWas(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		b := setup(t, db)
		p := b.practice(t, "1234567893")
		b.load(t, p, "patients", patientsCSV, false)
		b.load(t, p, "appointments", appointmentsCSV, false)
		before := storedVisits(t, db, p)

		var sb strings.Builder
		sb.WriteString("appointment_id,patient_id,start,location\n")
		sb.WriteString("A1,P1,12/08/2026 11:00,Moved\n") // a change to a stored visit, in the first batch
		for i := range 1500 {
			loc := "Main"
			if i == 1200 || i == 1201 {
				loc = "Boom"
			}
			fmt.Fprintf(&sb, "N%d,P2,12/%02d/2026 09:00,%s\n", i, 1+i%28, loc)
		}
		ctx := sqldb.WithPractice(context.Background(), p)
		imp, err := b.svc.Submit(ctx, imports.Upload{PracticeID: p, Kind: "appointments", Content: strings.NewReader(sb.String())})
		require.NoError(t, err)
		_, err = testenv.OwnerDB(t, db).ExecContext(ctx, `CREATE UNIQUE INDEX break_on_second_batch ON appointments (practice_id, location) WHERE location = 'Boom'`)
		require.NoError(t, err)
		require.NoError(t, b.svc.Run(ctx, imp.ID))
		got, err := b.svc.Get(ctx, imp.ID)
		require.NoError(t, err)
		require.Equal(t, imports.Failed, got.State)
		require.Equal(t, "apply_failed", got.ErrorCode)
		require.Equal(t, before, storedVisits(t, db, p), "neither the new visits nor the change to A1 remain")
	})
}

// An appointment's kind is known everywhere an upload names one.
func TestAppointmentsIsAnImportKind(t *testing.T) {
	t.Parallel()
	require.Contains(t, records.Kinds, records.Appointments)
	db, _ := testenv.NewDB(t, sqldb.SQLite)
	b := setup(t, db)
	p := b.practice(t, "1234567893")
	_, err := b.svc.Submit(context.Background(), imports.Upload{PracticeID: p, Kind: "appointments",
		Content: strings.NewReader("appointment_id,patient_id\nA1,P1\n")})
	require.ErrorContains(t, err, "missing required columns: start")
}
