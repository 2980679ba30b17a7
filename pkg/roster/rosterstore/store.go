// Package rosterstore keeps agents and teams in PostgreSQL or SQLite. It
// is the only place roster SQL lives. Every change is written in one
// transaction with its audit event.
package rosterstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/roster"
	"github.com/backdesk/backdesk/pkg/routing"
	"github.com/google/uuid"
)

// Store implements roster.Storer.
type Store struct {
	db    *sqldb.DB
	audit audit.Appender
}

var _ roster.Storer = (*Store)(nil)

// New returns a Store over db that appends each change's audit event
// through a, in the change's own transaction.
func New(db *sqldb.DB, a audit.Appender) *Store { return &Store{db: db, audit: a} }

const (
	selectUserID = `SELECT id FROM users WHERE issuer = $1 AND subject = $2`
	insertUser   = `INSERT INTO users (id, issuer, subject, name, email, created_at, last_seen_at)
VALUES ($1, $2, $3, $4, $5, $6, $6)`
	selectStoredAgent = `SELECT display_name, active, kinds, payers, languages, capacity, timezone, hours
FROM agents WHERE user_id = $1`
	upsertAgent = `INSERT INTO agents (user_id, display_name, active, kinds, payers, languages, capacity,
timezone, hours, presence, presence_at, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $11)
ON CONFLICT (user_id) DO UPDATE SET display_name = excluded.display_name, active = excluded.active, kinds = excluded.kinds,
payers = excluded.payers, languages = excluded.languages, capacity = excluded.capacity, timezone = excluded.timezone,
hours = excluded.hours, updated_at = excluded.updated_at`
	updatePresence = `UPDATE agents SET presence = $2, presence_at = $3, updated_at = $3 WHERE user_id = $1`
	insertTeam     = `INSERT INTO teams (id, name, created_at) VALUES ($1, $2, $3)`
	insertMember   = `INSERT INTO team_members (team_id, user_id, added_at) VALUES ($1, $2, $3)
ON CONFLICT (team_id, user_id) DO NOTHING`
	deleteMember = `DELETE FROM team_members WHERE team_id = $1 AND user_id = $2`
)

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

// EnsureUser implements roster.Storer.
func (s *Store) EnsureUser(ctx context.Context, issuer, subject, name, email string, now time.Time) (string, error) {
	var id string
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, selectUserID, issuer, subject).Scan(&id)
		if err == nil || !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		id = uuid.Must(uuid.NewV7()).String()
		_, err = tx.ExecContext(ctx, insertUser, id, issuer, subject, name, email, now.UTC())
		return err
	})
	return id, sqldb.MapError(err)
}

// PutAgent implements roster.Storer: it reads the agent as stored, writes
// a over it and appends the event that compares the two.
func (s *Store) PutAgent(ctx context.Context, a roster.Agent, now time.Time, by audit.Event) error {
	return s.change(ctx, func(tx *sql.Tx) (*audit.Event, error) {
		before, err := storedAgent(ctx, tx, a.UserID)
		if err != nil {
			return nil, err
		}
		kinds, payers, languages, err := encodeLists(a)
		if err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, upsertAgent, a.UserID, a.DisplayName, a.Active, kinds, payers, languages, a.Capacity,
			a.Timezone, a.Hours, string(a.Presence), now.UTC()); err != nil {
			return nil, err
		}
		ev := roster.AgentChange(by, now, before, a)
		return &ev, nil
	})
}

// storedAgent reads the attributes PutAgent writes, as stored; nil when
// the agent does not exist.
func storedAgent(ctx context.Context, tx *sql.Tx, userID string) (*roster.Agent, error) {
	var a roster.Agent
	var kinds, payers, languages string
	err := tx.QueryRowContext(ctx, selectStoredAgent, userID).Scan(&a.DisplayName, &a.Active, &kinds, &payers, &languages,
		&a.Capacity, &a.Timezone, &a.Hours)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if err := decodeLists(&a, kinds, payers, languages); err != nil {
		return nil, fmt.Errorf("agent %s: %w", userID, err)
	}
	return &a, nil
}

// encodeLists writes an agent's lists as the JSON arrays the agents table
// holds.
func encodeLists(a roster.Agent) (kinds, payers, languages string, err error) {
	for _, l := range []struct {
		into *string
		v    any
	}{{&kinds, a.Kinds}, {&payers, a.Payers}, {&languages, a.Languages}} {
		b, err := json.Marshal(l.v)
		if err != nil {
			return "", "", "", err
		}
		*l.into = string(b)
	}
	return kinds, payers, languages, nil
}

// decodeLists reads an agent's lists as stored. A list that does not
// decode is an error: an agent read with no skills would be routed and
// shown wrongly.
func decodeLists(a *roster.Agent, kinds, payers, languages string) error {
	if err := json.Unmarshal([]byte(kinds), &a.Kinds); err != nil {
		return fmt.Errorf("read kinds: %w", err)
	}
	if err := json.Unmarshal([]byte(payers), &a.Payers); err != nil {
		return fmt.Errorf("read payers: %w", err)
	}
	if err := json.Unmarshal([]byte(languages), &a.Languages); err != nil {
		return fmt.Errorf("read languages: %w", err)
	}
	return nil
}

// SetPresence implements roster.Storer.
func (s *Store) SetPresence(ctx context.Context, userID string, p routing.Presence, now time.Time, ev audit.Event) error {
	return s.change(ctx, func(tx *sql.Tx) (*audit.Event, error) {
		res, err := tx.ExecContext(ctx, updatePresence, userID, string(p), now.UTC())
		if err != nil {
			return nil, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil, apperr.NotFound("agent")
		}
		return &ev, nil
	})
}

// CreateTeam implements roster.Storer.
func (s *Store) CreateTeam(ctx context.Context, t roster.Team, ev audit.Event) error {
	return s.change(ctx, func(tx *sql.Tx) (*audit.Event, error) {
		if _, err := tx.ExecContext(ctx, insertTeam, t.ID, t.Name, t.CreatedAt); err != nil {
			return nil, err
		}
		return &ev, nil
	})
}

// AddMember implements roster.Storer.
func (s *Store) AddMember(ctx context.Context, teamID, userID string, now time.Time, ev audit.Event) error {
	return s.change(ctx, func(tx *sql.Tx) (*audit.Event, error) {
		res, err := tx.ExecContext(ctx, insertMember, teamID, userID, now.UTC())
		return ifChanged(res, err, ev)
	})
}

// RemoveMember implements roster.Storer.
func (s *Store) RemoveMember(ctx context.Context, teamID, userID string, ev audit.Event) error {
	return s.change(ctx, func(tx *sql.Tx) (*audit.Event, error) {
		res, err := tx.ExecContext(ctx, deleteMember, teamID, userID)
		return ifChanged(res, err, ev)
	})
}

// ifChanged returns ev when the membership statement changed a row, and
// no event when it changed nothing.
func ifChanged(res sql.Result, err error, ev audit.Event) (*audit.Event, error) {
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, nil
	}
	return &ev, nil
}
