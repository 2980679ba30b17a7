package roster

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/routing"
)

// Listed is an agent with its current load.
type Listed struct {
	Agent
	Open  int
	Teams []string
}

const agentColumns = `SELECT a.user_id, a.display_name, a.active, a.kinds, a.payers, a.languages, a.capacity, a.timezone,
a.hours, a.presence, a.presence_at, a.created_at,
(SELECT count(*) FROM work_items w WHERE w.owner_id = a.user_id AND w.state IN ('assigned', 'in_progress', 'waiting'))
FROM agents a`

// Agents lists every agent by name, with its load and teams. Load counts
// items in every practice, so it runs across practices.
func (s *Store) Agents(ctx context.Context) ([]Listed, error) {
	return s.agents(ctx, agentColumns+` ORDER BY a.display_name, a.user_id`)
}

// Agent returns one agent.
func (s *Store) Agent(ctx context.Context, userID string) (Listed, error) {
	as, err := s.agents(ctx, agentColumns+` WHERE a.user_id = $1`, userID)
	if err != nil {
		return Listed{}, err
	}
	if len(as) == 0 {
		return Listed{}, apperr.NotFound("agent")
	}
	return as[0], nil
}

func (s *Store) agents(ctx context.Context, q string, args ...any) ([]Listed, error) {
	var out []Listed
	err := s.db.Tx(sqldb.AllPractices(ctx), func(tx *sql.Tx) error {
		out = out[:0]
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var l Listed
			var kinds, payers, langs, presence string
			var at sql.NullTime
			if err := rows.Scan(&l.UserID, &l.DisplayName, &l.Active, &kinds, &payers, &langs, &l.Capacity, &l.Timezone,
				&l.Hours, &presence, &at, &l.CreatedAt, &l.Open); err != nil {
				return err
			}
			_ = json.Unmarshal([]byte(kinds), &l.Kinds)
			_ = json.Unmarshal([]byte(payers), &l.Payers)
			_ = json.Unmarshal([]byte(langs), &l.Languages)
			l.Presence = routing.Presence(presence)
			if at.Valid {
				t := at.Time.UTC()
				l.PresenceAt = &t
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

func teamsOf(ctx context.Context, tx *sql.Tx, userID string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT team_id FROM team_members WHERE user_id = $1 ORDER BY team_id`, userID)
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

// Teams lists every team with its members.
func (s *Store) Teams(ctx context.Context) ([]Team, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT t.id, t.name, t.created_at, m.user_id FROM teams t
LEFT JOIN team_members m ON m.team_id = t.id ORDER BY t.name, t.id, m.user_id`)
	if err != nil {
		return nil, sqldb.MapError(err)
	}
	defer rows.Close()
	var out []Team
	for rows.Next() {
		var t Team
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

// TeamExists reports whether a team has id.
func (s *Store) TeamExists(ctx context.Context, id string) (bool, error) {
	var one int
	err := s.db.QueryRowContext(ctx, `SELECT 1 FROM teams WHERE id = $1`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, sqldb.MapError(err)
}
