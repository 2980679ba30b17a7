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

// Start implements work.Storer: the owner's top workable item, overdue
// first, then by priority, then by due date, passing over the items in
// held. An item whose lease ran out is workable again for the same owner.
func (st *Store) Start(ctx context.Context, ownerID string, now time.Time, held map[string]bool) (work.Started, bool, error) {
	var s work.Started
	found := false
	db := st.db
	err := db.Tx(sqldb.AllPractices(ctx), func(tx *sql.Tx) error {
		found = false
		// Read the candidates without locks, then lock one at a time: a
		// caller holds at most the row it takes, so concurrent callers for
		// the same owner each find the next free item.
		rows, err := tx.QueryContext(ctx, `SELECT id, practice_id, patient_id, kind, version, cadence_step FROM work_items
WHERE owner_id = $1 AND (state = 'assigned' OR (state = 'in_progress' AND lease_until < $2))
ORDER BY CASE WHEN COALESCE(next_contact_at, due_at) < $2 THEN 0 ELSE 1 END, priority DESC, due_at, id
LIMIT $3`, ownerID, now, startCandidates)
		if err != nil {
			return err
		}
		var candidates []work.QueueItem
		for rows.Next() {
			var q work.QueueItem
			if err := rows.Scan(&q.ID, &q.PracticeID, &q.PatientID, &q.Kind, &q.Version, &q.CadenceStep); err != nil {
				rows.Close()
				return err
			}
			candidates = append(candidates, q)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, q := range candidates {
			if held[q.ID] {
				continue
			}
			var version int
			err := tx.QueryRowContext(ctx, `SELECT version FROM work_items WHERE id = $1 AND owner_id = $2
AND (state = 'assigned' OR (state = 'in_progress' AND lease_until < $3))`+db.Dialect.SkipLocked(), q.ID, ownerID, now).Scan(&version)
			if errors.Is(err, sql.ErrNoRows) {
				continue // another call took it, or holds it now
			}
			if err != nil {
				return err
			}
			s = work.Started{ID: q.ID, PracticeID: q.PracticeID, PatientID: q.PatientID, Kind: q.Kind, Version: version + 1, LeaseUntil: now.Add(work.Lease)}
			_, err = tx.ExecContext(ctx, `UPDATE work_items SET state = 'in_progress', lease_until = $2, version = version + 1,
updated_at = $3 WHERE id = $1`, s.ID, s.LeaseUntil, now)
			found = err == nil
			return err
		}
		return nil
	})
	return s, found, sqldb.MapError(err)
}

// startCandidates is how many of the owner's items, in queue order, Start
// considers.
const startCandidates = 50

// RecordOutcome implements work.Storer: the item finishes, or waits until
// its next contact date, when a timer (through the outbox, in the same
// transaction) brings it back. in.Version must be the item's current
// version. ev becomes the outcome's audit event: the item, its patient,
// the channel and outcome codes, never the note.
func (st *Store) RecordOutcome(ctx context.Context, practiceID, itemID, actorID string, in work.OutcomeInput, state work.State, now time.Time, ev audit.Event) (int, error) {
	version := 0
	db := st.db
	err := db.Tx(sqldb.WithPractice(ctx, practiceID), func(tx *sql.Tx) error {
		var owner sql.NullString
		var patientID, current string
		var v int
		q := `SELECT owner_id, patient_id, state, version FROM work_items WHERE id = $1 AND practice_id = $2` + db.Dialect.ForUpdate()
		err := tx.QueryRowContext(ctx, q, itemID, practiceID).Scan(&owner, &patientID, &current, &v)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return work.ErrNoItem
		case err != nil:
			return err
		case owner.String != actorID:
			return work.ErrNotYours
		case v != in.Version:
			return work.ErrStale
		case current == string(work.Resolved) || current == string(work.Closed):
			return work.ErrFinished
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO activities (id, practice_id, work_item_id, patient_id, actor_id, channel,
outcome, note, next_contact_at, promised_cents, paid_cents, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			uuid.Must(uuid.NewV7()).String(), practiceID, itemID, patientID, actorID, string(in.Channel), string(in.Outcome),
			in.Note, nullTime(in.NextContactAt), in.PromisedCents, in.PaidCents, now); err != nil {
			return err
		}
		version = v + 1
		var finished any
		if state == work.Resolved || state == work.Closed {
			finished = now.UTC()
		}
		if _, err := tx.ExecContext(ctx, `UPDATE work_items SET state = $2, next_contact_at = $3, lease_until = NULL,
attempts = attempts + 1, cadence_step = cadence_step + 1, version = $4, updated_at = $5, finished_at = $6 WHERE id = $1`,
			itemID, string(state), nullTime(in.NextContactAt), version, now, finished); err != nil {
			return err
		}
		e := audit.Change(ev, now, audit.ActionWorkOutcome, practiceID, audit.TargetWorkItem, itemID)
		e.WorkItemID, e.PatientIDs, e.Reason = itemID, []string{patientID}, string(in.Channel)+" "+string(in.Outcome)
		if err := st.audit.Append(ctx, tx, []audit.Event{e}); err != nil {
			return err
		}
		if state != work.Waiting {
			return nil
		}
		_, err = outbox.Enqueue(ctx, tx, now, work.DueArgs{WorkItemID: itemID}, *in.NextContactAt)
		return err
	})
	if isDomain(err) {
		return 0, err
	}
	return version, sqldb.MapError(err)
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
	err := st.db.Scoped(sqldb.AllPractices(ctx), func(q sqldb.Querier) error {
		return q.QueryRowContext(ctx, `SELECT practice_id, patient_id, kind FROM work_items WHERE id = $1`, itemID).Scan(&r.PracticeID, &r.PatientID, &r.Kind)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return work.Ref{}, work.ErrNoItem
	}
	return r, sqldb.MapError(err)
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
