package routingstore

import (
	"context"
	"database/sql"
	"slices"
	"time"

	"github.com/backdesk/backdesk/pkg/routing"
	"github.com/backdesk/backdesk/pkg/work"
)

// Due brings a waiting item whose next contact date has come back to its
// owner's queue, or routes it anew when the owner can no longer take it
// (grant gone, skill gone, deactivated, or offline too long). A timer that
// fires early or for an item no longer waiting does nothing.
func (s *Store) Due(ctx context.Context, itemID string) (routing.Result, error) {
	return s.withItem(ctx, itemID, func(tx *sql.Tx, it itemRow, now time.Time, res *routing.Result) error {
		var next sql.NullTime
		if err := tx.QueryRowContext(ctx, `SELECT next_contact_at FROM work_items WHERE id = $1`, itemID).Scan(&next); err != nil {
			return err
		}
		switch {
		case it.State != work.Waiting:
			res.Skipped = "not waiting"
			return nil
		case next.Valid && next.Time.After(now):
			res.Skipped = "not due yet"
			return nil
		}
		keep, err := s.ownerCanKeep(ctx, tx, it, now)
		if err != nil {
			return err
		}
		if keep {
			res.OwnerID = it.OwnerID
			_, err := tx.ExecContext(ctx, `UPDATE work_items SET state = 'assigned', version = version + 1, updated_at = $2 WHERE id = $1`, itemID, now)
			return err
		}
		return s.release(ctx, tx, it, now, res)
	})
}

// release takes an item from its owner and routes it again at once (or
// holds it, when its practice is not active).
func (s *Store) release(ctx context.Context, tx *sql.Tx, it itemRow, now time.Time, res *routing.Result) error {
	if _, err := tx.ExecContext(ctx, `UPDATE work_items SET state = 'open', owner_id = NULL, assigned_at = NULL,
version = version + 1, updated_at = $2 WHERE id = $1`, it.ID, now); err != nil {
		return err
	}
	it.State, it.OwnerID = work.Open, ""
	if it.status != "active" {
		res.Skipped = "practice not active"
		_, err := tx.ExecContext(ctx, `UPDATE work_items SET unassigned_reason = 'practice_inactive', route_after = NULL WHERE id = $1`, it.ID)
		return err
	}
	return s.assign(ctx, tx, it, now, res)
}

// standing reports whether the item's owner is still eligible for it (an
// active agent a live grant covers, with the skill) and whether it has been
// offline too long. The practice's status is the caller's to check.
func (s *Store) standing(ctx context.Context, tx *sql.Tx, it itemRow, now time.Time) (eligible, offline bool, err error) {
	if it.OwnerID == "" {
		return false, false, nil
	}
	agents, grants, err := s.pool(ctx, tx, it.PracticeID)
	if err != nil {
		return false, false, err
	}
	i := slices.IndexFunc(agents, func(a routing.Agent) bool { return a.UserID == it.OwnerID })
	if i < 0 || !routing.Eligible(agents[i], it.item(), grants, now) {
		return false, false, nil // no live grant covers the owner any more, it lost the skill, or it was deactivated
	}
	offline, err = s.offlineTooLong(ctx, tx, it.OwnerID, now)
	return true, offline, err
}

// ownerCanKeep reports whether the item's owner may still own it.
func (s *Store) ownerCanKeep(ctx context.Context, tx *sql.Tx, it itemRow, now time.Time) (bool, error) {
	if it.status != "active" {
		return false, nil
	}
	eligible, offline, err := s.standing(ctx, tx, it, now)
	return eligible && !offline, err
}

func (s *Store) offlineTooLong(ctx context.Context, tx *sql.Tx, userID string, now time.Time) (bool, error) {
	var presence string
	var at sql.NullTime
	if err := tx.QueryRowContext(ctx, `SELECT presence, presence_at FROM agents WHERE user_id = $1`, userID).Scan(&presence, &at); err != nil {
		return false, err
	}
	return presence == string(routing.Offline) && (!at.Valid || now.Sub(at.Time) > s.cfg.OfflineAfter), nil
}
