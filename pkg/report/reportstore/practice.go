package reportstore

import (
	"context"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/report"
)

// A practice's summary reads one practice's rows of tables the whole
// company shares. Each statement reads a range of an index that holds
// what it needs (migration 0024), so it costs the same however many
// practices share the tables; none needs another's answer, so they go
// out together (ReadAll).
const (
	selectByState = `SELECT kind, state, count(*) FROM work_items WHERE practice_id = $1
GROUP BY kind, state ORDER BY kind, state`
	// selectOverdue reads work_items_unfinished only.
	selectOverdue = `SELECT kind, count(*) FROM work_items WHERE practice_id = $1 AND state IN ` + unfinished + `
AND COALESCE(next_contact_at, due_at) < $2 GROUP BY kind ORDER BY kind`
	// selectFinished counts the items resolved and closed since $2, from
	// work_items_finished only.
	selectFinished = `SELECT state, kind, count(*) FROM work_items
WHERE practice_id = $1 AND state IN ('resolved', 'closed') AND finished_at >= $2
GROUP BY state, kind ORDER BY state, kind`
	// selectMoney sums what was promised and paid since $2 and since $3;
	// $4 is the earlier of the two, the range of activities_practice_history
	// it reads.
	selectMoney = `SELECT COALESCE(SUM(CASE WHEN at >= $2 THEN promised_cents ELSE 0 END), 0),
COALESCE(SUM(CASE WHEN at >= $2 THEN paid_cents ELSE 0 END), 0),
COALESCE(SUM(CASE WHEN at >= $3 THEN promised_cents ELSE 0 END), 0),
COALESCE(SUM(CASE WHEN at >= $3 THEN paid_cents ELSE 0 END), 0)
FROM activities WHERE practice_id = $1 AND at >= $4`
)

// Practice implements report.Storer. Its reads run in the practice's
// scope; under a request's shared transaction on PostgreSQL they are one
// round trip, elsewhere one transaction.
func (s *Store) Practice(ctx context.Context, practiceID string, now time.Time, contacts int) (report.PracticeSummary, error) {
	now = now.UTC() // weeks and days are UTC
	sum := report.PracticeSummary{PracticeID: practiceID, At: now, WeekStart: report.WeekStart(now), ByState: []report.StateCount{},
		Overdue: []report.KindCount{}, ResolvedThisWeek: []report.KindCount{}, ClosedThisWeek: []report.KindCount{},
		LastContacts: []report.LastContact{}, Clearinghouse: []report.Inquiries{}}
	monthAgo := now.AddDate(0, 0, -30)
	from := monthAgo
	if sum.WeekStart.Before(from) {
		from = sum.WeekStart
	}
	reads := []sqldb.Read{
		{Query: selectByState, Args: []any{practiceID}, Row: func(r sqldb.Scanner) error {
			var c report.StateCount
			err := r.Scan(&c.Kind, &c.State, &c.Count)
			sum.ByState = append(sum.ByState, c)
			return err
		}},
		{Query: selectOverdue, Args: []any{practiceID, now}, Row: kindCounts(&sum.Overdue)},
		{Query: selectFinished, Args: []any{practiceID, sum.WeekStart}, Row: func(r sqldb.Scanner) error {
			var state string
			var c report.KindCount
			if err := r.Scan(&state, &c.Kind, &c.Count); err != nil {
				return err
			}
			if state == "resolved" {
				sum.ResolvedThisWeek = append(sum.ResolvedThisWeek, c)
			} else {
				sum.ClosedThisWeek = append(sum.ClosedThisWeek, c)
			}
			return nil
		}},
		{Query: selectMoney, Args: []any{practiceID, sum.WeekStart, monthAgo, from}, Row: func(r sqldb.Scanner) error {
			return r.Scan(&sum.ThisWeek.PromisedCents, &sum.ThisWeek.PaidCents, &sum.Last30Days.PromisedCents, &sum.Last30Days.PaidCents)
		}},
		s.lastContacts(practiceID, contacts, &sum.LastContacts),
		inquiries(&sum.Clearinghouse, practiceID, now, report.SummaryInquiryDays),
	}
	var p progress
	reads = append(reads, p.reads(practiceID, now)...)
	if err := s.db.ReadAll(sqldb.WithPractice(ctx, practiceID), reads...); err != nil {
		return report.PracticeSummary{}, err
	}
	p.fill(&sum)
	return sum, nil
}

// kindCounts appends each row, a kind and its count, to out.
func kindCounts(out *[]report.KindCount) func(sqldb.Scanner) error {
	return func(r sqldb.Scanner) error {
		var c report.KindCount
		err := r.Scan(&c.Kind, &c.Count)
		*out = append(*out, c)
		return err
	}
}
