package workstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/work"
)

// Queue implements work.Storer; the filter's kind and practice narrow it
// when set.
func (s *Store) Queue(ctx context.Context, ownerID string, f work.QueueFilter, now time.Time, limit int) ([]work.QueueItem, error) {
	var out []work.QueueItem
	err := s.db.ReadAll(sqldb.AllPractices(ctx), sqldb.Read{Query: `SELECT id, practice_id, patient_id, kind, state, priority, priority_reasons, due_at,
next_contact_at, version, cadence_step, stage,
COALESCE((SELECT a.channel FROM activities a WHERE a.work_item_id = work_items.id ORDER BY a.at DESC, a.id DESC LIMIT 1), '') = 'payer',
replied_at IS NOT NULL
FROM work_items
WHERE owner_id = $1 AND state IN ('assigned', 'in_progress', 'waiting') AND ($2 = '' OR kind = $2) AND ($3 = '' OR practice_id = $3)
ORDER BY CASE WHEN COALESCE(next_contact_at, due_at) < $4 THEN 0 ELSE 1 END, priority DESC, due_at, id LIMIT $5`,
		Args: []any{ownerID, string(f.Kind), f.PracticeID, now, limit}, Row: func(r sqldb.Scanner) error {
			var q work.QueueItem
			var next sql.NullTime
			if err := r.Scan(&q.ID, &q.PracticeID, &q.PatientID, &q.Kind, &q.State, &q.Priority, &q.Reasons, &q.DueAt, &next, &q.Version, &q.CadenceStep, &q.Stage, &q.PayerNews, &q.Replied); err != nil {
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
			return nil
		}})
	return out, err
}

// detailItems reads the item and its patient's other unfinished items
// with the same owner in one statement: the item first, then the others
// by priority. A claim's number at the practice comes with it.
const detailItems = `SELECT w.id, w.practice_id, w.patient_id, w.kind, w.state, w.priority, w.priority_reasons, w.due_at,
w.next_contact_at, w.version, w.attempts, w.cadence_step, w.subject_type, w.subject_id, w.stage, w.stage_reason,
COALESCE((SELECT c.external_id FROM claims c WHERE w.subject_type = 'claim' AND c.id = w.subject_id AND c.practice_id = w.practice_id), '')
FROM work_items t JOIN work_items w ON w.practice_id = t.practice_id AND (w.id = t.id
  OR (w.patient_id = t.patient_id AND w.owner_id = t.owner_id AND w.state IN ('assigned', 'in_progress', 'waiting')))
WHERE t.id = $1 AND t.practice_id = $2
ORDER BY CASE WHEN w.id = t.id THEN 0 ELSE 1 END, w.priority DESC, w.id`

// detailInquiry is the last question a clearinghouse was asked about the
// item (clearinghouse_inquiries_item), with the connection's name.
const detailInquiry = `SELECT i.kind, COALESCE(c.name, ''), i.asked_at, i.answered_at, i.outcome, i.reason
FROM clearinghouse_inquiries i LEFT JOIN clearinghouse_files f ON f.id = i.file_id
LEFT JOIN clearinghouse_connections c ON c.id = f.connection_id
WHERE i.work_item_id = $1 AND i.practice_id = $2 ORDER BY i.asked_at DESC, i.trace DESC LIMIT 1`

// Detail implements work.Storer, within the item's practice: three reads,
// the items (detailItems), the item's history and its last clearinghouse
// question, which under a request's shared transaction go out together
// (ReadAll).
func (s *Store) Detail(ctx context.Context, practiceID, itemID string) (work.Detail, error) {
	var it work.Detail
	err := s.db.ReadAll(sqldb.WithPractice(ctx, practiceID),
		sqldb.Read{Query: detailItems, Args: []any{itemID, practiceID}, Row: func(r sqldb.Scanner) error {
			var d work.Detail
			var next sql.NullTime
			if err := r.Scan(&d.ID, &d.PracticeID, &d.PatientID, &d.Kind, &d.State, &d.Priority, &d.Reasons, &d.DueAt, &next,
				&d.Version, &d.Attempts, &d.CadenceStep, &d.SubjectType, &d.SubjectID, &d.Stage, &d.StageReason, &d.SubjectNumber); err != nil {
				return err
			}
			if next.Valid {
				t := next.Time.UTC()
				d.NextContactAt = &t
			}
			if it.ID == "" {
				history, last := it.History, it.LastInquiry
				it = d
				it.History, it.LastInquiry = history, last
				return nil
			}
			it.Others = append(it.Others, work.QueueItem{ID: d.ID, PracticeID: practiceID, PatientID: d.PatientID, Kind: d.Kind,
				State: d.State, Priority: d.Priority, DueAt: d.DueAt, Version: d.Version})
			return nil
		}},
		sqldb.Read{Query: `SELECT id, actor_id, channel, outcome, note, next_contact_at, promised_cents, paid_cents, at
FROM activities WHERE work_item_id = $1 AND practice_id = $2 ORDER BY at, id`, Args: []any{itemID, practiceID}, Row: func(r sqldb.Scanner) error {
			var a work.Activity
			var n sql.NullTime
			if err := r.Scan(&a.ID, &a.ActorID, &a.Channel, &a.Outcome, &a.Note, &n, &a.PromisedCents, &a.PaidCents, &a.At); err != nil {
				return err
			}
			if n.Valid {
				t := n.Time.UTC()
				a.NextContactAt = &t
			}
			a.At = a.At.UTC()
			it.History = append(it.History, a)
			return nil
		}},
		sqldb.Read{Query: detailInquiry, Args: []any{itemID, practiceID}, Row: func(r sqldb.Scanner) error {
			var q work.Inquiry
			var answered sql.NullTime
			if err := r.Scan(&q.Set, &q.Clearinghouse, &q.AskedAt, &answered, &q.Outcome, &q.Reason); err != nil {
				return err
			}
			q.AskedAt = q.AskedAt.UTC()
			if answered.Valid {
				t := answered.Time.UTC()
				q.AnsweredAt = &t
			}
			it.LastInquiry = &q
			return nil
		}})
	if err != nil {
		return work.Detail{}, err
	}
	if it.ID == "" {
		return work.Detail{}, work.ErrNoItem
	}
	return it, nil
}
