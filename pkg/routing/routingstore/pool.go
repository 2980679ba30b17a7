package routingstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"sync"
	"time"

	"github.com/backdesk/backdesk/pkg/grant"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/routing"
)

const (
	liveGrants = `SELECT id, grantee_type, grantee_id, kinds, valid_from, valid_until, review_due_at FROM grants
WHERE practice_id = $1 AND revoked_at IS NULL AND valid_until > $2`
	coveredAgents = `SELECT a.user_id, a.kinds, a.payers, a.languages, a.capacity, a.timezone, a.hours, a.presence,
(SELECT count(*) FROM work_items w WHERE w.owner_id = a.user_id AND w.state IN ` + openStates + `)
FROM agents a WHERE a.active AND a.user_id IN (
  SELECT grantee_id FROM grants WHERE practice_id = $1 AND revoked_at IS NULL AND valid_until > $2 AND grantee_type = 'agent'
  UNION
  SELECT tm.user_id FROM team_members tm JOIN grants g ON g.grantee_type = 'team' AND g.grantee_id = tm.team_id
  WHERE g.practice_id = $1 AND g.revoked_at IS NULL AND g.valid_until > $2)
ORDER BY a.user_id`
	teamsOfCovered = `SELECT tm.user_id, tm.team_id FROM team_members tm JOIN grants g ON g.grantee_type = 'team' AND g.grantee_id = tm.team_id
WHERE g.practice_id = $1 AND g.revoked_at IS NULL AND g.valid_until > $2`
)

// pool returns the agents some live grant of the practice covers, with
// their load, and the practice's live grants.
func (s *Store) pool(ctx context.Context, tx *sql.Tx, practiceID string) ([]routing.Agent, []grant.Grant, error) {
	now := s.now()
	grants, err := loadGrants(ctx, tx, practiceID, now)
	if err != nil || len(grants) == 0 {
		return nil, grants, err
	}
	teams := map[string][]string{}
	rows, err := tx.QueryContext(ctx, teamsOfCovered, practiceID, now)
	if err != nil {
		return nil, nil, err
	}
	for rows.Next() {
		var user, team string
		if err := rows.Scan(&user, &team); err != nil {
			rows.Close()
			return nil, nil, err
		}
		teams[user] = append(teams[user], team)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	rows, err = tx.QueryContext(ctx, coveredAgents, practiceID, now)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var agents []routing.Agent
	for rows.Next() {
		var a routing.Agent
		var kinds, payers, langs, tz, hours string
		if err := rows.Scan(&a.UserID, &kinds, &payers, &langs, &a.Capacity, &tz, &hours, &a.Presence, &a.Open); err != nil {
			return nil, nil, err
		}
		_ = json.Unmarshal([]byte(kinds), &a.Kinds)
		_ = json.Unmarshal([]byte(payers), &a.Payers)
		_ = json.Unmarshal([]byte(langs), &a.Languages)
		a.Hours, _ = routing.ParseSchedule(hours) // validated when stored
		a.Location = location(tz)
		a.Teams = teams[a.UserID]
		agents = append(agents, a)
	}
	return agents, grants, rows.Err()
}

func loadGrants(ctx context.Context, tx *sql.Tx, practiceID string, now time.Time) ([]grant.Grant, error) {
	rows, err := tx.QueryContext(ctx, liveGrants, practiceID, now)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []grant.Grant
	for rows.Next() {
		g := grant.Grant{PracticeID: practiceID}
		var kinds string
		if err := rows.Scan(&g.ID, &g.GranteeType, &g.GranteeID, &kinds, &g.ValidFrom, &g.ValidUntil, &g.ReviewDueAt); err != nil {
			return nil, err
		}
		var ks []policy.Kind
		_ = json.Unmarshal([]byte(kinds), &ks)
		g.Kinds = ks
		out = append(out, g)
	}
	return out, rows.Err()
}

var locations sync.Map

func location(name string) *time.Location {
	if l, ok := locations.Load(name); ok {
		return l.(*time.Location)
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		l = time.UTC
	}
	locations.Store(name, l)
	return l
}
