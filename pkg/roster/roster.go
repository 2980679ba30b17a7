// Package roster keeps the billing company's agents and teams: who works
// follow-up queues and how they are grouped for grants and routing.
package roster

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/routing"
	"github.com/google/uuid"
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
	if !slices.Contains(routing.Presences, a.Presence) {
		return a, apperr.Invalid("presence", "invalid_presence", "must be available, away or offline")
	}
	a.Kinds, a.Payers, a.Languages = nonNil(a.Kinds), nonNil(a.Payers), nonNil(a.Languages)
	return a, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func encode(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// Team groups agents; grants and access requests may name a team.
type Team struct {
	ID        string
	Name      string
	CreatedAt time.Time
	Members   []string // user ids
}

// Store keeps agents and teams. Every change to an agent or a team writes
// its audit event in the same transaction: teams carry grants, and an
// agent's skills, hours and presence decide which patients' work it gets.
type Store struct {
	db    *sqldb.DB
	audit *auditstore.Store
	by    audit.Event // who asks; empty for the platform itself
}

// New returns a Store over db whose changes are recorded as the
// platform's own (audit.SystemActor): seeding and background work.
func New(db *sqldb.DB) *Store { return &Store{db: db, audit: auditstore.New(db)} }

// As returns a Store whose changes are recorded as ev's actor's, with its
// request and trace ids: the HTTP layer passes auditmw.Event for the
// request.
func (s *Store) As(ev audit.Event) *Store {
	c := *s
	c.by = ev
	return &c
}

// change runs fn in a transaction and, when fn returns an event, appends
// it there: the change and its record commit together or not at all.
func (s *Store) change(ctx context.Context, fn func(tx *sql.Tx) (*audit.Event, error)) error {
	return sqldb.MapError(s.db.Tx(ctx, func(tx *sql.Tx) error {
		ev, err := fn(tx)
		if err != nil || ev == nil {
			return err
		}
		return s.audit.Append(ctx, tx, []audit.Event{*ev})
	}))
}

// event starts the event of a change made at now.
func (s *Store) event(now time.Time, action audit.Action, targetType, targetID string) *audit.Event {
	ev := audit.Change(s.by, now.UTC(), action, "", targetType, targetID)
	return &ev
}

// EnsureUser returns the user id for an OIDC identity, creating the user
// row when the person has not signed in yet, so agents can be set up
// before their first day.
func (s *Store) EnsureUser(ctx context.Context, issuer, subject, name, email string, now time.Time) (string, error) {
	var id string
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT id FROM users WHERE issuer = $1 AND subject = $2`, issuer, subject).Scan(&id)
		if err == nil || !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		id = uuid.Must(uuid.NewV7()).String()
		_, err = tx.ExecContext(ctx, `INSERT INTO users (id, issuer, subject, name, email, created_at, last_seen_at)
VALUES ($1, $2, $3, $4, $5, $6, $6)`, id, issuer, subject, name, email, now.UTC())
		return err
	})
	return id, sqldb.MapError(err)
}

// PutAgent creates or updates an agent with its routing attributes. The
// event names the attributes that changed, never their values.
func (s *Store) PutAgent(ctx context.Context, a Agent, now time.Time) error {
	a, err := a.Normalize()
	if err != nil {
		return err
	}
	return s.change(ctx, func(tx *sql.Tx) (*audit.Event, error) {
		before, found, err := storedAgent(ctx, tx, a.UserID)
		if err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO agents (user_id, display_name, active, kinds, payers, languages, capacity,
timezone, hours, presence, presence_at, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $11)
ON CONFLICT (user_id) DO UPDATE SET display_name = excluded.display_name, active = excluded.active, kinds = excluded.kinds,
payers = excluded.payers, languages = excluded.languages, capacity = excluded.capacity, timezone = excluded.timezone,
hours = excluded.hours, updated_at = excluded.updated_at`,
			a.UserID, a.DisplayName, a.Active, encode(a.Kinds), encode(a.Payers), encode(a.Languages), a.Capacity,
			a.Timezone, a.Hours, string(a.Presence), now.UTC()); err != nil {
			return nil, err
		}
		if !found {
			ev := s.event(now, audit.ActionAgentCreate, audit.TargetAgent, a.UserID)
			ev.UserID = a.UserID
			return ev, nil
		}
		ev := s.event(now, audit.ActionAgentUpdate, audit.TargetAgent, a.UserID)
		ev.UserID, ev.Fields = a.UserID, changedFields(before, a)
		return ev, nil
	})
}

