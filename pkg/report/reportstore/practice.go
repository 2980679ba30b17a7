package reportstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/report"
)

// contactOutcomes excludes the history entries that are not contacts.
const contactOutcomes = `outcome NOT IN ('note', 'handed_off', 'released')`

const (
	selectByState = `SELECT kind, state, count(*) FROM work_items WHERE practice_id = $1
GROUP BY kind, state ORDER BY kind, state`
	selectOverdue = `SELECT kind, count(*) FROM work_items WHERE practice_id = $1 AND state IN ` + unfinished + `
AND COALESCE(next_contact_at, due_at) < $2 GROUP BY kind ORDER BY kind`
	// selectFinished counts the items that reached state $3 since $2.
	selectFinished = `SELECT kind, count(*) FROM work_items WHERE practice_id = $1 AND state = $3 AND finished_at >= $2
GROUP BY kind ORDER BY kind`
	// selectMoney sums what was promised and paid since $2.
	selectMoney = `SELECT COALESCE(SUM(promised_cents), 0), COALESCE(SUM(paid_cents), 0) FROM activities
WHERE practice_id = $1 AND at >= $2`
	// selectLastContacts lists each patient's latest contact, newest
	// first.
	selectLastContacts = `SELECT a.patient_id, a.work_item_id, w.kind, a.at, a.channel, a.outcome, a.actor_id
FROM activities a JOIN work_items w ON w.id = a.work_item_id
WHERE a.practice_id = $1 AND a.` + contactOutcomes + ` AND a.id = (SELECT b.id FROM activities b WHERE b.patient_id = a.patient_id
AND b.` + contactOutcomes + ` ORDER BY b.at DESC, b.id DESC LIMIT 1)
ORDER BY a.at DESC, a.patient_id LIMIT $2`
)

// Practice implements report.Storer.
func (s *Store) Practice(ctx context.Context, practiceID string, now time.Time, contacts int) (report.PracticeSummary, error) {
	now = now.UTC() // weeks and days are UTC
	sum := report.PracticeSummary{PracticeID: practiceID, At: now, WeekStart: report.WeekStart(now), ByState: []report.StateCount{},
		Overdue: []report.KindCount{}, ResolvedThisWeek: []report.KindCount{}, ClosedThisWeek: []report.KindCount{},
		LastContacts: []report.LastContact{}}
	err := s.db.Tx(sqldb.WithPractice(ctx, practiceID), func(tx *sql.Tx) error {
		var err error
		if sum.ByState, err = stateCounts(ctx, tx, practiceID); err != nil {
			return err
		}
		if sum.Overdue, err = kindCounts(ctx, tx, selectOverdue, practiceID, now); err != nil {
			return err
		}
		if sum.ResolvedThisWeek, err = kindCounts(ctx, tx, selectFinished, practiceID, sum.WeekStart, "resolved"); err != nil {
			return err
		}
		if sum.ClosedThisWeek, err = kindCounts(ctx, tx, selectFinished, practiceID, sum.WeekStart, "closed"); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, selectMoney, practiceID, sum.WeekStart).Scan(&sum.ThisWeek.PromisedCents, &sum.ThisWeek.PaidCents); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, selectMoney, practiceID, now.AddDate(0, 0, -30)).Scan(&sum.Last30Days.PromisedCents, &sum.Last30Days.PaidCents); err != nil {
			return err
		}
		if sum.LastContacts, err = lastContacts(ctx, tx, practiceID, contacts); err != nil {
			return err
		}
		sum.ARAging = []report.AgingBucket{}
		return progress(ctx, tx, &sum, now)
	})
	if err != nil {
		return report.PracticeSummary{}, sqldb.MapError(err)
	}
	return sum, nil
}

func stateCounts(ctx context.Context, tx *sql.Tx, practiceID string) ([]report.StateCount, error) {
	rows, err := tx.QueryContext(ctx, selectByState, practiceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []report.StateCount{}
	for rows.Next() {
		var c report.StateCount
		if err := rows.Scan(&c.Kind, &c.State, &c.Count); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func kindCounts(ctx context.Context, tx *sql.Tx, q string, args ...any) ([]report.KindCount, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []report.KindCount{}
	for rows.Next() {
		var c report.KindCount
		if err := rows.Scan(&c.Kind, &c.Count); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func lastContacts(ctx context.Context, tx *sql.Tx, practiceID string, limit int) ([]report.LastContact, error) {
	rows, err := tx.QueryContext(ctx, selectLastContacts, practiceID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []report.LastContact{}
	for rows.Next() {
		var c report.LastContact
		if err := rows.Scan(&c.PatientID, &c.WorkItemID, &c.Kind, &c.At, &c.Channel, &c.Outcome, &c.ActorID); err != nil {
			return nil, err
		}
		c.At = c.At.UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}
