package imports

import (
	"context"
	"database/sql"
	"slices"
	"time"

	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/google/uuid"
)

// verifyVisits first closes the checks nobody has taken whose visit was
// cancelled, missed or has passed (a statement, and one more when any
// was), then makes the practice's eligibility checks in tx: one for each
// patient with a visit in the policy's window (work.VisitWindow) whose
// coverage is not fresh (work.VisitsToVerify), about the patient's
// earliest such visit. Checks that exist are re-scored as the visit nears.
// It costs one read when no visit is coming up, and a read, a read and
// the items' writes when some are, whatever the practice's size; with a
// clearinghouse to ask (Deps.Hold), new checks are held for it, at a read
// and a write more. It
// returns how many checks it created.
func (s *Service) verifyVisits(ctx context.Context, tx *sql.Tx, g *generator, now time.Time) (int, error) {
	if _, err := s.work.CloseGoneChecks(ctx, tx, g.practiceID, now); err != nil {
		return 0, err
	}
	ahead, fresh := g.pols.Kinds[policy.EligibilityCheck].Thresholds.Eligibility()
	from, to := work.VisitWindow(now, g.loc, ahead)
	visits, err := s.records.Upcoming(ctx, tx, g.practiceID, from, to)
	if err != nil || len(visits) == 0 {
		return 0, err
	}
	patients := make([]string, 0, len(visits))
	for _, v := range visits {
		patients = append(patients, v.PatientID)
	}
	slices.Sort(patients)
	recent, err := s.work.RecentItems(ctx, tx, policy.EligibilityCheck, slices.Compact(patients), now.AddDate(0, 0, -fresh))
	if err != nil {
		return 0, err
	}
	var items []work.Item
	for _, v := range work.VisitsToVerify(visits, recent) {
		items = append(items, work.NewCheck(uuid.Must(uuid.NewV7()).String(), g.practiceID, v, now, g.loc))
	}
	if len(items) == 0 {
		return 0, nil
	}
	created, err := s.work.CreateOpen(ctx, tx, items, now)
	if err != nil || len(created) == 0 || s.hold == nil {
		return len(created), err
	}
	ids := make([]string, len(created))
	for i, it := range created {
		ids[i] = it.ID
	}
	return len(created), s.hold.Hold(ctx, tx, g.practiceID, ids, now)
}
