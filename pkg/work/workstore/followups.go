package workstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/outbox"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/google/uuid"
)

const (
	findFollowup = `SELECT id, patient_id, state, owner_id FROM work_items WHERE subject_type = $1 AND subject_id = $2
AND kind = $3 AND state NOT IN ('resolved', 'closed')`
	patientFollowup = `SELECT id, patient_id, state, owner_id FROM work_items WHERE patient_id = $1 AND kind = $2
AND state NOT IN ('resolved', 'closed') ORDER BY created_at LIMIT 1`
	resolveItem = `UPDATE work_items SET state = 'resolved', finished_at = $2, lease_until = NULL, next_contact_at = NULL,
stage = '', stage_reason = '', route_after = NULL, version = version + 1, updated_at = $2 WHERE id = $1`
	setStage   = `UPDATE work_items SET stage = $2, stage_reason = $3, updated_at = $4 WHERE id = $1`
	recallItem = `UPDATE work_items SET state = $2, next_contact_at = NULL, version = version + 1, updated_at = $3 WHERE id = $1`
	awaitItem  = `UPDATE work_items SET stage = $2, stage_reason = $3, state = 'waiting', next_contact_at = $4,
version = version + 1, updated_at = $5 WHERE id = $1 AND state IN ('open', 'assigned', 'waiting')`
	addHistory = `INSERT INTO activities (id, practice_id, work_item_id, patient_id, actor_id, channel, outcome, note, at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`
)

func (s *Store) followup(row *sql.Row) (work.Followup, bool, error) {
	var f work.Followup
	var state string
	var owner sql.NullString
	err := row.Scan(&f.ID, &f.PatientID, &state, &owner)
	if errors.Is(err, sql.ErrNoRows) {
		return work.Followup{}, false, nil
	}
	f.State, f.Owned = work.State(state), owner.Valid
	return f, err == nil, err
}

// FindFollowup implements work.FollowupStore.
func (s *Store) FindFollowup(ctx context.Context, tx *sql.Tx, kind policy.Kind, subject work.SubjectType, subjectID string) (work.Followup, bool, error) {
	return s.followup(tx.QueryRowContext(ctx, findFollowup, string(subject), subjectID, string(kind)))
}

// PatientFollowup implements work.FollowupStore.
func (s *Store) PatientFollowup(ctx context.Context, tx *sql.Tx, patientID string, kind policy.Kind) (work.Followup, bool, error) {
	return s.followup(tx.QueryRowContext(ctx, patientFollowup, patientID, string(kind)))
}

// Resolve implements work.FollowupStore.
func (s *Store) Resolve(ctx context.Context, tx *sql.Tx, itemID string, now time.Time) error {
	_, err := tx.ExecContext(ctx, resolveItem, itemID, now.UTC())
	return err
}

// SetStage implements work.FollowupStore.
func (s *Store) SetStage(ctx context.Context, tx *sql.Tx, itemID, stage, reason string, now time.Time) error {
	_, err := tx.ExecContext(ctx, setStage, itemID, stage, reason, now.UTC())
	return err
}

// Recall implements work.FollowupStore; an item nobody owns is routed,
// through the outbox in tx.
func (s *Store) Recall(ctx context.Context, tx *sql.Tx, f work.Followup, kind policy.Kind, now time.Time) error {
	next := work.Assigned
	if !f.Owned {
		next = work.Open
	}
	if _, err := tx.ExecContext(ctx, recallItem, f.ID, string(next), now.UTC()); err != nil {
		return err
	}
	if next != work.Open {
		return nil
	}
	_, err := outbox.Enqueue(ctx, tx, now, work.RouteArgs{WorkItemID: f.ID, ItemKind: kind}, time.Time{})
	return err
}

// Await implements work.FollowupStore; the timer goes through the outbox
// in tx. An item in progress only takes the stage.
func (s *Store) Await(ctx context.Context, tx *sql.Tx, f work.Followup, stage, reason string, until, now time.Time) error {
	res, err := tx.ExecContext(ctx, awaitItem, f.ID, stage, reason, until.UTC(), now.UTC())
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err != nil {
			return err
		}
		return s.SetStage(ctx, tx, f.ID, stage, reason, now)
	}
	_, err = outbox.Enqueue(ctx, tx, now, work.DueArgs{WorkItemID: f.ID}, until)
	return err
}

// AddHistory implements work.FollowupStore.
func (s *Store) AddHistory(ctx context.Context, tx *sql.Tx, practiceID, itemID, patientID string, a work.Activity) error {
	_, err := tx.ExecContext(ctx, addHistory, uuid.Must(uuid.NewV7()).String(), practiceID, itemID, patientID, a.ActorID,
		a.Channel, a.Outcome, a.Note, a.At.UTC())
	return err
}
