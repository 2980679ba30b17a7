package audit_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/stretchr/testify/require"
)

// Monday 2 November 2026, 15:00 UTC: 09:00 in Chicago.
var monday = time.Date(2026, 11, 2, 15, 0, 0, 0, time.UTC)

// read is an allowed PHI read by subject, on a work item, at monday+at.
func read(id, subject string, at time.Duration) audit.Event {
	return audit.Event{
		ID: id, Time: monday.Add(at),
		Actor:  audit.Actor{Issuer: "https://idp", Subject: subject, Role: audit.AgentRole},
		Action: audit.ActionRead, Outcome: audit.OutcomeAllow,
		PracticeID: "prac-1", PatientIDs: []string{"pat-1"}, Fields: []string{"name"}, WorkItemID: "wi-1",
	}
}

func with(e audit.Event, change func(*audit.Event)) audit.Event {
	change(&e)
	return e
}

// reads makes n work-item reads by subject, a minute apart.
func reads(subject string, n int) []audit.Event {
	out := make([]audit.Event, n)
	for i := range out {
		out[i] = read(fmt.Sprintf("%s-%03d", subject, i), subject, time.Duration(i)*time.Minute)
	}
	return out
}

func concat(groups ...[]audit.Event) []audit.Event {
	var out []audit.Event
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

// Chicago office hours, Monday to Friday 09:00 to 17:00, and a night
// shift on Sunday from 22:00 to 06:00 on Monday.
func officeHours(t *testing.T) audit.WorkingHours {
	loc, err := time.LoadLocation("America/Chicago")
	require.NoError(t, err)
	h := audit.WorkingHours{Location: loc}
	for d := time.Monday; d <= time.Friday; d++ {
		h.Week[d] = []audit.Shift{{Start: 9 * time.Hour, End: 17 * time.Hour}}
	}
	h.Week[time.Sunday] = []audit.Shift{{Start: 22 * time.Hour, End: 30 * time.Hour}}
	return h
}

func TestDetectAnomalies(t *testing.T) {
	t.Parallel()
	hours := officeHours(t)
	knowsAlice := func(a audit.Actor) (audit.WorkingHours, bool) { return hours, a.Subject == "alice" }

	type found struct {
		kind    audit.AnomalyKind
		subject string
		ids     []string
	}
	tests := []struct {
		name   string
		events []audit.Event
		rules  audit.AnomalyRules
		want   []found
	}{
		{name: "reads on a work item are fine", events: reads("alice", 3)},
		{
			name: "agent read without a work item",
			events: []audit.Event{
				read("e1", "alice", 0),
				with(read("e2", "alice", time.Minute), func(e *audit.Event) { e.WorkItemID = "" }),
				with(read("e3", "alice", 2*time.Minute), func(e *audit.Event) { e.WorkItemID = "" }),
			},
			want: []found{{audit.AnomalyNoWorkItem, "alice", []string{"e2", "e3"}}},
		},
		{
			name: "only allowed agent reads of patients count",
			events: []audit.Event{
				with(read("denied", "alice", 0), func(e *audit.Event) { e.WorkItemID, e.Outcome = "", audit.OutcomeDeny }),
				with(read("no-patient", "alice", 0), func(e *audit.Event) { e.WorkItemID, e.PatientIDs = "", nil }),
				with(read("update", "alice", 0), func(e *audit.Event) { e.WorkItemID, e.Action = "", audit.ActionUpdate }),
				with(read("admin", "bob", 0), func(e *audit.Event) { e.WorkItemID, e.Actor.Role = "", "practice_admin" }),
			},
		},
		{
			name: "break-glass openings and events under break-glass",
			events: []audit.Event{
				with(read("open", "alice", 0), func(e *audit.Event) {
					e.Action, e.WorkItemID, e.BreakGlass, e.Reason = audit.ActionBreakGlass, "", true, "break-glass opened: called about Jane Roe"
				}),
				with(read("bg-read", "alice", time.Minute), func(e *audit.Event) { e.WorkItemID, e.BreakGlass = "", true }),
				with(read("bg-review", "carol", time.Hour), func(e *audit.Event) {
					e.Action, e.Actor.Role, e.BreakGlass = audit.ActionUpdate, "compliance", true
				}),
			},
			want: []found{
				{audit.AnomalyBreakGlass, "alice", []string{"open", "bg-read"}},
				{audit.AnomalyBreakGlass, "carol", []string{"bg-review"}},
			},
		},
		{
			name:  "reads outside known working hours",
			rules: audit.AnomalyRules{Hours: knowsAlice},
			events: []audit.Event{
				read("in-hours", "alice", 0),                        // Monday 09:00 Chicago
				read("evening", "alice", 9*time.Hour),               // Monday 18:00
				read("night-shift", "alice", -4*time.Hour),          // Monday 05:00, in Sunday's night shift
				read("saturday", "alice", 5*24*time.Hour),           // Saturday 09:00
				read("sunday-evening", "alice", -12*time.Hour),      // Sunday 21:00
				read("bob-evening", "bob", 9*time.Hour),             // hours unknown: not checked
				read("alice-late-edge", "alice", 8*time.Hour),       // Monday 17:00, the end is outside
				read("alice-last-minute", "alice", 479*time.Minute), // Monday 16:59
			},
			want: []found{{audit.AnomalyOutsideHours, "alice", []string{"evening", "saturday", "sunday-evening", "alice-late-edge"}}},
		},
		{
			name:   "volume far above the median of the same role",
			events: concat(reads("a", 10), reads("b", 10), reads("c", 12), reads("d", 8), reads("heavy", 60)),
			want:   []found{{audit.AnomalyVolume, "heavy", idsOf(reads("heavy", 60))}},
		},
		{
			name:   "volume above the factor but under the minimum",
			events: concat(reads("a", 10), reads("b", 10), reads("c", 10), reads("busy", 40)),
		},
		{
			name:   "exactly the factor times the median is not above it",
			rules:  audit.AnomalyRules{VolumeMinReads: 20},
			events: concat(reads("a", 10), reads("b", 10), reads("c", 10), reads("edge", 30)),
		},
		{
			name:   "volume thresholds are tunable",
			rules:  audit.AnomalyRules{VolumeFactor: 2, VolumeMinReads: 20},
			events: concat(reads("a", 10), reads("b", 10), reads("c", 10), reads("busy", 25)),
			want:   []found{{audit.AnomalyVolume, "busy", idsOf(reads("busy", 25))}},
		},
		{
			name: "peers are actors of the same role",
			events: concat(reads("a", 10), reads("b", 10), reads("c", 10),
				asRole("compliance", reads("auditor", 60)), asRole("compliance", reads("auditor2", 55))),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := audit.DetectAnomalies(tc.events, tc.rules)
			var have []found
			for _, a := range got {
				have = append(have, found{a.Kind, a.Actor.Subject, a.EventIDs})
				require.Equal(t, len(a.EventIDs), a.Events)
				require.NotEmpty(t, a.Reason)
			}
			require.Equal(t, tc.want, have)
		})
	}
}

