package grantstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/grant"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
)

const requestColumns = `SELECT id, practice_id, team_id, kinds, field_groups, days, reason, requested_by, requested_at,
state, decided_by, decided_at, decision_note, grant_id FROM access_requests`

func scanRequests(rows *sql.Rows) ([]grant.Request, error) {
	defer rows.Close()
	var out []grant.Request
	for rows.Next() {
		var r grant.Request
		var kinds, groups string
		var decidedBy, grantID sql.NullString
		var decided sql.NullTime
		if err := rows.Scan(&r.ID, &r.PracticeID, &r.TeamID, &kinds, &groups, &r.Scope.Days, &r.Scope.Reason,
			&r.RequestedBy, &r.RequestedAt, &r.State, &decidedBy, &decided, &r.DecisionNote, &grantID); err != nil {
			return nil, err
		}
		if err := decode(kinds, &r.Scope.Kinds); err != nil {
			return nil, err
		}
		if err := decode(groups, &r.Scope.FieldGroups); err != nil {
			return nil, err
		}
		r.DecidedBy, r.GrantID, r.DecidedAt, r.RequestedAt = decidedBy.String, grantID.String, timePtr(decided), r.RequestedAt.UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// CreateRequest stores r with its audit event.
func (s *Store) CreateRequest(ctx context.Context, r grant.Request, ev audit.Event) error {
	err := s.within(ctx, r.PracticeID, ev, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO access_requests (id, practice_id, team_id, kinds, field_groups, days,
reason, requested_by, requested_at, state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending')`,
			r.ID, r.PracticeID, r.TeamID, encode(r.Scope.Kinds), encode(r.Scope.FieldGroups), r.Scope.Days, r.Scope.Reason,
			r.RequestedBy, r.RequestedAt)
		return err
	})
	return sqldb.MapError(err)
}

// Request returns one access request.
func (s *Store) Request(ctx context.Context, id string) (grant.Request, error) {
	return byID(ctx, s, requestColumns+` WHERE id = $1`, id, "access request", scanRequests)
}

// Requests lists a practice's requests in state ("" for every state), newest first.
func (s *Store) Requests(ctx context.Context, practiceID string, state grant.RequestState) ([]grant.Request, error) {
	return list(ctx, s, practiceID, scanRequests, requestColumns+` WHERE practice_id = $1 AND ($2 = '' OR state = $2)
ORDER BY requested_at DESC, id DESC`, practiceID, string(state))
}

var errDecided = apperr.Conflict("already_decided", "the request was decided already", nil)

// DecideRequest records r's decision if it is still pending, with g.
func (s *Store) DecideRequest(ctx context.Context, r grant.Request, g *grant.Grant, ev audit.Event) error {
	err := s.within(ctx, r.PracticeID, ev, func(tx *sql.Tx) error {
		if g != nil {
			if err := insertGrantTx(ctx, tx, *g); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, `UPDATE access_requests SET state = $2, decided_by = $3, decided_at = $4,
decision_note = $5, grant_id = $6 WHERE id = $1 AND state = 'pending'`,
			r.ID, string(r.State), r.DecidedBy, nullTime(r.DecidedAt), r.DecisionNote, nullable(r.GrantID))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errDecided
		}
		return nil
	})
	if errors.Is(err, errDecided) {
		return errDecided
	}
	return sqldb.MapError(err)
}