// storedAgent reads the attributes PutAgent writes, as stored.
func storedAgent(ctx context.Context, tx *sql.Tx, userID string) (Agent, bool, error) {
	var a Agent
	var kinds, payers, languages string
	err := tx.QueryRowContext(ctx, `SELECT display_name, active, kinds, payers, languages, capacity, timezone, hours
FROM agents WHERE user_id = $1`, userID).Scan(&a.DisplayName, &a.Active, &kinds, &payers, &languages, &a.Capacity, &a.Timezone, &a.Hours)
	if errors.Is(err, sql.ErrNoRows) {
		return Agent{}, false, nil
	}
	if err != nil {
		return Agent{}, false, err
	}
	a.Kinds, a.Payers, a.Languages = decodeList[policy.Kind](kinds), decodeList[string](payers), decodeList[string](languages)
	return a, true, nil
}

func decodeList[T any](s string) []T {
	var out []T
	_ = json.Unmarshal([]byte(s), &out) // a list this package wrote; unreadable reads as changed
	return nonNil(out)
}

// changedFields names the attributes of after that differ from before.
func changedFields(before, after Agent) []string {
	var out []string
	add := func(name string, changed bool) {
		if changed {
			out = append(out, name)
		}
	}
	add("display_name", before.DisplayName != after.DisplayName)
	add("active", before.Active != after.Active)
	add("kinds", !slices.Equal(before.Kinds, after.Kinds))
	add("payers", !slices.Equal(before.Payers, after.Payers))
	add("languages", !slices.Equal(before.Languages, after.Languages))
	add("capacity", before.Capacity != after.Capacity)
	add("timezone", before.Timezone != after.Timezone)
	add("hours", before.Hours != after.Hours)
	return out
}

// SetPresence records an agent's presence. Presence decides who routing
// hands patients' work to, so each change is recorded, with the new
// presence as its reason.
func (s *Store) SetPresence(ctx context.Context, userID string, p routing.Presence, now time.Time) error {
	if !slices.Contains(routing.Presences, p) {
		return apperr.Invalid("presence", "invalid_presence", "must be available, away or offline")
	}
	return s.change(ctx, func(tx *sql.Tx) (*audit.Event, error) {
		res, err := tx.ExecContext(ctx, `UPDATE agents SET presence = $2, presence_at = $3, updated_at = $3 WHERE user_id = $1`,
			userID, string(p), now.UTC())
		if err != nil {
			return nil, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil, apperr.NotFound("agent")
		}
		ev := s.event(now, audit.ActionAgentPresence, audit.TargetAgent, userID)
		ev.UserID, ev.Reason = userID, string(p)
		return ev, nil
	})
}

// CreateTeam creates a team with a unique name. The event names the team
// by id only.
func (s *Store) CreateTeam(ctx context.Context, name string, now time.Time) (Team, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return Team{}, apperr.Invalid("name", "required", "is required")
	}
	t := Team{ID: uuid.Must(uuid.NewV7()).String(), Name: name, CreatedAt: now.UTC()}
	err := s.change(ctx, func(tx *sql.Tx) (*audit.Event, error) {
		if _, err := tx.ExecContext(ctx, `INSERT INTO teams (id, name, created_at) VALUES ($1, $2, $3)`, t.ID, t.Name, t.CreatedAt); err != nil {
			return nil, err
		}
		return s.event(now, audit.ActionTeamCreate, audit.TargetTeam, t.ID), nil
	})
	return t, err
}

// AddMember puts an agent on a team; adding twice is not an error, and
// records nothing the second time, since nothing changed.
func (s *Store) AddMember(ctx context.Context, teamID, userID string, now time.Time) error {
	return s.change(ctx, func(tx *sql.Tx) (*audit.Event, error) {
		res, err := tx.ExecContext(ctx, `INSERT INTO team_members (team_id, user_id, added_at) VALUES ($1, $2, $3)
ON CONFLICT (team_id, user_id) DO NOTHING`, teamID, userID, now.UTC())
		return s.memberEvent(res, err, now, audit.ActionTeamMemberAdd, teamID, userID)
	})
}

// RemoveMember takes an agent off a team; removing a non-member records
// nothing.
func (s *Store) RemoveMember(ctx context.Context, teamID, userID string, now time.Time) error {
	return s.change(ctx, func(tx *sql.Tx) (*audit.Event, error) {
		res, err := tx.ExecContext(ctx, `DELETE FROM team_members WHERE team_id = $1 AND user_id = $2`, teamID, userID)
		return s.memberEvent(res, err, now, audit.ActionTeamMemberRemove, teamID, userID)
	})
}

// memberEvent is the event of a membership statement that changed a row.
func (s *Store) memberEvent(res sql.Result, err error, now time.Time, action audit.Action, teamID, userID string) (*audit.Event, error) {
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, nil
	}
	ev := s.event(now, action, audit.TargetTeam, teamID)
	ev.UserID = userID
	return ev, nil
}