func idsOf(events []audit.Event) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.ID
	}
	return out
}

func asRole(role string, events []audit.Event) []audit.Event {
	for i := range events {
		events[i].Actor.Role = role
	}
	return events
}

func TestAnomalyDetailsAndReasons(t *testing.T) {
	t.Parallel()
	events := concat(reads("a", 10), reads("b", 10), reads("c", 10), reads("heavy", 60))
	events = append(events,
		with(read("open", "heavy", time.Hour), func(e *audit.Event) {
			e.Action, e.BreakGlass, e.PracticeID = audit.ActionBreakGlass, true, "prac-2"
			e.PatientIDs, e.Reason = []string{"pat-secret-77"}, "break-glass opened: Jane Roe, DOB 1980-01-01"
		}),
		with(read("nowi", "heavy", 2*time.Hour), func(e *audit.Event) { e.WorkItemID = "" }),
	)
	got := audit.DetectAnomalies(events, audit.AnomalyRules{MaxEventIDs: 5})
	require.Len(t, got, 3)
	require.Equal(t, []audit.AnomalyKind{audit.AnomalyBreakGlass, audit.AnomalyNoWorkItem, audit.AnomalyVolume},
		[]audit.AnomalyKind{got[0].Kind, got[1].Kind, got[2].Kind})

	bg := got[0]
	require.Equal(t, []string{"prac-2"}, bg.PracticeIDs)
	require.Equal(t, "agent opened break-glass once; every break-glass access is reviewed", bg.Reason)

	vol := got[2]
	require.Equal(t, 61, vol.Events, "every read counts, the one without a work item too")
	require.Equal(t, []string{"heavy-000", "heavy-001", "heavy-002", "heavy-003", "heavy-004"}, vol.EventIDs, "ids are capped, oldest first")
	require.Equal(t, monday, vol.First)
	require.Equal(t, monday.Add(2*time.Hour), vol.Last)
	require.Equal(t, "agent", vol.Role)
	require.Equal(t, "agent read patient data 61 times, 6.1 times the median of 10 reads among the 4 actors of that role with reads", vol.Reason)

	for _, a := range got {
		for _, secret := range []string{"Jane", "1980", "pat-secret-77", "pat-1"} {
			require.NotContains(t, a.Reason, secret, "reasons hold counts, never patient data or the free text of an event")
		}
	}
}

func TestUnknownHoursAreCountedAndAskedOnce(t *testing.T) {
	t.Parallel()
	asked := map[string]int{}
	d := audit.NewAnomalyDetector(audit.AnomalyRules{Hours: func(a audit.Actor) (audit.WorkingHours, bool) {
		asked[a.Subject]++
		return audit.WorkingHours{}, false
	}})
	for _, e := range concat(reads("alice", 3), reads("bob", 2), asRole("compliance", reads("carol", 2))) {
		d.Add(e)
	}
	require.Empty(t, d.Report())
	require.Equal(t, map[string]int{"alice": 1, "bob": 1}, asked, "agents only, once each")
	require.Equal(t, 2, d.HoursUnknown)
}

func TestWorkingHoursFollowTheWallClock(t *testing.T) {
	t.Parallel()
	h := officeHours(t)
	// 8 March 2026: clocks in Chicago go forward at 02:00. Monday 9
	// March 09:30 is 14:30 UTC (CDT), not 15:30.
	require.True(t, h.Contains(time.Date(2026, 3, 9, 14, 30, 0, 0, time.UTC)))
	require.False(t, h.Contains(time.Date(2026, 3, 9, 13, 30, 0, 0, time.UTC)), "08:30 local")
	require.False(t, audit.WorkingHours{}.Contains(monday), "no shifts: never at work")
	require.True(t, strings.HasPrefix(h.Location.String(), "America/"))
}
