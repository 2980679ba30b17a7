package routingstore

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/routing"
	"github.com/google/uuid"
)

var (
	errNotOwner = &apperr.Error{Kind: apperr.KindForbidden, Code: "not_your_item", Message: "this item is owned by someone else"}
	errStale    = apperr.Conflict("stale_version", "the item changed since you read it; reload it and try again", nil)
)

// checkOwner refuses a change by anyone but the item's owner, or against
// a version that is not the item's.
func (s *Store) checkOwner(ctx context.Context, tx *sql.Tx, it itemRow, by string, version int) error {
	var v int
	if err := tx.QueryRowContext(ctx, `SELECT version FROM work_items WHERE id = $1`, it.ID).Scan(&v); err != nil {
		return err
	}
	switch {
	case it.OwnerID != by:
		return errNotOwner
	case v != version:
		return errStale
	case it.State != "assigned" && it.State != "in_progress" && it.State != "waiting":
		return apperr.Conflict("finished", "the item is finished already", nil)
	}
	return nil
}

func note(ctx context.Context, tx *sql.Tx, it itemRow, by, outcome, text string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO activities (id, practice_id, work_item_id, patient_id, actor_id, channel, outcome, note, at)
VALUES ($1, $2, $3, $4, $5, 'note', $6, $7, $8)`, uuid.Must(uuid.NewV7()).String(), it.PracticeID, it.ID, it.PatientID, by, outcome,
		strings.TrimSpace(text), now)
	return err
}

// record appends the audit event of an owner's change to the item, in
// the change's transaction: the item, its practice and patient, the new
// owner if any, and a code; the note's text stays in the history only.
func (s *Store) record(ctx context.Context, tx *sql.Tx, ev audit.Event, action audit.Action, it itemRow, now time.Time, owner, reason string) error {
	e := audit.Change(ev, now, action, it.PracticeID, audit.TargetWorkItem, it.ID)
	e.WorkItemID, e.PatientIDs, e.UserID, e.Reason = it.ID, []string{it.PatientID}, owner, reason
	return s.audit.Append(ctx, tx, []audit.Event{e})
}

// Handoff gives the item to another agent, who must be active, covered by
// a live grant of the practice for the kind, skilled for it and under
// capacity. The hand-off and its note go into the item's history, and ev
// (who asks) becomes its audit event.
func (s *Store) Handoff(ctx context.Context, itemID, by, to string, version int, text string, ev audit.Event) (routing.Result, error) {
	return s.withItem(ctx, itemID, func(tx *sql.Tx, it itemRow, now time.Time, res *routing.Result) error {
		if err := s.checkOwner(ctx, tx, it, by, version); err != nil {
			return err
		}
		agents, grants, err := s.pool(ctx, tx, it.PracticeID)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(agents, func(a routing.Agent) bool { return a.UserID == to })
		if i < 0 || !routing.Eligible(agents[i], it.item(), grants, now) {
			return apperr.Invalid("to", "not_eligible", "that agent is not covered by this practice's grants for this work, or lacks the skill")
		}
		open, capacity, err := s.lockAgent(ctx, tx, to)
		if err != nil {
			return err
		}
		if open >= capacity {
			return apperr.Invalid("to", "at_capacity", "that agent's queue is full")
		}
		res.OwnerID = to
		if err := giveTo(ctx, tx, it, by, to, text, now); err != nil {
			return err
		}
		return s.record(ctx, tx, ev, audit.ActionWorkHandoff, it, now, to, "to_agent")
	})
}

// giveTo records the hand-off in the item's history and makes to its
// owner; a waiting item keeps waiting for its date.
func giveTo(ctx context.Context, tx *sql.Tx, it itemRow, by, to, text string, now time.Time) error {
	if err := note(ctx, tx, it, by, "handed_off", text, now); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE work_items SET owner_id = $2, state = CASE WHEN state = 'waiting' THEN 'waiting' ELSE 'assigned' END,
lease_until = NULL, assigned_at = $3, version = version + 1, updated_at = $3 WHERE id = $1`, it.ID, to, now)
	return err
}

