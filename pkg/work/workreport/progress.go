package workreport

import (
	"context"
	"database/sql"
	"time"
)

// AgingBucket is one age band of a practice's patient balances.
type AgingBucket struct {
	Band        string // "0-30", "31-60", "61-90", "90+"
	AmountCents int64
	Accounts    int // accounts with money in the band
}

// Recare is how recall reactivation is going.
type Recare struct {
	DueUnscheduled  int // recalls past due with no visit booked
	Scheduled       int // recalls with a visit booked
	Reactivated30d  int // recare follow-ups resolved (booked) in the last 30 days
	OpenFollowups   int // recare follow-ups being worked
	ClosedNoVisit30 int // recare follow-ups closed without a booking in the last 30 days
}

// Treatment is how unscheduled treatment outreach is going.
type Treatment struct {
	Unscheduled      int   // presented plans not yet booked
	UnscheduledCents int64 // their estimated patient portion
	Scheduled        int
	Scheduled30d     int // treatment follow-ups resolved (booked) in the last 30 days
	OpenFollowups    int
}

// progress fills the summary's accounts-receivable aging and the recall
// and treatment figures.
func progress(ctx context.Context, tx *sql.Tx, s *PracticeSummary, now time.Time) error {
	var a [4]int64
	var n [4]int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(aged_0_30_cents), 0), COALESCE(SUM(aged_31_60_cents), 0),
COALESCE(SUM(aged_61_90_cents), 0), COALESCE(SUM(aged_over_90_cents), 0),
COALESCE(SUM(CASE WHEN aged_0_30_cents > 0 THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN aged_31_60_cents > 0 THEN 1 ELSE 0 END), 0),
COALESCE(SUM(CASE WHEN aged_61_90_cents > 0 THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN aged_over_90_cents > 0 THEN 1 ELSE 0 END), 0)
FROM balances WHERE practice_id = $1`, s.PracticeID).Scan(&a[0], &a[1], &a[2], &a[3], &n[0], &n[1], &n[2], &n[3]); err != nil {
		return err
	}
	for i, band := range []string{"0-30", "31-60", "61-90", "90+"} {
		s.ARAging = append(s.ARAging, AgingBucket{Band: band, AmountCents: a[i], Accounts: n[i]})
	}
	today := now.Format(time.DateOnly)
	since := now.AddDate(0, 0, -30)
	if err := tx.QueryRowContext(ctx, `SELECT
(SELECT count(*) FROM recalls WHERE practice_id = $1 AND NOT scheduled AND due_date < $2),
(SELECT count(*) FROM recalls WHERE practice_id = $1 AND scheduled),
(SELECT count(*) FROM work_items WHERE practice_id = $1 AND kind = 'recare' AND state = 'resolved' AND finished_at >= $3),
(SELECT count(*) FROM work_items WHERE practice_id = $1 AND kind = 'recare' AND state IN `+unfinished+`),
(SELECT count(*) FROM work_items WHERE practice_id = $1 AND kind = 'recare' AND state = 'closed' AND finished_at >= $3)`,
		s.PracticeID, today, since).Scan(&s.Recare.DueUnscheduled, &s.Recare.Scheduled, &s.Recare.Reactivated30d,
		&s.Recare.OpenFollowups, &s.Recare.ClosedNoVisit30); err != nil {
		return err
	}
	return tx.QueryRowContext(ctx, `SELECT
(SELECT count(*) FROM treatment_plans WHERE practice_id = $1 AND NOT scheduled),
(SELECT COALESCE(SUM(est_patient_cents), 0) FROM treatment_plans WHERE practice_id = $1 AND NOT scheduled),
(SELECT count(*) FROM treatment_plans WHERE practice_id = $1 AND scheduled),
(SELECT count(*) FROM work_items WHERE practice_id = $1 AND kind = 'treatment_followup' AND state = 'resolved' AND finished_at >= $2),
(SELECT count(*) FROM work_items WHERE practice_id = $1 AND kind = 'treatment_followup' AND state IN `+unfinished+`)`,
		s.PracticeID, since).Scan(&s.Treatment.Unscheduled, &s.Treatment.UnscheduledCents, &s.Treatment.Scheduled,
		&s.Treatment.Scheduled30d, &s.Treatment.OpenFollowups)
}
