package workreport

import (
	"context"
	"database/sql"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/policy"
)

// StateCount counts a practice's items of one kind in one state.
type StateCount struct {
	Kind  policy.Kind
	State string
	Count int
}

// KindCount counts items of one kind.
type KindCount struct {
	Kind  policy.Kind
	Count int
}

// Money sums what agents recorded over a period.
type Money struct {
	PromisedCents int64
	PaidCents     int64
}

// LastContact is the most recent contact logged for one patient.
type LastContact struct {
	PatientID  string
	WorkItemID string
	Kind       policy.Kind
	At         time.Time
	Channel    string
	Outcome    string
	ActorID    string
}

// PracticeSummary is a practice's view of the work done for it.
type PracticeSummary struct {
	PracticeID       string
	At               time.Time
	WeekStart        time.Time
	ByState          []StateCount
	Overdue          []KindCount
	ResolvedThisWeek []KindCount
	ClosedThisWeek   []KindCount
	ThisWeek         Money
	Last30Days       Money
	LastContacts     []LastContact // newest first
	ARAging          []AgingBucket
	Recare           Recare
	Treatment        Treatment
}

// WeekStart is the Monday 00:00 UTC that starts now's week.
func WeekStart(now time.Time) time.Time {
	d := now.UTC().Truncate(24 * time.Hour)
	back := (int(d.Weekday()) + 6) % 7
	return d.AddDate(0, 0, -back)
}

// contactOutcomes excludes the history entries that are not contacts.
const contactOutcomes = `outcome NOT IN ('note', 'handed_off', 'released')`

// Practice reads the practice's summary at now, with at most contacts
// entries of last contact per patient.
func Practice(ctx context.Context, db *sqldb.DB, practiceID string, now time.Time, contacts int) (PracticeSummary, error) {
	now = now.UTC()
	s := PracticeSummary{PracticeID: practiceID, At: now, WeekStart: WeekStart(now), ByState: []StateCount{}, Overdue: []KindCount{},
		ResolvedThisWeek: []KindCount{}, ClosedThisWeek: []KindCount{}, LastContacts: []LastContact{}}
	err := db.Tx(sqldb.WithPractice(ctx, practiceID), func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT kind, state, count(*) FROM work_items WHERE practice_id = $1
GROUP BY kind, state ORDER BY kind, state`, practiceID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var c StateCount
			if err := rows.Scan(&c.Kind, &c.State, &c.Count); err != nil {
				rows.Close()
				return err
			}
			s.ByState = append(s.ByState, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if s.Overdue, err = kindCounts(ctx, tx, `SELECT kind, count(*) FROM work_items WHERE practice_id = $1 AND state IN `+unfinished+`
AND COALESCE(next_contact_at, due_at) < $2 GROUP BY kind ORDER BY kind`, practiceID, now); err != nil {
			return err
		}
		finished := `SELECT kind, count(*) FROM work_items WHERE practice_id = $1 AND state = $3 AND finished_at >= $2 GROUP BY kind ORDER BY kind`
		if s.ResolvedThisWeek, err = kindCounts(ctx, tx, finished, practiceID, s.WeekStart, "resolved"); err != nil {
			return err
		}
		if s.ClosedThisWeek, err = kindCounts(ctx, tx, finished, practiceID, s.WeekStart, "closed"); err != nil {
			return err
		}
		money := `SELECT COALESCE(SUM(promised_cents), 0), COALESCE(SUM(paid_cents), 0) FROM activities WHERE practice_id = $1 AND at >= $2`
		if err := tx.QueryRowContext(ctx, money, practiceID, s.WeekStart).Scan(&s.ThisWeek.PromisedCents, &s.ThisWeek.PaidCents); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, money, practiceID, now.AddDate(0, 0, -30)).Scan(&s.Last30Days.PromisedCents, &s.Last30Days.PaidCents); err != nil {
			return err
		}
		if s.LastContacts, err = lastContacts(ctx, tx, practiceID, contacts); err != nil {
			return err
		}
		s.ARAging = []AgingBucket{}
		return progress(ctx, tx, &s, now)
	})
	if err != nil {
		return PracticeSummary{}, sqldb.MapError(err)
	}
	return s, nil
}

func kindCounts(ctx context.Context, tx *sql.Tx, q string, args ...any) ([]KindCount, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []KindCount{}
	for rows.Next() {
		var c KindCount
		if err := rows.Scan(&c.Kind, &c.Count); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func lastContacts(ctx context.Context, tx *sql.Tx, practiceID string, limit int) ([]LastContact, error) {
	rows, err := tx.QueryContext(ctx, `SELECT a.patient_id, a.work_item_id, w.kind, a.at, a.channel, a.outcome, a.actor_id
FROM activities a JOIN work_items w ON w.id = a.work_item_id
WHERE a.practice_id = $1 AND a.`+contactOutcomes+` AND a.id = (SELECT b.id FROM activities b WHERE b.patient_id = a.patient_id
AND b.`+contactOutcomes+` ORDER BY b.at DESC, b.id DESC LIMIT 1)
ORDER BY a.at DESC, a.patient_id LIMIT $2`, practiceID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []LastContact{}
	for rows.Next() {
		var c LastContact
		if err := rows.Scan(&c.PatientID, &c.WorkItemID, &c.Kind, &c.At, &c.Channel, &c.Outcome, &c.ActorID); err != nil {
			return nil, err
		}
		c.At = c.At.UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}
