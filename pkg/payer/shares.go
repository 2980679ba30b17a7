package payer

import (
	"context"

	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/backdesk/backdesk/pkg/work/priority"
	"github.com/google/uuid"
)

// createAndShare creates the claim follow-ups the remittance raises, and
// notes each patient's share on a balance follow-up: the patient's oldest
// open one, or one created on the claim. Applied claim by claim, the
// first share of a patient without one creates it and the patient's
// later shares are noted on it; here the creations go in one batch, and
// a patient's next share tries again only when the batch could not
// create the item (its claim already had one).
func (p *posting) createAndShare(ctx context.Context) error {
	a := p.a
	balance := map[string]work.Followup{}
	if len(p.shares) > 0 {
		var patients []string
		seen := map[string]bool{}
		for _, sh := range p.shares {
			if id := p.claims[sh.i].claim.PatientID; !seen[id] {
				seen[id] = true
				patients = append(patients, id)
			}
		}
		var err error
		if balance, err = a.s.store.PatientFollowups(ctx, a.tx, policy.BalanceFollowup, patients); err != nil {
			return err
		}
	}
	items := make([]work.Item, 0, len(p.raise))
	for _, r := range p.raise {
		items = append(items, a.newItem(policy.ClaimFollowup, p.claims[r.i].claim))
	}
	raised := len(items)
	pending := p.shares
	for round := 0; round == 0 || len(pending) > 0; round++ {
		var creators, later []share
		planned := map[string]bool{}
		for _, sh := range pending {
			c := p.claims[sh.i].claim
			if f, ok := balance[c.PatientID]; ok {
				p.shareNotes[sh.i] = shareNote(f, sh.r)
				continue
			}
			if planned[c.PatientID] {
				later = append(later, sh)
				continue
			}
			planned[c.PatientID] = true
			creators = append(creators, sh)
			c.Claim.BilledCents, c.Claim.PaidCents = sh.r.PatientResponsibilityCents, 0
			items = append(items, a.newItem(policy.BalanceFollowup, c))
		}
		created, err := a.createOpen(ctx, items)
		if err != nil {
			return err
		}
		if round == 0 {
			for k, r := range p.raise {
				if id := items[k].ID; created[id] {
					p.followupChanges.Stages = append(p.followupChanges.Stages, StageChange{ItemID: id, Stage: r.stage, Reason: r.reason})
					r.note.ItemID, r.note.PatientID = id, p.claims[r.i].claim.PatientID
					p.claimNotes[r.i] = &r.note
				}
			}
			items = items[raised:]
		}
		for k, sh := range creators {
			if id := items[k].ID; created[id] {
				f := work.Followup{ID: id, PatientID: p.claims[sh.i].claim.PatientID, State: work.Open}
				balance[f.PatientID] = f
				p.shareNotes[sh.i] = shareNote(f, sh.r)
			}
		}
		pending, items = later, items[:0]
	}
	return nil
}

// shareNote is the entry a patient's share writes into the follow-up.
func shareNote(f work.Followup, r Remittance) *Activity {
	return &Activity{ItemID: f.ID, PatientID: f.PatientID, Outcome: work.PayerPaid,
		Note: "Patient responsibility of " + Money(r.PatientResponsibilityCents) + " from the payer's decision on a claim."}
}

// newItem is an open follow-up of kind on the claim, scored the way
// imports score.
func (a *Applier) newItem(kind policy.Kind, c ClaimRef) work.Item {
	cand := work.Candidate{Kind: kind, SubjectType: work.SubjectClaim, SubjectID: c.ID, PatientID: c.PatientID}
	it := work.NewItem(uuid.Must(uuid.NewV7()).String(), a.practice, cand, a.pols.Kinds[kind], a.now)
	pr := work.Prioritize(kind, nil, &c.Claim, nil, nil, a.now, a.loc)
	it.Priority, it.Reasons = pr.Score, priority.Encode(pr.Reasons)
	return it
}

// createOpen creates the items whose subject has no open item of their
// kind, queues their routing, and returns the ids of those created.
func (a *Applier) createOpen(ctx context.Context, items []work.Item) (map[string]bool, error) {
	if len(items) == 0 {
		return nil, nil
	}
	created, err := a.s.work.CreateOpen(ctx, a.tx, items, a.now)
	if err != nil {
		return nil, err
	}
	a.Report.ItemsCreated += len(created)
	out := make(map[string]bool, len(created))
	for _, it := range created {
		out[it.ID] = true
	}
	return out, nil
}
