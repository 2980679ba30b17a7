package workstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/work"
)

// Queue implements work.Storer; the filter's kind and practice narrow it
// when set.
func (s *Store) Queue(ctx context.Context, ownerID string, f work.QueueFilter, now time.Time, limit int) ([]work.QueueItem, error) {
	var out []work.QueueItem
	err := s.db.Scoped(sqldb.AllPractices(ctx), func(q sqldb.Querier) error {
		out = out[:0]
		rows, err := q.QueryContext(ctx, `SELECT id, practice_id, patient_id, kind, state, priority, priority_reasons, due_at,
next_contact_at, version, cadence_step, stage,
COALESCE((SELECT a.channel FROM activities a WHERE a.work_item_id = work_items.id ORDER BY a.at DESC, a.id DESC LIMIT 1), '') = 'payer'
FROM work_items
WHERE owner_id = $1 AND state IN ('assigned', 'in_progress', 'waiting') AND ($2 = '' OR kind = $2) AND ($3 = '' OR practice_id = $3)
ORDER BY CASE WHEN COALESCE(next_contact_at, due_at) < $4 THEN 0 ELSE 1 END, priority DESC, due_at, id LIMIT $5`,
			ownerID, string(f.Kind), f.PracticeID, now, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var q work.QueueItem
			var next sql.NullTime
			if err := rows.Scan(&q.ID, &q.PracticeID, &q.PatientID, &q.Kind, &q.State, &q.Priority, &q.Reasons, &q.DueAt, &next, &q.Version, &q.CadenceStep, &q.Stage, &q.PayerNews); err != nil {
				return err
			}
			q.DueAt = q.DueAt.UTC()
			at := q.DueAt
			if next.Valid {
				t := next.Time.UTC()
				q.NextContactAt, at = &t, t
			}
			q.Overdue = at.Before(now)
			out = append(out, q)
		}
		return rows.Err()
	})
	return out, sqldb.MapError(err)
}

// Detail implements work.Storer, within the item's practice.
func (s *Store) Detail(ctx context.Context, practiceID, itemID string) (work.Detail, error) {
	var it work.Detail
	err := s.db.Scoped(sqldb.WithPractice(ctx, practiceID), func(q sqldb.Querier) error {
		var owner sql.NullString
		var next sql.NullTime
		if err := q.QueryRowContext(ctx, `SELECT id, practice_id, patient_id, kind, state, priority, priority_reasons, due_at,
next_contact_at, version, attempts, cadence_step, owner_id, subject_type, subject_id, stage, stage_reason FROM work_items
WHERE id = $1 AND practice_id = $2`, itemID, practiceID).Scan(
			&it.ID, &it.PracticeID, &it.PatientID, &it.Kind, &it.State, &it.Priority, &it.Reasons, &it.DueAt, &next, &it.Version,
			&it.Attempts, &it.CadenceStep, &owner, &it.SubjectType, &it.SubjectID, &it.Stage, &it.StageReason); err != nil {
			return err
		}
		if next.Valid {
			t := next.Time.UTC()
			it.NextContactAt = &t
		}
		if it.SubjectType == string(work.SubjectClaim) {
			err := q.QueryRowContext(ctx, `SELECT external_id FROM claims WHERE id = $1 AND practice_id = $2`,
				it.SubjectID, practiceID).Scan(&it.SubjectNumber)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		rows, err := q.QueryContext(ctx, `SELECT id, actor_id, channel, outcome, note, next_contact_at, promised_cents, paid_cents, at
FROM activities WHERE work_item_id = $1 ORDER BY at, id`, itemID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var a work.Activity
			var n sql.NullTime
			if err := rows.Scan(&a.ID, &a.ActorID, &a.Channel, &a.Outcome, &a.Note, &n, &a.PromisedCents, &a.PaidCents, &a.At); err != nil {
				rows.Close()
				return err
			}
			if n.Valid {
				t := n.Time.UTC()
				a.NextContactAt = &t
			}
			a.At = a.At.UTC()
			it.History = append(it.History, a)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = q.QueryContext(ctx, `SELECT id, kind, state, priority, due_at, version FROM work_items
WHERE patient_id = $1 AND id <> $2 AND owner_id = $3 AND state IN ('assigned', 'in_progress', 'waiting') ORDER BY priority DESC, id`,
			it.PatientID, itemID, owner.String)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			o := work.QueueItem{PracticeID: practiceID, PatientID: it.PatientID}
			if err := rows.Scan(&o.ID, &o.Kind, &o.State, &o.Priority, &o.DueAt, &o.Version); err != nil {
				return err
			}
			it.Others = append(it.Others, o)
		}
		return rows.Err()
	})
	if errors.Is(err, sql.ErrNoRows) {
		return work.Detail{}, work.ErrNoItem
	}
	return it, sqldb.MapError(err)
}
