package payerstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/backdesk/backdesk/pkg/payer"
	"github.com/backdesk/backdesk/pkg/platform/outbox"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/work"
)

// The follow-up work a remittance changes, many items a statement. Each
// statement is the set-wise form of one workstore writes for one item
// (FindFollowup, PatientFollowup, SetStage, Recall, Resolve, AddHistory)
// and must say the same.
const (
	// itemsOf finds, for each subject or patient of v, its oldest
	// unfinished item of a kind (firstItem, with followupOf or
	// patientFollowupOf): a subject has one at most; a patient's oldest
	// is the one a share is noted on.
	itemsOf           = `SELECT v.id, w.id, w.patient_id, w.state, w.owner_id FROM v %s ORDER BY v.id, w.created_at, w.id`
	followupOf        = `w.subject_id = v.id AND w.subject_type = %s AND w.kind = %s AND w.state NOT IN ('resolved', 'closed')`
	patientFollowupOf = `w.patient_id = v.id AND w.kind = %s AND w.state NOT IN ('resolved', 'closed')`
	setStages         = `UPDATE work_items SET stage = v.stage, stage_reason = v.reason, updated_at = %s FROM v WHERE work_items.id = v.id`
	recallItems       = `UPDATE work_items SET state = %s, next_contact_at = NULL, version = version + 1, updated_at = %s WHERE %s`
	resolvedItems     = `UPDATE work_items SET state = 'resolved', finished_at = %s, lease_until = NULL, next_contact_at = NULL,
stage = '', stage_reason = '', route_after = NULL, version = version + 1, updated_at = %s WHERE %s`
	addActivities = `INSERT INTO activities (id, practice_id, work_item_id, patient_id, actor_id, channel, outcome, note, at) `
)

// firstItem joins each row of v to the work items w that cond picks for
// it, looking each row up through an index on its own; the lookups keep
// the oldest. Left to the planners, a join of a few hundred rows may
// scan the table for every row instead: PostgreSQL may keep, cached with
// its statement, a plan made while the table was small, and SQLite puts
// the table in the outer loop. So on PostgreSQL it is a lateral join to
// the oldest alone, and on SQLite (which has no LATERAL) a CROSS JOIN,
// which SQLite takes to name the outer loop first.
func firstItem(d sqldb.Dialect, cond string) string {
	if d == sqldb.Postgres {
		return "CROSS JOIN LATERAL (SELECT * FROM work_items w WHERE " + cond + " ORDER BY w.created_at, w.id LIMIT 1) w"
	}
	return "CROSS JOIN work_items w WHERE " + cond
}

// Followups implements payer.Store: one query per batchRows subjects.
func (s *Store) Followups(ctx context.Context, tx *sql.Tx, kind policy.Kind, subject work.SubjectType, subjectIDs []string) (map[string]work.Followup, error) {
	out, err := s.oldestItems(ctx, tx, subjectIDs, followupOf, string(subject), string(kind))
	if err != nil {
		return nil, fmt.Errorf("look up follow-ups: %w", err)
	}
	return out, nil
}

// PatientFollowups implements payer.Store: one query per batchRows
// patients.
func (s *Store) PatientFollowups(ctx context.Context, tx *sql.Tx, kind policy.Kind, patientIDs []string) (map[string]work.Followup, error) {
	out, err := s.oldestItems(ctx, tx, patientIDs, patientFollowupOf, string(kind))
	if err != nil {
		return nil, fmt.Errorf("look up patients' follow-ups: %w", err)
	}
	return out, nil
}

// oldestItems looks keys up with cond and its parameters, extra, and
// keeps the first item found for each key.
func (s *Store) oldestItems(ctx context.Context, tx *sql.Tx, keys []string, cond string, extra ...any) (map[string]work.Followup, error) {
	d := s.db.Dialect
	out := make(map[string]work.Followup, len(keys))
	err := chunks(keys, func(part []string) error {
		q, args, err := withRows(d, "id", 1, anys(part), fmt.Sprintf(itemsOf, firstItem(d, cond)), extra...)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return sqldb.MapError(err)
		}
		defer rows.Close()
		for rows.Next() {
			var key, state string
			var f work.Followup
			var owner sql.NullString
			if err := rows.Scan(&key, &f.ID, &f.PatientID, &state, &owner); err != nil {
				return err
			}
			f.State, f.Owned = work.State(state), owner.Valid
			if _, ok := out[key]; !ok {
				out[key] = f
			}
		}
		return sqldb.MapError(rows.Err())
	})
	return out, err
}

