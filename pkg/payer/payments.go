package payer

import (
	"context"

	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/records"
	"github.com/backdesk/backdesk/pkg/work"
)

// Payment is a claim payment matched to its claim, to record.
type Payment struct {
	ClaimID string
	Remittance
}

// ClaimChange is the payer's adjudication of one claim: its status, what
// was paid (added to what was paid, with Add: a reversal's negative
// amount) and the patient's share.
type ClaimChange struct {
	ClaimID       string
	Status        records.ClaimStatus
	Paid, Patient int64
	Add           bool
}

// FollowupChanges is what one remittance does to follow-up work, written
// at once: the set-wise form of what work.Desk's RaiseFollowup,
// ResolveFollowup and NoteFollowup do to one item.
type FollowupChanges struct {
	Stages   []StageChange
	Recalls  []Recall   // waiting items brought back to work now
	Resolved []string   // items finished: the payer paid
	Notes    []Activity // history entries, in the order they were written
}

// StageChange puts an item in a stage with its reason (StageNone and ""
// clear them).
type StageChange struct {
	ItemID string
	Stage  Stage
	Reason string
}

// Recall brings a waiting item back now: to its owner's queue, or to
// routing in its kind's queue when nobody owns it.
type Recall struct {
	work.Followup
	Kind policy.Kind
}

// Activity is an entry the payer writes into an item's history.
type Activity struct {
	ItemID, PatientID string
	Outcome           work.Outcome
	Note              string
}

// maxStageReason bounds the reasons kept with a stage, as
// work.Desk.RaiseFollowup does.
const maxStageReason = 1000

// Payments applies one remittance's claim payments, grouped by claim:
// each group holds the payments on one claim (a reversal and its
// correction net together, whatever their order) and no two groups name
// the same claim. It looks their claims up, records them and changes the
// claims and their follow-up work in a dozen statements or so for up to
// a thousand claims, not a few statements per claim; the result is what
// applying the groups one after another would give.
func (a *Applier) Payments(ctx context.Context, groups [][]Remittance) error {
	numbers := make([]string, 0, len(groups))
	for _, g := range groups {
		if len(g) > 0 {
			numbers = append(numbers, g[0].ClaimNumber)
		}
	}
	if len(numbers) == 0 {
		return nil
	}
	found, err := a.s.store.Claims(ctx, a.tx, a.practice, numbers)
	if err != nil {
		return err
	}
	var matched []claimPayments
	for _, g := range groups {
		if len(g) == 0 {
			continue
		}
		a.Report.Read += len(g)
		c, ok := found[g[0].ClaimNumber]
		if !ok {
			for _, r := range g {
				a.Report.Unmatched = append(a.Report.Unmatched, Unmatched{Segment: r.Segment, Kind: "remittance"})
			}
			continue
		}
		matched = append(matched, claimPayments{claim: c, rs: g})
	}
	if a.dry {
		for _, m := range matched {
			a.Report.Applied += len(m.rs)
		}
		return nil
	}
	fresh, err := a.record(ctx, matched)
	if err != nil || len(fresh) == 0 {
		return err
	}
	p := &posting{a: a, claims: fresh, claimNotes: make([]*Activity, len(fresh)), shareNotes: make([]*Activity, len(fresh))}
	return p.run(ctx)
}

// claimPayments is one claim's payments in a remittance.
type claimPayments struct {
	claim ClaimRef
	rs    []Remittance
}

// record records the payments and keeps the claims with a payment not
// recorded before: those a payment changes. A claim whose payments were
// all recorded by an earlier import is left as it is.
func (a *Applier) record(ctx context.Context, matched []claimPayments) ([]claimPayments, error) {
	var ps []Payment
	for _, m := range matched {
		for _, r := range m.rs {
			ps = append(ps, Payment{ClaimID: m.claim.ID, Remittance: r})
		}
	}
	added, err := a.s.store.AddRemittances(ctx, a.tx, a.practice, a.importID, ps, a.now)
	if err != nil {
		return nil, err
	}
	var fresh []claimPayments
	i := 0
	for _, m := range matched {
		isNew := false
		for range m.rs {
			isNew = a.counted(added[i]) || isNew
			i++
		}
		if isNew {
			fresh = append(fresh, m)
		}
	}
	return fresh, nil
}

// posting works out what one remittance's new payments do to their
// claims and follow-up work, then writes it all at once.
type posting struct {
	a      *Applier
	claims []claimPayments
	// claimNotes and shareNotes hold, per claim, the entry for its claim
	// follow-up and the one for its patient's balance follow-up: the
	// order in which applying claim by claim writes them.
	claimNotes, shareNotes []*Activity
	claimChanges           []ClaimChange
	followupChanges        FollowupChanges
	followups              map[string]work.Followup // claim follow-ups by claim id
	// raise holds the claims whose follow-up is to be created and raised.
	raise []raising
	// shares holds the claims whose patient's share is to be followed
	// up, in order.
	shares []share
}

