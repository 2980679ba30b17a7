// Package roster keeps the billing company's agents and teams: who works
// follow-up queues and how they are grouped for grants and routing. The
// rules live here; rosterstore keeps them.
package roster

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/routing"
)

// Agent is a person who works follow-up queues, keyed by user id, with
// what routing needs to know about it.
type Agent struct {
	UserID      string
	DisplayName string
	Active      bool
	Kinds       []policy.Kind // skills: the kinds of work it does
	Payers      []string      // payers it handles; empty means any
	Languages   []string      // languages it speaks; empty means English
	Capacity    int           // most open items at once
	Timezone    string        // IANA name; empty means America/New_York
	Hours       string        // e.g. "mon-fri 08:00-17:00"; empty means no fixed hours
	Presence    routing.Presence
	PresenceAt  *time.Time
	CreatedAt   time.Time
}

// Normalize validates a and fills its defaults; the error names the field.
func (a Agent) Normalize() (Agent, error) {
	a.DisplayName = strings.TrimSpace(a.DisplayName)
	if a.DisplayName == "" {
		return a, apperr.Invalid("display_name", "required", "is required")
	}
	for i, k := range a.Kinds {
		if !slices.Contains(policy.Kinds, k) {
			return a, apperr.Invalid(fmt.Sprintf("kinds[%d]", i), "unknown_kind", "%q is not a kind of work", k)
		}
	}
	if a.Capacity < 0 || a.Capacity > 1000 {
		return a, apperr.Invalid("capacity", "out_of_range", "must be between 0 and 1000")
	}
	if a.Timezone == "" {
		a.Timezone = "America/New_York"
	}
	if _, err := time.LoadLocation(a.Timezone); err != nil {
		return a, apperr.Invalid("timezone", "invalid_timezone", "%q is not an IANA time zone such as America/Chicago", a.Timezone)
	}
	if _, err := routing.ParseSchedule(a.Hours); err != nil {
		return a, apperr.Invalid("hours", "invalid_hours", "%s", err.Error())
	}
	if a.Presence == "" {
		a.Presence = routing.Offline
	}
	if err := validPresence(a.Presence); err != nil {
		return a, err
	}
	a.Kinds, a.Payers, a.Languages = nonNil(a.Kinds), nonNil(a.Payers), nonNil(a.Languages)
	return a, nil
}

func validPresence(p routing.Presence) error {
	if !slices.Contains(routing.Presences, p) {
		return apperr.Invalid("presence", "invalid_presence", "must be available, away or offline")
	}
	return nil
}

// nonNil returns s, or an empty slice for nil: an agent's lists are
// stored as [] when empty, never null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Listed is an agent with its current load.
type Listed struct {
	Agent
	Open  int
	Teams []string
}

// Team groups agents; grants and access requests may name a team.
type Team struct {
	ID        string
	Name      string
	CreatedAt time.Time
	Members   []string // user ids
}