// ChangeFollowups implements payer.Store: a statement per kind of change
// and batchRows items, and one for the routing of the recalled items
// nobody owns.
func (s *Store) ChangeFollowups(ctx context.Context, tx *sql.Tx, practiceID string, ch payer.FollowupChanges, now time.Time) error {
	now = now.UTC()
	if err := s.setStages(ctx, tx, ch.Stages, now); err != nil {
		return err
	}
	if err := s.recall(ctx, tx, ch.Recalls, now); err != nil {
		return err
	}
	err := chunks(ch.Resolved, func(ids []string) error {
		in, args := s.db.Dialect.In("id", 3, ids)
		_, err := tx.ExecContext(ctx, fmt.Sprintf(resolvedItems, s.db.Dialect.Param(1), s.db.Dialect.Param(2), in), append([]any{now, now}, args...)...)
		return err
	})
	if err != nil {
		return fmt.Errorf("resolve follow-ups: %w", sqldb.MapError(err))
	}
	return s.addActivities(ctx, tx, practiceID, ch.Notes, now)
}

func (s *Store) setStages(ctx context.Context, tx *sql.Tx, stages []payer.StageChange, now time.Time) error {
	for start := 0; start < len(stages); start += batchRows {
		part := stages[start:min(start+batchRows, len(stages))]
		args := make([]any, 0, len(part)*3)
		for _, st := range part {
			args = append(args, st.ItemID, string(st.Stage), st.Reason)
		}
		q, qargs, err := withRows(s.db.Dialect, "id, stage, reason", 3, args, setStages, now)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, q, qargs...); err != nil {
			return fmt.Errorf("set follow-ups' stages: %w", sqldb.MapError(err))
		}
	}
	return nil
}

// recall brings waiting items back: an owned one to its owner's queue,
// one nobody owns to routing, through the outbox in tx.
func (s *Store) recall(ctx context.Context, tx *sql.Tx, rs []payer.Recall, now time.Time) error {
	var owned, unowned []string
	var routes []outbox.Message
	for _, r := range rs {
		if r.Owned {
			owned = append(owned, r.ID)
			continue
		}
		unowned = append(unowned, r.ID)
		m, err := outbox.New(work.RouteArgs{WorkItemID: r.ID, ItemKind: r.Kind}, time.Time{})
		if err != nil {
			return err
		}
		routes = append(routes, m)
	}
	d := s.db.Dialect
	for _, to := range []struct {
		state work.State
		ids   []string
	}{{work.Assigned, owned}, {work.Open, unowned}} {
		err := chunks(to.ids, func(ids []string) error {
			in, args := d.In("id", 3, ids)
			_, err := tx.ExecContext(ctx, fmt.Sprintf(recallItems, d.Param(1), d.Param(2), in), append([]any{string(to.state), now}, args...)...)
			return err
		})
		if err != nil {
			return fmt.Errorf("recall follow-ups: %w", sqldb.MapError(err))
		}
	}
	if len(routes) == 0 {
		return nil
	}
	_, err := outbox.AddBatch(ctx, tx, d, now, routes)
	return err
}

func (s *Store) addActivities(ctx context.Context, tx *sql.Tx, practiceID string, notes []payer.Activity, now time.Time) error {
	for start := 0; start < len(notes); start += batchRows {
		part := notes[start:min(start+batchRows, len(notes))]
		args := make([]any, 0, len(part)*9)
		for _, n := range part {
			args = append(args, newID(), practiceID, n.ItemID, n.PatientID, payer.Actor, string(work.ByPayer), string(n.Outcome), n.Note, now)
		}
		q, qargs, err := s.db.Dialect.InsertRows(addActivities, 9, args, "")
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, q, qargs...); err != nil {
			return fmt.Errorf("write follow-ups' history: %w", sqldb.MapError(err))
		}
	}
	return nil
}