// share is claim i's payments leaving the patient a share, r.
type share struct {
	i int
	r Remittance
}

// raising is a claim follow-up to create, then raise with a note.
type raising struct {
	i      int
	stage  Stage
	reason string
	note   Activity
}

// run looks up the claims' follow-ups, judges each claim, and writes the
// claims, the follow-ups to create, and the changes to the others.
func (p *posting) run(ctx context.Context) error {
	a := p.a
	ids := make([]string, len(p.claims))
	for i, m := range p.claims {
		ids[i] = m.claim.ID
	}
	var err error
	if p.followups, err = a.s.store.Followups(ctx, a.tx, policy.ClaimFollowup, work.SubjectClaim, ids); err != nil {
		return err
	}
	for i := range p.claims {
		p.judge(i)
	}
	if err := a.s.store.SetClaims(ctx, a.tx, p.claimChanges, a.now); err != nil {
		return err
	}
	if err := p.createAndShare(ctx); err != nil {
		return err
	}
	for i := range p.claims {
		for _, n := range []*Activity{p.claimNotes[i], p.shareNotes[i]} {
			if n != nil {
				p.followupChanges.Notes = append(p.followupChanges.Notes, *n)
			}
		}
	}
	return a.s.store.ChangeFollowups(ctx, a.tx, a.practice, p.followupChanges, a.now)
}

// judge decides what claim i's payments, taken together, do.
func (p *posting) judge(i int) {
	c := p.claims[i].claim
	n := Net(p.claims[i].rs)
	note, r := n.Summary(), n.Result
	switch n.Verdict {
	case Paid:
		status := records.ClaimPaid
		if r.PatientResponsibilityCents > 0 {
			status = records.ClaimPartial
		}
		p.claimChanges = append(p.claimChanges, ClaimChange{ClaimID: c.ID, Status: status, Paid: r.PaidCents, Patient: r.PatientResponsibilityCents})
		if f, ok := p.followups[c.ID]; ok {
			p.a.Report.ItemsResolved++
			p.followupChanges.Resolved = append(p.followupChanges.Resolved, f.ID)
			p.claimNotes[i] = &Activity{ItemID: f.ID, PatientID: f.PatientID, Outcome: work.PayerPaid, Note: note}
		}
		p.share(i, r)
	case Denied:
		p.claimChanges = append(p.claimChanges, ClaimChange{ClaimID: c.ID, Status: records.ClaimDenied, Patient: r.PatientResponsibilityCents})
		p.raiseFollowup(i, StageDenied, DenialReasons(r.Adjustments), note)
		p.share(i, r)
	case Reversed:
		p.claimChanges = append(p.claimChanges, ClaimChange{ClaimID: c.ID, Status: records.ClaimPending, Paid: r.PaidCents, Add: true})
		p.raiseFollowup(i, StageNone, "", note)
	default:
		if f, ok := p.followups[c.ID]; ok {
			p.claimNotes[i] = &Activity{ItemID: f.ID, PatientID: f.PatientID, Outcome: work.PayerStatus, Note: note}
		}
	}
}

// raiseFollowup brings claim i's follow-up back to work now, in stage
// with the payer's reasons, or creates it when there is none.
func (p *posting) raiseFollowup(i int, stage Stage, reason, note string) {
	outcome := stageOutcomes[stage]
	if outcome == "" {
		outcome = work.PayerReversed
	}
	if len(reason) > maxStageReason {
		reason = reason[:maxStageReason]
	}
	f, ok := p.followups[p.claims[i].claim.ID]
	if !ok {
		p.raise = append(p.raise, raising{i: i, stage: stage, reason: reason, note: Activity{Outcome: outcome, Note: note}})
		return
	}
	p.a.Report.ItemsRaised++
	p.followupChanges.Stages = append(p.followupChanges.Stages, StageChange{ItemID: f.ID, Stage: stage, Reason: reason})
	if f.State == work.Waiting {
		p.followupChanges.Recalls = append(p.followupChanges.Recalls, Recall{Followup: f, Kind: policy.ClaimFollowup})
	}
	p.claimNotes[i] = &Activity{ItemID: f.ID, PatientID: f.PatientID, Outcome: outcome, Note: note}
}

// share notes that claim i leaves the patient a share to follow up.
func (p *posting) share(i int, r Remittance) {
	if r.PatientResponsibilityCents > 0 {
		p.shares = append(p.shares, share{i: i, r: r})
	}
}
