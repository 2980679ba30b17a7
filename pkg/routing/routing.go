// Package routing picks the owner of a follow-up work item (docs/routing.md):
// among agents whose grants cover the item's practice and kind, whose
// skills match, who are available within their working hours and under
// capacity, it prefers the agent who already owns the patient's other
// items, then the least loaded, then the lowest user id. It is pure: the
// router service loads the facts and commits the choice.
package routing

import (
	"slices"
	"time"

	"github.com/backdesk/backdesk/pkg/grant"
	"github.com/backdesk/backdesk/pkg/policy"
)

// Presence is whether an agent is taking work.
type Presence string

// The presences an agent sets for itself.
const (
	Available Presence = "available"
	Away      Presence = "away"
	Offline   Presence = "offline"
)

// Presences lists them.
var Presences = []Presence{Available, Away, Offline}

// Agent is what routing knows of one agent.
type Agent struct {
	UserID    string
	Teams     []string
	Kinds     []policy.Kind // skills: kinds of work; empty means none
	Payers    []string      // payers the agent handles; empty means any
	Languages []string      // languages spoken; empty means English only
	Capacity  int           // most open items at once
	Open      int           // open items owned now
	Presence  Presence
	Hours     Schedule
	Location  *time.Location
}

// Item is what routing knows of one item.
type Item struct {
	ID         string
	PracticeID string
	PatientID  string
	Kind       policy.Kind
	Payer      string // claims and eligibility: the payer; else empty
	Language   string // the patient's language when known; empty means English
}

// NoCandidate says why nobody could take an item, in the order the rules
// were applied: the first rule that left nobody is the reason.
type NoCandidate string

// The reasons an item stays unassigned.
const (
	NoGrant       NoCandidate = "no_grant"
	NoSkill       NoCandidate = "no_skill"
	NobodyOnShift NoCandidate = "nobody_on_shift"
	AllAtCapacity NoCandidate = "all_at_capacity"
)

// Facts are everything Pick needs for one item.
type Facts struct {
	Agents []Agent
	Grants []grant.Grant // the practice's grants
	// PatientOwners counts, per agent, the patient's other open items it owns.
	PatientOwners map[string]int
}

// Covered reports whether one of grants lets a covers work kind at practice.
func Covered(a Agent, practiceID string, kind policy.Kind, grants []grant.Grant, now time.Time) bool {
	for _, g := range grants {
		if g.PracticeID != practiceID || !g.Covers(kind, now) {
			continue
		}
		if (g.GranteeType == grant.GranteeAgent && g.GranteeID == a.UserID) ||
			(g.GranteeType == grant.GranteeTeam && slices.Contains(a.Teams, g.GranteeID)) {
			return true
		}
	}
	return false
}

// Skilled reports whether a has the skills item needs.
func Skilled(a Agent, it Item) bool {
	if !slices.Contains(a.Kinds, it.Kind) {
		return false
	}
	if it.Payer != "" && len(a.Payers) > 0 && !slices.Contains(a.Payers, it.Payer) {
		return false
	}
	lang := it.Language
	if lang == "" || lang == "en" {
		return true
	}
	return slices.Contains(a.Languages, lang)
}

// OnShift reports whether a is available and within its hours at now.
func OnShift(a Agent, now time.Time) bool {
	loc := a.Location
	if loc == nil {
		loc = time.UTC
	}
	return a.Presence == Available && a.Hours.Within(now, loc)
}

// Eligible reports whether a may own item at now, capacity aside: the
// test for keeping an owner when an item comes due again.
func Eligible(a Agent, it Item, grants []grant.Grant, now time.Time) bool {
	return Covered(a, it.PracticeID, it.Kind, grants, now) && Skilled(a, it)
}

// Pick returns the agent to own it, or why there is none.
func Pick(it Item, f Facts, now time.Time) (string, NoCandidate) {
	var pool []Agent
	for _, a := range f.Agents {
		if Covered(a, it.PracticeID, it.Kind, f.Grants, now) {
			pool = append(pool, a)
		}
	}
	if len(pool) == 0 {
		return "", NoGrant
	}
	pool = slices.DeleteFunc(pool, func(a Agent) bool { return !Skilled(a, it) })
	if len(pool) == 0 {
		return "", NoSkill
	}
	pool = slices.DeleteFunc(pool, func(a Agent) bool { return !OnShift(a, now) })
	if len(pool) == 0 {
		return "", NobodyOnShift
	}
	pool = slices.DeleteFunc(pool, func(a Agent) bool { return a.Open >= a.Capacity })
	if len(pool) == 0 {
		return "", AllAtCapacity
	}
	best := pool[0]
	for _, a := range pool[1:] {
		if better(it.ID, a, best, f.PatientOwners) {
			best = a
		}
	}
	return best.UserID, ""
}

// better orders candidates: the patient's current owner first, then the
// lower load (open over capacity, compared without division), then a hash
// of the item and agent ids, then the lower user id. The same facts always
// give the same owner, yet items routed at the same moment to a team of
// equally loaded agents spread over it instead of queueing for one.
func better(itemID string, a, b Agent, owners map[string]int) bool {
	oa, ob := owners[a.UserID] > 0, owners[b.UserID] > 0
	if oa != ob {
		return oa
	}
	la, lb := a.Open*b.Capacity, b.Open*a.Capacity
	if la != lb {
		return la < lb
	}
	ha, hb := spread(itemID, a.UserID), spread(itemID, b.UserID)
	if ha != hb {
		return ha < hb
	}
	return a.UserID < b.UserID
}

// spread is FNV-1a over the item and agent ids.
func spread(itemID, userID string) uint64 {
	h := uint64(14695981039346656037)
	for _, s := range []string{itemID, "\x00", userID} {
		for i := 0; i < len(s); i++ {
			h ^= uint64(s[i])
			h *= 1099511628211
		}
	}
	return h
}
