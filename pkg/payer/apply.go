package payer

import (
	"context"
	"database/sql"
	"time"

	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/pkg/records"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/backdesk/backdesk/pkg/work/priority"
	"github.com/backdesk/backdesk/pkg/x12/codes"
	"github.com/google/uuid"
)

// Actor is the actor id of the history entries payers' statements write.
const Actor = "payer"

// ClaimRef is what applying a statement needs of the claim it names.
type ClaimRef struct {
	ID, PatientID string
	Status        records.ClaimStatus
	Claim         records.Claim
}

// Store is the payer domain's storage. The writes run inside the caller's
// transaction (an import's), so a statement and all it changes commit
// together.
type Store interface {
	// Claim finds the practice's claim by its number (the patient control
	// number the practice sent).
	Claim(ctx context.Context, tx *sql.Tx, practiceID, number string) (ClaimRef, bool, error)
	// AddRemittance records a claim payment unless the same statement was
	// recorded before; it reports whether it was new.
	AddRemittance(ctx context.Context, tx *sql.Tx, practiceID, importID, claimID string, r Remittance, now time.Time) (bool, error)
	// AddStatus records a claim status line the same way.
	AddStatus(ctx context.Context, tx *sql.Tx, practiceID, importID, claimID string, s StatusLine, now time.Time) (bool, error)
	// SetClaim records the payer's adjudication; add adds paid to what
	// was paid (a reversal's negative amount).
	SetClaim(ctx context.Context, tx *sql.Tx, claimID string, status records.ClaimStatus, paid, patient int64, add bool, now time.Time) error
	// SetClaimStatus sets the claim's status; a recorded payment is never
	// downgraded by a later status line.
	SetClaimStatus(ctx context.Context, tx *sql.Tx, claimID string, status records.ClaimStatus, now time.Time) error
	// History reads what payers said about a claim, newest first.
	History(ctx context.Context, practiceID, claimID string, limit int) ([]Response, error)
}

// Work is the follow-up work payers' statements act on; work.Desk is it.
type Work interface {
	FindFollowup(ctx context.Context, tx *sql.Tx, kind policy.Kind, subject work.SubjectType, subjectID string) (work.Followup, bool, error)
	PatientFollowup(ctx context.Context, tx *sql.Tx, patientID string, kind policy.Kind) (work.Followup, bool, error)
	ResolveFollowup(ctx context.Context, tx *sql.Tx, practiceID string, f work.Followup, by string, outcome work.Outcome, note string, now time.Time) error
	RaiseFollowup(ctx context.Context, tx *sql.Tx, practiceID string, f work.Followup, kind policy.Kind, stage, reason string, now time.Time) error
	NoteFollowup(ctx context.Context, tx *sql.Tx, practiceID string, f work.Followup, by string, outcome work.Outcome, note string, now time.Time) error
	CreateOpen(ctx context.Context, tx *sql.Tx, items []work.Item, now time.Time) ([]work.Item, error)
}

// Service applies payers' statements to claims and their follow-up work,
// and reads a claim's payer history.
type Service struct {
	store Store
	work  Work
}

// NewService returns a Service.
func NewService(store Store, w Work) *Service { return &Service{store: store, work: w} }

// History reads what payers said about a claim, newest first, at most
// limit entries.
func (s *Service) History(ctx context.Context, practiceID, claimID string, limit int) ([]Response, error) {
	return s.store.History(ctx, practiceID, claimID, limit)
}

// Unmatched is a statement whose claim number matches none of the
// practice's claims. It is reported, never dropped silently.
type Unmatched struct {
	Segment int
	Kind    string // "remittance" or "status"
}

// Report counts what an application did.
type Report struct {
	Read          int // statements read (claim payments and status lines)
	Applied       int // new statements recorded
	Duplicates    int // statements recorded by an earlier import
	Unmatched     []Unmatched
	ItemsCreated  int // follow-ups created (claim or balance)
	ItemsResolved int // claim follow-ups the payer's payment resolved
	ItemsRaised   int // claim follow-ups brought back to work by a denial, rejection or request
}

// Applier applies one import's statements for one practice within tx.
type Applier struct {
	s        *Service
	tx       *sql.Tx
	practice string
	importID string
	pols     practice.Policies
	loc      *time.Location
	now      time.Time
	dry      bool // match and count, change nothing
	Report   Report
}