// Release gives the item back for routing to someone else; the release
// and its note go into the item's history, and ev (who asks) becomes its
// audit event, naming the new owner when routing found one at once.
func (s *Store) Release(ctx context.Context, itemID, by string, version int, text string, ev audit.Event) (routing.Result, error) {
	return s.withItem(ctx, itemID, func(tx *sql.Tx, it itemRow, now time.Time, res *routing.Result) error {
		if err := s.checkOwner(ctx, tx, it, by, version); err != nil {
			return err
		}
		if err := note(ctx, tx, it, by, "released", text, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE work_items SET state = 'open', owner_id = NULL, assigned_at = NULL, lease_until = NULL,
version = version + 1, updated_at = $2 WHERE id = $1`, it.ID, now); err != nil {
			return err
		}
		it.State, it.OwnerID = "open", ""
		if it.status == "active" {
			if err := s.assign(ctx, tx, it, now, res, by); err != nil {
				return err
			}
		}
		return s.record(ctx, tx, ev, audit.ActionWorkRelease, it, now, res.OwnerID, "released")
	})
}

// AddNote appends a free note to the item's history. Notes change nothing
// else, so they never make anyone's version stale. ev (who asks) becomes
// the note's audit event, which records that a note was written, not what
// it says. A key (the request's Idempotency-Key) makes a retry of the same
// note by the same author a no-op: the item's lock orders the two, and the
// second finds the first.
func (s *Store) AddNote(ctx context.Context, itemID, by, text, key string, ev audit.Event) (routing.Result, error) {
	if strings.TrimSpace(text) == "" {
		return routing.Result{}, apperr.Invalid("note", "required", "write the note")
	}
	return s.withItem(ctx, itemID, func(tx *sql.Tx, it itemRow, now time.Time, res *routing.Result) error {
		if it.OwnerID != by {
			return errNotOwner
		}
		if key != "" {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM activities WHERE work_item_id = $1 AND actor_id = $2 AND request_key = $3`,
				it.ID, by, key).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO activities (id, practice_id, work_item_id, patient_id, actor_id, channel, outcome, note, at, request_key)
VALUES ($1, $2, $3, $4, $5, 'note', 'note', $6, $7, $8)`, uuid.Must(uuid.NewV7()).String(), it.PracticeID, it.ID, it.PatientID, by,
			strings.TrimSpace(text), now, sql.NullString{String: key, Valid: key != ""}); err != nil {
			return err
		}
		return s.record(ctx, tx, ev, audit.ActionWorkNote, it, now, "", "")
	})
}

// HandoffToTeam gives the item to whichever member of the team routing
// would pick (eligible, under capacity, least loaded), other than the
// giver. When no member can take it the item stays with its owner and
// the refusal says why. ev (who asks) becomes the hand-off's audit event.
func (s *Store) HandoffToTeam(ctx context.Context, itemID, by, teamID string, version int, text string, ev audit.Event) (routing.Result, error) {
	return s.withItem(ctx, itemID, func(tx *sql.Tx, it itemRow, now time.Time, res *routing.Result) error {
		if err := s.checkOwner(ctx, tx, it, by, version); err != nil {
			return err
		}
		agents, grants, err := s.pool(ctx, tx, it.PracticeID)
		if err != nil {
			return err
		}
		members, err := teamMembers(ctx, tx, teamID)
		if err != nil {
			return err
		}
		if members == nil {
			return apperr.Invalid("team", "unknown_team", "there is no team %q, or it has no members", teamID)
		}
		agents = slices.DeleteFunc(agents, func(a routing.Agent) bool { return a.UserID == by || !members[a.UserID] })
		owners, err := patientOwners(ctx, tx, it.PatientID)
		if err != nil {
			return err
		}
		for {
			who, why := routing.Pick(it.item(), routing.Facts{Agents: agents, Grants: grants, PatientOwners: owners}, now)
			if who == "" {
				return apperr.Invalid("team", "no_member_available", "no other member of that team can take this item now (%s)", why)
			}
			open, capacity, err := s.lockAgent(ctx, tx, who)
			if err != nil {
				return err
			}
			if open >= capacity {
				agents[slices.IndexFunc(agents, func(a routing.Agent) bool { return a.UserID == who })].Open = capacity
				continue
			}
			res.OwnerID = who
			if err := giveTo(ctx, tx, it, by, who, text, now); err != nil {
				return err
			}
			return s.record(ctx, tx, ev, audit.ActionWorkHandoff, it, now, who, "to_team")
		}
	})
}

func teamMembers(ctx context.Context, tx *sql.Tx, teamID string) (map[string]bool, error) {
	rows, err := tx.QueryContext(ctx, `SELECT user_id FROM team_members WHERE team_id = $1`, teamID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out map[string]bool
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		if out == nil {
			out = map[string]bool{}
		}
		out[id] = true
	}
	return out, rows.Err()
}
