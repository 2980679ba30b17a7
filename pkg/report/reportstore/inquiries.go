package reportstore

import (
	"fmt"
	"time"

	"github.com/backdesk/backdesk/pkg/clearinghouse"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/report"
)

// selectInquiries counts, per practice and kind, the clearinghouse
// questions asked in [$1, $2) and the answers that came in it, by how they
// ended. It reads the inquiries by when they were asked or answered: the
// whole company's through clearinghouse_inquiries_asked and _answered
// (0028), one practice's through the practice's indexes (0029), which the
// %s condition picks.
const selectInquiries = `SELECT i.practice_id, p.name, i.kind,
SUM(CASE WHEN i.asked_at >= $1 AND i.asked_at < $2 THEN 1 ELSE 0 END),
SUM(CASE WHEN i.answered_at >= $1 AND i.answered_at < $2 THEN 1 ELSE 0 END),
SUM(CASE WHEN i.answered_at >= $1 AND i.answered_at < $2 AND i.outcome IN ('` + clearinghouse.OutcomeVerified + `', '` +
	clearinghouse.OutcomeResolved + `', '` + clearinghouse.OutcomePending + `', '` + clearinghouse.OutcomeAwaitingRemittance + `') THEN 1 ELSE 0 END),
SUM(CASE WHEN i.answered_at >= $1 AND i.answered_at < $2 AND i.outcome = '` + clearinghouse.OutcomeNeedsAgent + `' THEN 1 ELSE 0 END)
FROM clearinghouse_inquiries i JOIN practices p ON p.id = i.practice_id
WHERE ((i.asked_at >= $1 AND i.asked_at < $2) OR (i.answered_at >= $1 AND i.answered_at < $2))%s
GROUP BY i.practice_id, p.name, i.kind
ORDER BY p.name, i.practice_id, i.kind`

// inquiryKinds names the work each transaction set asks about.
var inquiryKinds = map[string]policy.Kind{"270": policy.EligibilityCheck, "276": policy.ClaimFollowup}

// inquiries reads into out the clearinghouse questions of the days
// before now: every practice's when practiceID is empty (the board), one
// practice's otherwise.
func inquiries(out *[]report.Inquiries, practiceID string, now time.Time, days int) sqldb.Read {
	args := []any{now.AddDate(0, 0, -days), now}
	filter := ""
	if practiceID != "" {
		filter, args = " AND i.practice_id = $3", append(args, practiceID)
	}
	return sqldb.Read{Query: fmt.Sprintf(selectInquiries, filter), Args: args, Row: func(r sqldb.Scanner) error {
		var n report.Inquiries
		var set string
		if err := r.Scan(&n.PracticeID, &n.PracticeName, &set, &n.Asked, &n.Answered, &n.WithoutCall, &n.ToAgents); err != nil {
			return err
		}
		n.Kind = inquiryKinds[set]
		*out = append(*out, n)
		return nil
	}}
}