// Applier returns an Applier for practiceID's statements from import
// importID, within tx. With dry set it only matches and counts.
func (s *Service) Applier(tx *sql.Tx, practiceID, importID string, pols practice.Policies, loc *time.Location, now time.Time, dry bool) *Applier {
	return &Applier{s: s, tx: tx, practice: practiceID, importID: importID, pols: pols, loc: loc, now: now.UTC(), dry: dry}
}

// claim finds the statement's claim, or reports it unmatched.
func (a *Applier) claim(ctx context.Context, number string, segment int, kind string) (ClaimRef, bool, error) {
	a.Report.Read++
	c, ok, err := a.s.store.Claim(ctx, a.tx, a.practice, number)
	if err == nil && !ok {
		a.Report.Unmatched = append(a.Report.Unmatched, Unmatched{Segment: segment, Kind: kind})
	}
	return c, ok, err
}

// Remittance applies one claim payment.
func (a *Applier) Remittance(ctx context.Context, r Remittance) error {
	c, ok, err := a.claim(ctx, r.ClaimNumber, r.Segment, "remittance")
	if err != nil || !ok {
		return err
	}
	if a.dry {
		a.Report.Applied++
		return nil
	}
	fresh, err := a.s.store.AddRemittance(ctx, a.tx, a.practice, a.importID, c.ID, r, a.now)
	if err != nil || !a.counted(fresh) {
		return err
	}
	v := Judge(r)
	note := Summary(r, v)
	switch v {
	case Paid:
		status := records.ClaimPaid
		if r.PatientResponsibilityCents > 0 {
			status = records.ClaimPartial
		}
		if err := a.s.store.SetClaim(ctx, a.tx, c.ID, status, r.PaidCents, r.PatientResponsibilityCents, false, a.now); err != nil {
			return err
		}
		if err := a.resolveFollowup(ctx, c, note); err != nil {
			return err
		}
		if r.PatientResponsibilityCents > 0 {
			return a.patientShare(ctx, c, r)
		}
		return nil
	case Denied:
		if err := a.s.store.SetClaim(ctx, a.tx, c.ID, records.ClaimDenied, 0, r.PatientResponsibilityCents, false, a.now); err != nil {
			return err
		}
		return a.raiseFollowup(ctx, c, StageDenied, Reasons(r.Adjustments), note)
	case Reversed:
		if err := a.s.store.SetClaim(ctx, a.tx, c.ID, records.ClaimPending, r.PaidCents, 0, true, a.now); err != nil {
			return err
		}
		return a.raiseFollowup(ctx, c, StageNone, "", note)
	}
	return a.noteFollowup(ctx, c, note)
}

// Status applies one claim status line.
func (a *Applier) Status(ctx context.Context, s StatusLine) error {
	c, ok, err := a.claim(ctx, s.ClaimNumber, s.Segment, "status")
	if err != nil || !ok {
		return err
	}
	if a.dry {
		a.Report.Applied++
		return nil
	}
	fresh, err := a.s.store.AddStatus(ctx, a.tx, a.practice, a.importID, c.ID, s, a.now)
	if err != nil || !a.counted(fresh) {
		return err
	}
	note := "Claim status from the payer: " + s.Meaning() + "."
	if stage := StageOf(s); stage != StageNone {
		switch stage {
		case StageDenied:
			err = a.s.store.SetClaimStatus(ctx, a.tx, c.ID, records.ClaimDenied, a.now)
		case StageRejected:
			err = a.s.store.SetClaimStatus(ctx, a.tx, c.ID, records.ClaimRejected, a.now)
		}
		if err != nil {
			return err
		}
		return a.raiseFollowup(ctx, c, stage, s.Meaning(), note)
	}
	switch {
	case s.Category == "F1":
		err = a.s.store.SetClaimStatus(ctx, a.tx, c.ID, records.ClaimPaid, a.now)
	case s.Category == "F4":
		err = a.s.store.SetClaimStatus(ctx, a.tx, c.ID, records.ClaimClosed, a.now)
	case s.Class() == codes.Acknowledged || s.Class() == codes.Pending:
		if c.Status == records.ClaimSubmitted {
			err = a.s.store.SetClaimStatus(ctx, a.tx, c.ID, records.ClaimPending, a.now)
		}
	}
	if err != nil {
		return err
	}
	return a.noteFollowup(ctx, c, note)
}

// counted counts a statement as applied, or as a duplicate of one an
// earlier import recorded; it reports whether it is new.
func (a *Applier) counted(fresh bool) bool {
	if fresh {
		a.Report.Applied++
	} else {
		a.Report.Duplicates++
	}
	return fresh
}

