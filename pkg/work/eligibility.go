package work

import (
	"cmp"
	"slices"
	"time"

	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/records"
	"github.com/backdesk/backdesk/pkg/work/priority"
)

// Eligibility checks are made from the practice's schedule rather than
// from a record's thresholds: a patient with a visit coming up whose
// coverage nobody verified lately gets one check, about that visit. The
// rules below are pure, in the practice's time zone; which patients were
// verified lately is the store's to say (RecentItems).

// businessDay reports whether d is a working day: Monday to Friday.
// Holidays are not known; a visit after one is verified a day early.
func businessDay(d time.Time) bool {
	return d.Weekday() != time.Saturday && d.Weekday() != time.Sunday
}

// VisitWindow returns the instants [from, to) whose visits are verified
// at now: from now until the end of the daysAhead-th business day after
// the practice's today, so that on a Thursday with three days ahead it
// runs to the end of Tuesday, weekend included. Days are the practice's
// (loc), whatever the server's zone.
func VisitWindow(now time.Time, loc *time.Location, daysAhead int) (from, to time.Time) {
	day := today(now, loc)
	d := time.Date(day.Year, day.Month, day.Day, 12, 0, 0, 0, loc) // noon: clear of any clock change
	for n := 0; n < daysAhead; {
		d = d.AddDate(0, 0, 1)
		if businessDay(d) {
			n++
		}
	}
	return now, time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, loc)
}

// CheckDueHour is the hour of the practice's day by which a visit's
// coverage is to be verified, on the business day before the visit: the
// close of business, so that a lapsed plan can still be raised with the
// practice and the patient before they arrive.
const CheckDueHour = 17

// CheckDue returns when the eligibility check for a visit starting at
// visit is due: CheckDueHour on the last business day before the visit's
// date, in the practice's time zone (loc). A Monday visit is due the
// Friday before.
func CheckDue(visit time.Time, loc *time.Location) time.Time {
	v := visit.In(loc)
	d := time.Date(v.Year(), v.Month(), v.Day(), 12, 0, 0, 0, loc)
	for {
		d = d.AddDate(0, 0, -1)
		if businessDay(d) {
			return time.Date(d.Year(), d.Month(), d.Day(), CheckDueHour, 0, 0, 0, loc)
		}
	}
}

// PrioritizeVisit scores the eligibility check for a visit starting at
// visit, at now, in the practice's time zone: the nearer the visit, the
// higher, with the visit's date and time as the reason.
func PrioritizeVisit(visit, now time.Time, loc *time.Location) priority.Result {
	v := visit.In(loc)
	day := today(now, loc)
	in := priority.Inputs{Kind: policy.EligibilityCheck, Visit: v,
		VisitInDays: daysBetween(day, records.Date{Year: v.Year(), Month: v.Month(), Day: v.Day()})}
	return priority.Score(in, day)
}

// NewCheck makes the open eligibility check for an upcoming visit (an
// appointment as records.Changed carries it), due by CheckDue and scored
// by PrioritizeVisit. Its subject is the appointment.
func NewCheck(id, practiceID string, visit records.Changed, now time.Time, loc *time.Location) Item {
	a := visit.Row.Appointment
	it := Item{
		ID: id, PracticeID: practiceID, PatientID: visit.PatientID, Kind: policy.EligibilityCheck,
		SubjectType: SubjectAppointment, SubjectID: visit.ID, State: Open,
		DueAt: CheckDue(a.Start, loc).UTC(), Version: 1, CreatedAt: now,
	}
	p := PrioritizeVisit(a.Start, now, loc)
	it.Priority, it.Reasons = p.Score, priority.Encode(p.Reasons)
	return it
}

// Recent is one of a patient's items of a kind that is unfinished, or was
// resolved lately (RecentItems): for eligibility checks, what makes a
// patient's coverage fresh.
type Recent struct {
	PatientID   string
	SubjectType SubjectType
	SubjectID   string
	Resolved    bool // false: unfinished
}

// VisitsToVerify picks, from the upcoming visits (appointments as
// records.Changed carries them, in any order), the one per patient whose
// coverage needs verifying, given the patients' recent eligibility checks.
// A patient's coverage is fresh, and the patient gets no new check, while
// a check for the patient is unfinished or one was resolved within the
// freshness window (recent holds exactly those). Of a patient's visits the
// earliest is verified: coverage good for it is good for the later ones
// in the window. A patient whose unfinished check is about that same
// earliest visit keeps it in the list, so that its priority follows the
// day. The result is earliest first.
func VisitsToVerify(visits []records.Changed, recent []Recent) []records.Changed {
	first := map[string]records.Changed{}
	for _, v := range visits {
		a := v.Row.Appointment
		if a == nil || !a.Status.Expected() {
			continue
		}
		cur, ok := first[v.PatientID]
		if !ok || a.Start.Before(cur.Row.Appointment.Start) || (a.Start.Equal(cur.Row.Appointment.Start) && v.ID < cur.ID) {
			first[v.PatientID] = v
		}
	}
	fresh := map[string]bool{}
	rescore := map[string]bool{}
	for _, r := range recent {
		v, ok := first[r.PatientID]
		if ok && !r.Resolved && r.SubjectType == SubjectAppointment && r.SubjectID == v.ID {
			rescore[r.PatientID] = true
			continue
		}
		fresh[r.PatientID] = true
	}
	out := make([]records.Changed, 0, len(first))
	for p, v := range first {
		if rescore[p] || !fresh[p] {
			out = append(out, v)
		}
	}
	slices.SortFunc(out, func(a, b records.Changed) int {
		return cmp.Or(a.Row.Appointment.Start.Compare(b.Row.Appointment.Start), cmp.Compare(a.ID, b.ID))
	})
	return out
}
