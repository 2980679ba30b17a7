// Package roster keeps the billing company's agents and teams: who works
// follow-up queues and how they are grouped for grants and routing.
package roster

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/google/uuid"
)

// Agent is a person who works follow-up queues, keyed by user id.
type Agent struct {
	UserID      string
	DisplayName string
	Active      bool
	CreatedAt   time.Time
}

// Team groups agents; grants and access requests may name a team.
type Team struct {
	ID        string
	Name      string
	CreatedAt time.Time
	Members   []string // user ids
}

// Store keeps agents and teams.
type Store struct{ db *sqldb.DB }

// New returns a Store over db.
func New(db *sqldb.DB) *Store { return &Store{db: db} }

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

// PutAgent creates or updates an agent.
func (s *Store) PutAgent(ctx context.Context, a Agent, now time.Time) error {
	if strings.TrimSpace(a.DisplayName) == "" {
		return apperr.Invalid("display_name", "required", "is required")
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO agents (user_id, display_name, active, created_at, updated_at)
VALUES ($1, $2, $3, $4, $4)
ON CONFLICT (user_id) DO UPDATE SET display_name = excluded.display_name, active = excluded.active, updated_at = excluded.updated_at`,
		a.UserID, a.DisplayName, a.Active, now.UTC())
	return sqldb.MapError(err)
}

// CreateTeam creates a team with a unique name.
func (s *Store) CreateTeam(ctx context.Context, name string, now time.Time) (Team, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return Team{}, apperr.Invalid("name", "required", "is required")
	}
	t := Team{ID: uuid.Must(uuid.NewV7()).String(), Name: name, CreatedAt: now.UTC()}
	_, err := s.db.ExecContext(ctx, `INSERT INTO teams (id, name, created_at) VALUES ($1, $2, $3)`, t.ID, t.Name, t.CreatedAt)
	return t, sqldb.MapError(err)
}

// AddMember puts an agent on a team; adding twice is not an error.
func (s *Store) AddMember(ctx context.Context, teamID, userID string, now time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO team_members (team_id, user_id, added_at) VALUES ($1, $2, $3)
ON CONFLICT (team_id, user_id) DO NOTHING`, teamID, userID, now.UTC())
	return sqldb.MapError(err)
}

// RemoveMember takes an agent off a team.
func (s *Store) RemoveMember(ctx context.Context, teamID, userID string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM team_members WHERE team_id = $1 AND user_id = $2`, teamID, userID)
	return sqldb.MapError(err)
}
