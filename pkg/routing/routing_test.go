package routing_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/grant"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/routing"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

var now = time.Date(2026, 3, 4, 15, 0, 0, 0, time.UTC) // a Wednesday

func TestSchedule(t *testing.T) {
	t.Parallel()
	s, err := routing.ParseSchedule("mon-fri 08:00-17:00")
	require.NoError(t, err)
	ny, _ := time.LoadLocation("America/New_York")
	require.True(t, s.Within(now, ny), "10:00 in New York on a Wednesday")
	require.False(t, s.Within(now.Add(8*time.Hour), ny), "18:00")
	require.False(t, s.Within(now.AddDate(0, 0, 3), ny), "Saturday")
	require.Equal(t, "mon,tue,wed,thu,fri 08:00-17:00", s.String())
	wrap, err := routing.ParseSchedule("fri-mon 09:00-12:00")
	require.NoError(t, err)
	require.Equal(t, "sun,mon,fri,sat 09:00-12:00", wrap.String())
	for _, bad := range []string{"weekdays 08:00-17:00", "mon-fri", "mon-fri 8-5", "mon 17:00-08:00"} {
		_, err := routing.ParseSchedule(bad)
		require.Error(t, err, bad)
	}
}

func TestPickReasons(t *testing.T) {
	t.Parallel()
	g := grant.Grant{ID: "g", PracticeID: "p", GranteeType: grant.GranteeTeam, GranteeID: "east",
		Kinds: []policy.Kind{policy.BalanceFollowup}, ValidFrom: now.Add(-time.Hour), ValidUntil: now.Add(time.Hour), ReviewDueAt: now.Add(time.Hour)}
	it := routing.Item{ID: "i", PracticeID: "p", PatientID: "pt", Kind: policy.BalanceFollowup}
	a := routing.Agent{UserID: "a", Teams: []string{"east"}, Kinds: []policy.Kind{policy.BalanceFollowup}, Capacity: 2, Presence: routing.Available}
	pick := func(a routing.Agent, gs ...grant.Grant) (string, routing.NoCandidate) {
		return routing.Pick(it, routing.Facts{Agents: []routing.Agent{a}, Grants: gs}, now)
	}
	_, why := pick(a)
	require.Equal(t, routing.NoGrant, why)
	noSkill := a
	noSkill.Kinds = nil
	_, why = pick(noSkill, g)
	require.Equal(t, routing.NoSkill, why)
	away := a
	away.Presence = routing.Away
	_, why = pick(away, g)
	require.Equal(t, routing.NobodyOnShift, why)
	full := a
	full.Open = 2
	_, why = pick(full, g)
	require.Equal(t, routing.AllAtCapacity, why)
	who, why := pick(a, g)
	require.Equal(t, "a", who)
	require.Empty(t, why)
}

