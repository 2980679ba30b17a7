package rosterstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/roster"
	"github.com/backdesk/backdesk/pkg/routing"
)

const (
	// agentColumns reads an agent with its load: the items it owns in
	// every practice.
	agentColumns = `SELECT a.user_id, a.display_name, a.active, a.kinds, a.payers, a.languages, a.capacity, a.timezone,
a.hours, a.presence, a.presence_at, a.created_at,
(SELECT count(*) FROM work_items w WHERE w.owner_id = a.user_id AND w.state IN ('assigned', 'in_progress', 'waiting'))
FROM agents a`
	selectAgents  = agentColumns + ` ORDER BY a.display_name, a.user_id`
	selectAgent   = agentColumns + ` WHERE a.user_id = $1`
	selectTeamsOf = `SELECT team_id FROM team_members WHERE user_id = $1 ORDER BY team_id`
	selectTeams   = `SELECT t.id, t.name, t.created_at, m.user_id FROM teams t
LEFT JOIN team_members m ON m.team_id = t.id ORDER BY t.name, t.id, m.user_id`
	selectTeamExists = `SELECT 1 FROM teams WHERE id = $1`
	selectHours      = `SELECT a.hours, a.timezone FROM agents a JOIN users u ON u.id = a.user_id
WHERE u.issuer = $1 AND u.subject = $2`
)

// Agents implements roster.Storer. Load counts items in every practice,
// so it runs across practices.
func (s *Store) Agents(ctx context.Context) ([]roster.Listed, error) {
	return s.agents(ctx, selectAgents)
}

// Agent implements roster.Storer.
func (s *Store) Agent(ctx context.Context, userID string) (roster.Listed, error) {
	as, err := s.agents(ctx, selectAgent, userID)
	if err != nil {
		return roster.Listed{}, err
	}
	if len(as) == 0 {
		return roster.Listed{}, apperr.NotFound("agent")
	}
	return as[0], nil
}

func (s *Store) agents(ctx context.Context, q string, args ...any) ([]roster.Listed, error) {
	var out []roster.Listed
	err := s.db.Tx(sqldb.AllPractices(ctx), func(tx *sql.Tx) error {
		out = out[:0]
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			l, err := scanListed(rows)
			if err != nil {
				return err
			}
			out = append(out, l)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		for i := range out {
			if out[i].Teams, err = teamsOf(ctx, tx, out[i].UserID); err != nil {
				return err
			}
		}
		return nil
	})
	return out, sqldb.MapError(err)
}

// scanListed reads one row of agentColumns.
func scanListed(rows *sql.Rows) (roster.Listed, error) {
	var l roster.Listed
	var kinds, payers, langs, presence string
	var at sql.NullTime
	if err := rows.Scan(&l.UserID, &l.DisplayName, &l.Active, &kinds, &payers, &langs, &l.Capacity, &l.Timezone,
		&l.Hours, &presence, &at, &l.CreatedAt, &l.Open); err != nil {
		return roster.Listed{}, err
	}
	if err := decodeLists(&l.Agent, kinds, payers, langs); err != nil {
		return roster.Listed{}, fmt.Errorf("agent %s: %w", l.UserID, err)
	}
	l.Presence = routing.Presence(presence)
	if at.Valid {
		t := at.Time.UTC()
		l.PresenceAt = &t
	}
	return l, nil
}

func teamsOf(ctx context.Context, tx *sql.Tx, userID string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, selectTeamsOf, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// Teams implements roster.Storer.
func (s *Store) Teams(ctx context.Context) ([]roster.Team, error) {
	rows, err := s.db.QueryContext(ctx, selectTeams)
	if err != nil {
		return nil, sqldb.MapError(err)
	}
	defer rows.Close()
	var out []roster.Team
	for rows.Next() {
		var t roster.Team
		var member sql.NullString
		if err := rows.Scan(&t.ID, &t.Name, &t.CreatedAt, &member); err != nil {
			return nil, sqldb.MapError(err)
		}
		if n := len(out); n > 0 && out[n-1].ID == t.ID {
			out[n-1].Members = append(out[n-1].Members, member.String)
			continue
		}
		t.Members = []string{}
		if member.Valid {
			t.Members = append(t.Members, member.String)
		}
		out = append(out, t)
	}
	return out, sqldb.MapError(rows.Err())
}

// TeamExists implements roster.Storer.
func (s *Store) TeamExists(ctx context.Context, id string) (bool, error) {
	var one int
	err := s.db.QueryRowContext(ctx, selectTeamExists, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, sqldb.MapError(err)
}

// WorkingHours implements roster.Storer. A person is found by identity,
// not by practice, so it reads across practices.
func (s *Store) WorkingHours(ctx context.Context, issuer, subject string) (hours, timezone string, found bool, err error) {
	err = s.db.Tx(sqldb.AllPractices(ctx), func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, selectHours, issuer, subject).Scan(&hours, &timezone)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", false, nil
	}
	if err != nil {
		return "", "", false, sqldb.MapError(err)
	}
	return hours, timezone, true, nil
}
