package work_test

import (
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/records"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/stretchr/testify/require"
)

func TestVisitWindowCountsBusinessDaysOnThePracticesClock(t *testing.T) {
	t.Parallel()
	la, err := time.LoadLocation("America/Los_Angeles")
	require.NoError(t, err)
	local := func(m time.Month, d, h, min int) time.Time { return time.Date(2026, m, d, h, min, 0, 0, la) }
	tests := []struct {
		name  string
		now   time.Time
		ahead int
		end   time.Time // the window's end, exclusive
	}{
		{"Monday: Tuesday to Thursday", local(12, 7, 10, 0), 3, local(12, 11, 0, 0)},
		{"Thursday: the weekend, Monday and Tuesday", local(12, 3, 10, 0), 3, local(12, 9, 0, 0)},
		{"Friday: to Wednesday", local(12, 4, 10, 0), 3, local(12, 10, 0, 0)},
		{"Saturday: Monday to Wednesday", local(12, 5, 10, 0), 3, local(12, 10, 0, 0)},
		{"late Sunday, already Monday in UTC", local(12, 6, 23, 30), 3, local(12, 10, 0, 0)},
		{"one day ahead on a Friday", local(12, 4, 8, 0), 1, local(12, 8, 0, 0)},
		// The clocks fall back on Sunday 1 November: the window still ends
		// at the practice's midnight.
		{"across the change of clocks", local(10, 29, 9, 0), 3, local(11, 4, 0, 0)},
	}
	for _, tc := range tests {
		from, to := work.VisitWindow(tc.now.UTC(), la, tc.ahead)
		require.Equal(t, tc.now.UTC(), from.UTC(), tc.name)
		require.Equal(t, tc.end.UTC(), to.UTC(), tc.name)
	}
}

func TestCheckIsDueTheBusinessDayBefore(t *testing.T) {
	t.Parallel()
	at := func(m time.Month, d, h, min int) time.Time { return time.Date(2026, m, d, h, min, 0, 0, chicago) }
	for _, tc := range []struct {
		visit, due time.Time
	}{
		{at(12, 8, 9, 0), at(12, 7, 17, 0)},   // Tuesday: Monday
		{at(12, 7, 0, 30), at(12, 4, 17, 0)},  // Monday just after midnight: Friday
		{at(12, 5, 10, 0), at(12, 4, 17, 0)},  // Saturday: Friday
		{at(12, 6, 23, 30), at(12, 4, 17, 0)}, // Sunday night (Monday in UTC): Friday
	} {
		require.Equal(t, tc.due.UTC(), work.CheckDue(tc.visit.UTC(), chicago).UTC(), tc.visit)
	}
}

func visit(id, patient string, start time.Time, status records.AppointmentStatus) records.Changed {
	return records.Changed{ID: id, PatientID: patient, Row: records.Row{Appointment: &records.Appointment{Start: start, Status: status}}}
}

func TestVisitsToVerify(t *testing.T) {
	t.Parallel()
	mon := time.Date(2026, 12, 7, 15, 0, 0, 0, time.UTC)
	visits := []records.Changed{
		visit("a2", "p1", mon.Add(48*time.Hour), records.AppointmentScheduled),
		visit("a1", "p1", mon, records.AppointmentConfirmed), // p1's earliest
		visit("a3", "p2", mon, records.AppointmentScheduled),
		visit("a4", "p3", mon, records.AppointmentScheduled),
		visit("a5", "p4", mon, records.AppointmentScheduled),
		visit("a6", "p5", mon.Add(time.Hour), records.AppointmentScheduled),
		visit("a7", "p6", mon, records.AppointmentCancelled),
		visit("a8", "p7", mon, records.AppointmentBroken),
	}
	recent := []work.Recent{
		{PatientID: "p2", SubjectType: work.SubjectAppointment, SubjectID: "old", Resolved: true}, // verified lately
		{PatientID: "p3", SubjectType: work.SubjectAppointment, SubjectID: "old"},                 // a check still open
		{PatientID: "p5", SubjectType: work.SubjectAppointment, SubjectID: "a6"},                  // open, about this visit
	}
	var got []string
	for _, v := range work.VisitsToVerify(visits, recent) {
		got = append(got, v.ID)
	}
	require.Equal(t, []string{"a1", "a5", "a6"}, got,
		"p1's earliest visit, p4's, and p5's open check to re-score; p2 and p3 are fresh, p6 and p7 have no visit to come")
}

func TestNewCheck(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 3, 18, 0, 0, 0, time.UTC) // Thursday noon in Chicago
	v := visit("apt-1", "pat-1", time.Date(2026, 12, 7, 15, 0, 0, 0, time.UTC), records.AppointmentScheduled)
	it := work.NewCheck("wi-1", "pr-1", v, now, chicago)
	require.Equal(t, work.Item{ID: "wi-1", PracticeID: "pr-1", PatientID: "pat-1", Kind: policy.EligibilityCheck,
		SubjectType: work.SubjectAppointment, SubjectID: "apt-1", State: work.Open,
		DueAt: time.Date(2026, 12, 4, 23, 0, 0, 0, time.UTC), Priority: 120, Version: 1, CreatedAt: now,
		Reasons: `[{"code":"visit_soon","points":120,"text":"visit on 2026-12-07 at 09:00 CST"}]`}, it)
}
