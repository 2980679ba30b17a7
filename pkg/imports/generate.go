package imports

import (
	"context"
	"database/sql"
	"time"

	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/pkg/records"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/backdesk/backdesk/pkg/work/priority"
	"github.com/google/uuid"
)

// generator turns changed records into work items under the practice's
// thresholds, in the practice's time zone.
type generator struct {
	practiceID string
	loc        *time.Location
	pols       practice.Policies
}

func newGenerator(p practice.Practice, pols practice.Policies) *generator {
	loc, err := time.LoadLocation(p.Timezone)
	if err != nil {
		loc = time.UTC
	}
	return &generator{practiceID: p.ID, loc: loc, pols: pols}
}

func (g *generator) items(changed []records.Changed, now time.Time) []work.Item {
	var out []work.Item
	for _, c := range changed {
		var kind policy.Kind
		var subject work.SubjectType
		var needs bool
		switch r := c.Row; {
		case r.Balance != nil:
			kind, subject = policy.BalanceFollowup, work.SubjectBalance
			needs = work.BalanceNeedsWork(*r.Balance, g.pols.Kinds[kind].Thresholds, now, g.loc)
		case r.Claim != nil:
			kind, subject = policy.ClaimFollowup, work.SubjectClaim
			needs = work.ClaimNeedsWork(*r.Claim, g.pols.Kinds[kind].Thresholds, now, g.loc)
		case r.Recall != nil:
			kind, subject = policy.Recare, work.SubjectRecall
			needs = work.RecallNeedsWork(*r.Recall, g.pols.Kinds[kind].Thresholds, now, g.loc)
		case r.Treatment != nil:
			kind, subject = policy.TreatmentFollowup, work.SubjectTreatment
			needs = work.TreatmentNeedsWork(*r.Treatment, g.pols.Kinds[kind].Thresholds, now, g.loc)
		}
		if !needs {
			continue
		}
		cand := work.Candidate{Kind: kind, SubjectType: subject, SubjectID: c.ID, PatientID: c.PatientID}
		it := work.NewItem(uuid.Must(uuid.NewV7()).String(), g.practiceID, cand, g.pols.Kinds[kind], now)
		p := work.Prioritize(kind, c.Row.Balance, c.Row.Claim, c.Row.Recall, c.Row.Treatment, now, g.loc)
		it.Priority, it.Reasons = p.Score, priority.Encode(p.Reasons)
		out = append(out, it)
	}
	return out
}

// ClaimHolder keeps new claim follow-ups away from agents while a
// clearinghouse is asked about their claims' status (276); the Holder in
// Deps.Hold is asked for it (clearinghouse.Service has it).
type ClaimHolder interface {
	HoldClaims(ctx context.Context, tx *sql.Tx, practiceID string, itemIDs []string, now time.Time) error
}

// createItems makes the items in tx and, when the practice asks a
// clearinghouse about claims, holds the new claim follow-ups for it. It
// returns the items it created.
func (s *Service) createItems(ctx context.Context, tx *sql.Tx, practiceID string, items []work.Item, now time.Time) ([]work.Item, error) {
	created, err := s.work.CreateOpen(ctx, tx, items, now)
	h, ok := s.hold.(ClaimHolder)
	if err != nil || !ok {
		return created, err
	}
	var claims []string
	for _, it := range created {
		if it.Kind == policy.ClaimFollowup {
			claims = append(claims, it.ID)
		}
	}
	if len(claims) == 0 {
		return created, nil
	}
	return created, h.HoldClaims(ctx, tx, practiceID, claims, now)
}
