package reportstore

import (
	"time"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/report"
)

const (
	// selectAging sums the practice's balances per age band, and counts
	// the accounts with money in each band.
	selectAging = `SELECT COALESCE(SUM(aged_0_30_cents), 0), COALESCE(SUM(aged_31_60_cents), 0),
COALESCE(SUM(aged_61_90_cents), 0), COALESCE(SUM(aged_over_90_cents), 0),
COALESCE(SUM(CASE WHEN aged_0_30_cents > 0 THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN aged_31_60_cents > 0 THEN 1 ELSE 0 END), 0),
COALESCE(SUM(CASE WHEN aged_61_90_cents > 0 THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN aged_over_90_cents > 0 THEN 1 ELSE 0 END), 0)
FROM balances WHERE practice_id = $1`
	// selectRecare reads recalls due before $2 (today) and recare items
	// finished since $3 (30 days ago).
	selectRecare = `SELECT
(SELECT count(*) FROM recalls WHERE practice_id = $1 AND NOT scheduled AND due_date < $2),
(SELECT count(*) FROM recalls WHERE practice_id = $1 AND scheduled),
(SELECT count(*) FROM work_items WHERE practice_id = $1 AND kind = 'recare' AND state = 'resolved' AND finished_at >= $3),
(SELECT count(*) FROM work_items WHERE practice_id = $1 AND kind = 'recare' AND state IN ` + unfinished + `),
(SELECT count(*) FROM work_items WHERE practice_id = $1 AND kind = 'recare' AND state = 'closed' AND finished_at >= $3)`
	// selectTreatment reads treatment plans and the treatment items
	// finished since $2 (30 days ago).
	selectTreatment = `SELECT
(SELECT count(*) FROM treatment_plans WHERE practice_id = $1 AND NOT scheduled),
(SELECT COALESCE(SUM(est_patient_cents), 0) FROM treatment_plans WHERE practice_id = $1 AND NOT scheduled),
(SELECT count(*) FROM treatment_plans WHERE practice_id = $1 AND scheduled),
(SELECT count(*) FROM work_items WHERE practice_id = $1 AND kind = 'treatment_followup' AND state = 'resolved' AND finished_at >= $2),
(SELECT count(*) FROM work_items WHERE practice_id = $1 AND kind = 'treatment_followup' AND state IN ` + unfinished + `)`
)

// progress holds the summary's accounts-receivable aging and its recall
// and treatment figures while the reads that count them run.
type progress struct {
	aged     [4]int64
	accounts [4]int
	recare   report.Recare
	treat    report.Treatment
}

// reads are the statements that count p's figures for practiceID at now.
func (p *progress) reads(practiceID string, now time.Time) []sqldb.Read {
	today := now.Format(time.DateOnly)
	since := now.AddDate(0, 0, -30)
	return []sqldb.Read{
		{Query: selectAging, Args: []any{practiceID}, Row: func(r sqldb.Scanner) error {
			return r.Scan(&p.aged[0], &p.aged[1], &p.aged[2], &p.aged[3], &p.accounts[0], &p.accounts[1], &p.accounts[2], &p.accounts[3])
		}},
		{Query: selectRecare, Args: []any{practiceID, today, since}, Row: func(r sqldb.Scanner) error {
			return r.Scan(&p.recare.DueUnscheduled, &p.recare.Scheduled, &p.recare.Reactivated30d, &p.recare.OpenFollowups,
				&p.recare.ClosedNoVisit30)
		}},
		{Query: selectTreatment, Args: []any{practiceID, since}, Row: func(r sqldb.Scanner) error {
			return r.Scan(&p.treat.Unscheduled, &p.treat.UnscheduledCents, &p.treat.Scheduled, &p.treat.Scheduled30d,
				&p.treat.OpenFollowups)
		}},
	}
}

// fill puts the figures p counted into s.
func (p *progress) fill(s *report.PracticeSummary) {
	s.ARAging = []report.AgingBucket{}
	for i, band := range []string{"0-30", "31-60", "61-90", "90+"} {
		s.ARAging = append(s.ARAging, report.AgingBucket{Band: band, AmountCents: p.aged[i], Accounts: p.accounts[i]})
	}
	s.Recare, s.Treatment = p.recare, p.treat
}