// The routing invariants over random agents, teams, grants, skills,
// capacities and items, routed one after another as the router does.
func TestRoutingProperties(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(rt *rapid.T) {
		kinds := policy.Kinds
		teams := []string{"t1", "t2", "t3"}
		practices := []string{"p1", "p2"}
		nAgents := rapid.IntRange(0, 8).Draw(rt, "agents")
		agents := make([]routing.Agent, nAgents)
		for i := range agents {
			agents[i] = routing.Agent{
				UserID:   fmt.Sprintf("a%02d", i),
				Teams:    rapid.SliceOfDistinct(rapid.SampledFrom(teams), rapid.ID[string]).Draw(rt, "teams"),
				Kinds:    rapid.SliceOfDistinct(rapid.SampledFrom(kinds), rapid.ID[policy.Kind]).Draw(rt, "kinds"),
				Payers:   rapid.SliceOfDistinct(rapid.SampledFrom([]string{"delta", "metlife"}), rapid.ID[string]).Draw(rt, "payers"),
				Capacity: rapid.IntRange(0, 4).Draw(rt, "capacity"),
				Presence: rapid.SampledFrom(routing.Presences).Draw(rt, "presence"),
			}
			if rapid.Bool().Draw(rt, "hours") {
				agents[i].Hours, _ = routing.ParseSchedule("mon-fri 14:00-16:00")
			}
		}
		var grants []grant.Grant
		for i := range rapid.IntRange(0, 6).Draw(rt, "grants") {
			g := grant.Grant{
				ID: fmt.Sprintf("g%d", i), PracticeID: rapid.SampledFrom(practices).Draw(rt, "practice"),
				Kinds:     rapid.SliceOfNDistinct(rapid.SampledFrom(kinds), 1, 3, rapid.ID[policy.Kind]).Draw(rt, "gkinds"),
				ValidFrom: now.Add(-time.Hour), ValidUntil: now.Add(time.Hour), ReviewDueAt: now.Add(time.Hour),
			}
			if rapid.Bool().Draw(rt, "team grant") {
				g.GranteeType, g.GranteeID = grant.GranteeTeam, rapid.SampledFrom(teams).Draw(rt, "team")
			} else if nAgents > 0 {
				g.GranteeType, g.GranteeID = grant.GranteeAgent, agents[rapid.IntRange(0, nAgents-1).Draw(rt, "agent")].UserID
			}
			if rapid.IntRange(0, 4).Draw(rt, "ended") == 0 {
				g.ValidUntil = now // expired grants cover nobody
			}
			grants = append(grants, g)
		}
		nItems := rapid.IntRange(1, 25).Draw(rt, "items")
		owner := map[string]string{} // item -> agent
		patientOwners := map[string]map[string]int{}
		open := map[string]int{}
		byID := map[string]routing.Agent{}
		for _, a := range agents {
			byID[a.UserID] = a
		}
		for i := range nItems {
			it := routing.Item{
				ID: fmt.Sprintf("i%d", i), PracticeID: rapid.SampledFrom(practices).Draw(rt, "ipractice"),
				PatientID: fmt.Sprintf("pt%d", rapid.IntRange(0, 5).Draw(rt, "patient")),
				Kind:      rapid.SampledFrom(kinds).Draw(rt, "ikind"),
				Payer:     rapid.SampledFrom([]string{"", "delta", "metlife", "aetna"}).Draw(rt, "payer"),
			}
			current := make([]routing.Agent, len(agents))
			for j, a := range agents {
				a.Open = open[a.UserID]
				current[j] = a
			}
			who, why := routing.Pick(it, routing.Facts{Agents: current, Grants: grants, PatientOwners: patientOwners[it.PatientID]}, now)
			eligible := func(a routing.Agent) bool {
				return routing.Covered(a, it.PracticeID, it.Kind, grants, now) && routing.Skilled(a, it) &&
					routing.OnShift(a, now) && a.Open < a.Capacity
			}
			var anyEligible bool
			var patientOwnerEligible string
			for _, a := range current {
				if eligible(a) {
					anyEligible = true
					if patientOwners[it.PatientID][a.UserID] > 0 && patientOwnerEligible == "" {
						patientOwnerEligible = a.UserID
					}
				}
			}
			if who == "" {
				require.False(rt, anyEligible, "item %s left unassigned (%s) though an agent could take it", it.ID, why)
				require.NotEmpty(rt, why)
				continue
			}
			a := byID[who]
			a.Open = open[who]
			require.True(rt, routing.Covered(a, it.PracticeID, it.Kind, grants, now), "assigned without a covering grant")
			require.True(rt, eligible(a), "assigned to an ineligible agent")
			if patientOwnerEligible != "" {
				require.Greater(rt, patientOwners[it.PatientID][who], 0, "the patient's owner was eligible and passed over")
			}
			require.Empty(rt, owner[it.ID], "one owner per item")
			owner[it.ID] = who
			open[who]++
			require.LessOrEqual(rt, open[who], a.Capacity, "capacity exceeded")
			if patientOwners[it.PatientID] == nil {
				patientOwners[it.PatientID] = map[string]int{}
			}
			patientOwners[it.PatientID][who]++
		}
	})
}

func TestTieBreakIsDeterministic(t *testing.T) {
	t.Parallel()
	g := grant.Grant{PracticeID: "p", GranteeType: grant.GranteeTeam, GranteeID: "t", Kinds: []policy.Kind{policy.Recare},
		ValidFrom: now.Add(-time.Hour), ValidUntil: now.Add(time.Hour), ReviewDueAt: now.Add(time.Hour)}
	mk := func(id string, open, capacity int) routing.Agent {
		return routing.Agent{UserID: id, Teams: []string{"t"}, Kinds: []policy.Kind{policy.Recare}, Capacity: capacity, Open: open, Presence: routing.Available}
	}
	it := routing.Item{ID: "i1", PracticeID: "p", PatientID: "x", Kind: policy.Recare}
	agents := []routing.Agent{mk("b", 1, 10), mk("a", 1, 10), mk("c", 1, 1), mk("d", 1, 10)}
	who, _ := routing.Pick(it, routing.Facts{Agents: agents, Grants: []grant.Grant{g}}, now)
	require.NotEqual(t, "c", who, "c is full")
	for range 20 {
		rapidShuffle := []routing.Agent{agents[3], agents[1], agents[2], agents[0]}
		again, _ := routing.Pick(it, routing.Facts{Agents: rapidShuffle, Grants: []grant.Grant{g}}, now)
		require.Equal(t, who, again, "equal load: the same owner whatever the order")
	}
	// Equally loaded agents share a burst of items instead of one taking all.
	seen := map[string]bool{}
	for i := range 30 {
		it.ID = fmt.Sprintf("burst-%d", i)
		w, _ := routing.Pick(it, routing.Facts{Agents: agents, Grants: []grant.Grant{g}}, now)
		seen[w] = true
	}
	require.Len(t, seen, 3, "a, b and d all get some")
	who, _ = routing.Pick(it, routing.Facts{Agents: []routing.Agent{mk("b", 1, 10), mk("a", 5, 10)}, Grants: []grant.Grant{g}, PatientOwners: map[string]int{"a": 1}}, now)
	require.Equal(t, "a", who, "the patient's owner first")
}