// resolveFollowup finishes the claim's follow-up: the payer has paid.
func (a *Applier) resolveFollowup(ctx context.Context, c ClaimRef, note string) error {
	f, ok, err := a.s.work.FindFollowup(ctx, a.tx, policy.ClaimFollowup, work.SubjectClaim, c.ID)
	if err != nil || !ok {
		return err
	}
	a.Report.ItemsResolved++
	return a.s.work.ResolveFollowup(ctx, a.tx, a.practice, f, Actor, work.PayerPaid, note, a.now)
}

// stageOutcomes is what each stage writes into the item's history.
var stageOutcomes = map[Stage]work.Outcome{StageDenied: work.PayerDenied, StageRejected: work.PayerRejected,
	StageInfoRequested: work.PayerInfoRequested}

// raiseFollowup brings the claim's follow-up back to work now, creating
// it if there is none, in the given stage and with the payer's reasons.
func (a *Applier) raiseFollowup(ctx context.Context, c ClaimRef, stage Stage, reason, note string) error {
	outcome := stageOutcomes[stage]
	if outcome == "" {
		outcome = work.PayerReversed
	}
	f, ok, err := a.s.work.FindFollowup(ctx, a.tx, policy.ClaimFollowup, work.SubjectClaim, c.ID)
	if err != nil {
		return err
	}
	if ok {
		a.Report.ItemsRaised++
	} else {
		id, err := a.create(ctx, policy.ClaimFollowup, c)
		if err != nil {
			return err
		}
		f = work.Followup{ID: id, PatientID: c.PatientID, State: work.Open}
	}
	if err := a.s.work.RaiseFollowup(ctx, a.tx, a.practice, f, policy.ClaimFollowup, string(stage), reason, a.now); err != nil {
		return err
	}
	return a.s.work.NoteFollowup(ctx, a.tx, a.practice, f, Actor, outcome, note, a.now)
}

// noteFollowup writes a statement that changes nothing into the claim
// follow-up's history, when there is one.
func (a *Applier) noteFollowup(ctx context.Context, c ClaimRef, note string) error {
	f, ok, err := a.s.work.FindFollowup(ctx, a.tx, policy.ClaimFollowup, work.SubjectClaim, c.ID)
	if err != nil || !ok {
		return err
	}
	return a.s.work.NoteFollowup(ctx, a.tx, a.practice, f, Actor, work.PayerStatus, note, a.now)
}

// patientShare makes sure someone follows up the patient's share: a note
// on the patient's open balance follow-up, or a new one on the claim.
func (a *Applier) patientShare(ctx context.Context, c ClaimRef, r Remittance) error {
	note := "Patient responsibility of " + Money(r.PatientResponsibilityCents) + " from the payer's payment on a claim."
	f, ok, err := a.s.work.PatientFollowup(ctx, a.tx, c.PatientID, policy.BalanceFollowup)
	if err != nil {
		return err
	}
	if !ok {
		share := c
		share.Claim.BilledCents, share.Claim.PaidCents = r.PatientResponsibilityCents, 0
		id, err := a.create(ctx, policy.BalanceFollowup, share)
		if err != nil || id == "" {
			return err
		}
		f = work.Followup{ID: id, PatientID: c.PatientID, State: work.Open}
	}
	return a.s.work.NoteFollowup(ctx, a.tx, a.practice, f, Actor, work.PayerPaid, note, a.now)
}

// create makes an open follow-up of kind on the claim, scored the way
// imports score, and queues its routing; it returns the item's id, or ""
// when one was already open.
func (a *Applier) create(ctx context.Context, kind policy.Kind, c ClaimRef) (string, error) {
	cand := work.Candidate{Kind: kind, SubjectType: work.SubjectClaim, SubjectID: c.ID, PatientID: c.PatientID}
	it := work.NewItem(uuid.Must(uuid.NewV7()).String(), a.practice, cand, a.pols.Kinds[kind], a.now)
	p := work.Prioritize(kind, nil, &c.Claim, nil, nil, a.now, a.loc)
	it.Priority, it.Reasons = p.Score, priority.Encode(p.Reasons)
	created, err := a.s.work.CreateOpen(ctx, a.tx, []work.Item{it}, a.now)
	if err != nil || len(created) == 0 {
		return "", err
	}
	a.Report.ItemsCreated++
	return created[0].ID, nil
}
