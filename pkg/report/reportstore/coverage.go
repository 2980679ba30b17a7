package reportstore

import (
	"context"
	"time"

	"github.com/backdesk/backdesk/pkg/clearinghouse"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/report"
)

// The coverage report reads a practice's coming visits (appointments_starts)
// and its eligibility checks that count: the unfinished ones
// (work_items_unfinished) and those resolved since $2 (work_items_finished).
const (
	selectComingVisits = `SELECT starts_at, patient_id FROM appointments
WHERE practice_id = $1 AND starts_at >= $2 AND starts_at < $3 AND status IN ('scheduled', 'confirmed')`
	selectCheckStanding = `SELECT patient_id, state, stage, owner_id IS NOT NULL FROM work_items
WHERE practice_id = $1 AND kind = 'eligibility_check' AND state NOT IN ('resolved', 'closed')
UNION ALL
SELECT patient_id, state, stage, false FROM work_items
WHERE practice_id = $1 AND finished_at >= $2 AND kind = 'eligibility_check' AND state = 'resolved'`
)

// Visits implements report.CoverageStorer: two reads, which under a
// request's shared transaction go out together.
func (s *Store) Visits(ctx context.Context, practiceID string, from, to, freshSince time.Time) ([]report.Visit, error) {
	type visit struct {
		at      time.Time
		patient string
	}
	var visits []visit
	standing := map[string]report.Standing{}
	err := s.db.ReadAll(sqldb.WithPractice(ctx, practiceID),
		sqldb.Read{Query: selectComingVisits, Args: []any{practiceID, from.UTC(), to.UTC()}, Row: func(r sqldb.Scanner) error {
			var v visit
			err := r.Scan(&v.at, &v.patient)
			visits = append(visits, v)
			return err
		}},
		sqldb.Read{Query: selectCheckStanding, Args: []any{practiceID, freshSince.UTC()}, Row: func(r sqldb.Scanner) error {
			var patient, state, stage string
			var owned bool
			if err := r.Scan(&patient, &state, &stage, &owned); err != nil {
				return err
			}
			standing[patient] = max(standing[patient], checkStanding(state, stage, owned))
			return nil
		}})
	if err != nil {
		return nil, err
	}
	out := make([]report.Visit, len(visits))
	for i, v := range visits {
		out[i] = report.Visit{StartsAt: v.at.UTC(), Standing: standing[v.patient]}
	}
	return out, nil
}

// checkStanding is where one eligibility check leaves its patient.
func checkStanding(state, stage string, owned bool) report.Standing {
	switch {
	case state == "resolved":
		return report.Verified
	case !owned && (stage == clearinghouse.StageToAsk || stage == clearinghouse.StageAsked):
		return report.Asked
	default:
		return report.WithAgents
	}
}
