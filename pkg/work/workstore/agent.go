package workstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/outbox"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/google/uuid"
)

// Start implements work.Storer: the first of candidates, in their order,
// that is still the owner's and startable (assigned, or in progress with
// its lease run out) starts, in one statement per candidate tried. The
// update re-checks that under the row's lock, so of two calls at once only
// one starts an item; the other moves on to its next candidate.
func (st *Store) Start(ctx context.Context, ownerID string, now time.Time, candidates []work.QueueItem) (work.Started, bool, error) {
	var s work.Started
	found := false
	until := now.Add(work.Lease)
	err := st.db.Write(sqldb.AllPractices(ctx), func(w *sqldb.Writer) error {
		found = false
		for _, q := range candidates {
			var version int
			ok, err := w.One(ctx, `UPDATE work_items SET state = 'in_progress', lease_until = $3, version = version + 1, updated_at = $4
WHERE id = $1 AND owner_id = $2 AND (state = 'assigned' OR (state = 'in_progress' AND lease_until < $4))
RETURNING version`, []any{q.ID, ownerID, until, now}, &version)
			if err != nil {
				return err
			}
			if !ok {
				continue // another call took it, or it changed since the queue was read
			}
			s = work.Started{ID: q.ID, PracticeID: q.PracticeID, PatientID: q.PatientID, Kind: q.Kind, Version: version, LeaseUntil: until}
			found = true
			return nil
		}
		return nil
	})
	return s, found, sqldb.MapError(err)
}

// RecordOutcome implements work.Storer: the item finishes, or waits until
// its next contact date, when a timer (through the outbox, in the same
// transaction) brings it back. in.Version must be the item's current
// version. ev becomes the outcome's audit event: the item, its patient,
// the channel and outcome codes, never the note.
func (st *Store) RecordOutcome(ctx context.Context, practiceID, itemID, actorID string, in work.OutcomeInput, state work.State, now time.Time, ev audit.Event) (int, error) {
	version := 0
	db := st.db
	ctx = sqldb.WithPractice(ctx, practiceID)
	err := db.Write(ctx, func(w *sqldb.Writer) error {
		var finished any
		if state == work.Resolved || state == work.Closed {
			finished = now.UTC()
		}
		// The checks are the update's condition, so a refused outcome
		// costs one statement more (refusal) and an accepted one none.
		// The update's answer is the only one waited for: the activity,
		// the audit event and the timer travel with the commit.
		var patientID string
		ok, err := w.One(ctx, `UPDATE work_items SET state = $5, next_contact_at = $6, lease_until = NULL,
attempts = attempts + 1, cadence_step = cadence_step + 1, version = version + 1, updated_at = $7, finished_at = $8, replied_at = NULL
WHERE id = $1 AND practice_id = $2 AND owner_id = $3 AND version = $4 AND state NOT IN ('resolved', 'closed')
RETURNING patient_id, version`, []any{itemID, practiceID, actorID, in.Version, string(state), nullTime(in.NextContactAt), now, finished}, &patientID, &version)
		if err != nil {
			return err
		}
		if !ok {
			return refusal(ctx, w, practiceID, itemID, actorID, in.Version)
		}
		activityID := uuid.Must(uuid.NewV7()).String()
		w.Later(`INSERT INTO activities (id, practice_id, work_item_id, patient_id, actor_id, channel,
outcome, note, next_contact_at, promised_cents, paid_cents, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			activityID, practiceID, itemID, patientID, actorID, string(in.Channel), string(in.Outcome),
			in.Note, nullTime(in.NextContactAt), in.PromisedCents, in.PaidCents, now)
		e := audit.Change(ev, now, audit.ActionWorkOutcome, practiceID, audit.TargetWorkItem, itemID)
		e.WorkItemID, e.PatientIDs, e.Reason = itemID, []string{patientID}, string(in.Channel)+" "+string(in.Outcome)
		if err := st.audit.Append(ctx, w, []audit.Event{e}); err != nil {
			return err
		}
		if in.Alongside != nil {
			if err := in.Alongside(ctx, w, patientID, activityID, now); err != nil {
				return err
			}
		}
		if state != work.Waiting {
			return nil
		}
		_, err = outbox.Enqueue(ctx, w, now, work.DueArgs{WorkItemID: itemID}, *in.NextContactAt)
		return err
	})
	if isDomain(err) {
		return 0, err
	}
	return version, sqldb.MapError(err)
}

// refusal says why an outcome's update found no row: the item is not
// in the practice, is someone else's, was changed since the agent read
// it, or is finished, checked in that order.
func refusal(ctx context.Context, q sqldb.Querier, practiceID, itemID, actorID string, version int) error {
	var owner sql.NullString
	var current string
	var v int
	err := q.QueryRowContext(ctx, `SELECT owner_id, state, version FROM work_items WHERE id = $1 AND practice_id = $2`,
		itemID, practiceID).Scan(&owner, &current, &v)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return work.ErrNoItem
	case err != nil:
		return err
	case owner.String != actorID:
		return work.ErrNotYours
	case current == string(work.Resolved) || current == string(work.Closed):
		if v != version {
			return work.ErrStale
		}
		return work.ErrFinished
	default:
		return work.ErrStale
	}
}

func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}

// isDomain reports the work domain's own refusals, which pass unmapped.
func isDomain(err error) bool {
	for _, e := range []error{work.ErrNotYours, work.ErrStale, work.ErrNoItem, work.ErrFinished, work.ErrNotStarted} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// Locate implements work.Storer, across practices so a route can decide
// before it reads anything else.
func (st *Store) Locate(ctx context.Context, itemID string) (work.Ref, error) {
	var r work.Ref
	err := st.db.ReadAll(sqldb.AllPractices(ctx), sqldb.Read{Query: `SELECT practice_id, patient_id, kind FROM work_items WHERE id = $1`,
		Args: []any{itemID}, Row: func(row sqldb.Scanner) error { return row.Scan(&r.PracticeID, &r.PatientID, &r.Kind) }})
	if err != nil {
		return work.Ref{}, err
	}
	if r.PracticeID == "" {
		return work.Ref{}, work.ErrNoItem
	}
	return r, nil
}

// Heartbeat implements work.Storer. An item that is not in progress with
// this owner cannot be extended.
func (st *Store) Heartbeat(ctx context.Context, practiceID, itemID, ownerID string, until, now time.Time) error {
	db := st.db
	err := db.Tx(sqldb.WithPractice(ctx, practiceID), func(tx *sql.Tx) error {
		var owner sql.NullString
		var state string
		err := tx.QueryRowContext(ctx, `SELECT owner_id, state FROM work_items WHERE id = $1 AND practice_id = $2`, itemID, practiceID).Scan(&owner, &state)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return work.ErrNoItem
		case err != nil:
			return err
		case owner.String != ownerID:
			return work.ErrNotYours
		case state != "in_progress":
			return work.ErrNotStarted
		}
		_, err = tx.ExecContext(ctx, `UPDATE work_items SET lease_until = $2, updated_at = $3 WHERE id = $1`, itemID, until, now.UTC())
		return err
	})
	if isDomain(err) {
		return err
	}
	return sqldb.MapError(err)
}
