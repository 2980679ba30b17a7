package payer

import (
	"context"
	"database/sql"
	"time"

	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/pkg/records"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/backdesk/backdesk/pkg/x12/codes"
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
// together. Its follow-up methods are the set-wise forms of Work's, which
// work.Desk offers one item at a time: with them a remittance changes its
// claims' follow-ups in a few statements, not a few per claim.
type Store interface {
	// Claim finds the practice's claim by its number (the patient control
	// number the practice sent).
	Claim(ctx context.Context, tx *sql.Tx, practiceID, number string) (ClaimRef, bool, error)
	// Claims finds the practice's claims by their numbers at once; a
	// number no claim has is missing from the map.
	Claims(ctx context.Context, tx *sql.Tx, practiceID string, numbers []string) (map[string]ClaimRef, error)
	// AddRemittances records claim payments at once, each unless the
	// same statement was recorded before (by an earlier import, or
	// earlier in ps); it reports for each whether it was recorded now.
	AddRemittances(ctx context.Context, tx *sql.Tx, practiceID, importID string, ps []Payment, now time.Time) ([]bool, error)
	// AddStatus records a claim status line the same way.
	AddStatus(ctx context.Context, tx *sql.Tx, practiceID, importID, claimID string, s StatusLine, now time.Time) (bool, error)
	// SetClaims records the payer's adjudication of claims at once.
	SetClaims(ctx context.Context, tx *sql.Tx, cs []ClaimChange, now time.Time) error
	// SetClaimPaid records a payment the payer reported without a
	// remittance (a finalized claim status with its amount).
	SetClaimPaid(ctx context.Context, tx *sql.Tx, claimID string, status records.ClaimStatus, paid int64, now time.Time) error
	// SetClaimStatus sets the claim's status; a recorded payment is never
	// downgraded by a later status line.
	SetClaimStatus(ctx context.Context, tx *sql.Tx, claimID string, status records.ClaimStatus, now time.Time) error
	// History reads what payers said about a claim, newest first.
	History(ctx context.Context, practiceID, claimID string, limit int) ([]Response, error)
	// Followups finds the unfinished items of kind on the subjects at
	// once, by subject id: the set-wise form of work.Desk.FindFollowup.
	Followups(ctx context.Context, tx *sql.Tx, kind policy.Kind, subject work.SubjectType, subjectIDs []string) (map[string]work.Followup, error)
	// PatientFollowups finds each patient's oldest unfinished item of kind
	// at once, by patient id: the set-wise form of
	// work.Desk.PatientFollowup.
	PatientFollowups(ctx context.Context, tx *sql.Tx, kind policy.Kind, patientIDs []string) (map[string]work.Followup, error)
	// ChangeFollowups writes what a remittance does to follow-up work in
	// a few statements, whatever the number of items: stages, then
	// recalls (routing the items nobody owns through the outbox), then
	// resolutions, then history entries.
	ChangeFollowups(ctx context.Context, tx *sql.Tx, practiceID string, ch FollowupChanges, now time.Time) error
}

// Work is the follow-up work payers' statements act on; work.Desk is it.
type Work interface {
	FindFollowup(ctx context.Context, tx *sql.Tx, kind policy.Kind, subject work.SubjectType, subjectID string) (work.Followup, bool, error)
	ResolveFollowup(ctx context.Context, tx *sql.Tx, practiceID string, f work.Followup, by string, outcome work.Outcome, note string, now time.Time) error
	RaiseFollowup(ctx context.Context, tx *sql.Tx, practiceID string, f work.Followup, kind policy.Kind, stage, reason string, now time.Time) error
	NoteFollowup(ctx context.Context, tx *sql.Tx, practiceID string, f work.Followup, by string, outcome work.Outcome, note string, now time.Time) error
	CreateOpen(ctx context.Context, tx *sql.Tx, items []work.Item, now time.Time) ([]work.Item, error)
	AwaitPayer(ctx context.Context, tx *sql.Tx, f work.Followup, stage, reason string, until, now time.Time) error
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
	Notices       []Notice
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
	return a.Remittances(ctx, []Remittance{r})
}

// Remittances applies together every claim payment one remittance makes
// on one claim (rs share the claim number): a reversal and its
// correction net to the same result whatever their order in the file.
func (a *Applier) Remittances(ctx context.Context, rs []Remittance) error {
	return a.Payments(ctx, [][]Remittance{rs})
}

// Status applies what one claim status report said about one claim.
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
	reason := s.Reason()
	note := "Claim status from the payer: " + reason + "."
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
		return a.raiseFollowup(ctx, c, stage, reason, note)
	}
	switch {
	case s.Category == "F1":
		return a.finalized(ctx, c, s)
	case s.Category == "F4":
		if err := a.s.store.SetClaimStatus(ctx, a.tx, c.ID, records.ClaimClosed, a.now); err != nil {
			return err
		}
	case s.Class() == codes.Acknowledged || s.Class() == codes.Pending || s.Class() == codes.Finalized:
		if c.Status == records.ClaimSubmitted || c.Status == records.ClaimRejected {
			if err := a.s.store.SetClaimStatus(ctx, a.tx, c.ID, records.ClaimPending, a.now); err != nil {
				return err
			}
		}
		if c.Status == records.ClaimRejected {
			return a.awaitPayer(ctx, c, StageNone, "", a.payerWait(), "Accepted after an earlier rejection: "+note)
		}
	}
	return a.noteFollowup(ctx, c, note)
}

// finalized applies a claim the payer says it has paid (F1): with the
// amount, as a remittance's payment would; without it, the claim is paid
// and its follow-up waits a short while for the remittance that says how
// much.
func (a *Applier) finalized(ctx context.Context, c ClaimRef, s StatusLine) error {
	if s.PaidCents <= 0 {
		if err := a.s.store.SetClaimStatus(ctx, a.tx, c.ID, records.ClaimPaid, a.now); err != nil {
			return err
		}
		why := "Paid per the payer's claim status, which gives no amount: waiting for the remittance"
		return a.awaitPayer(ctx, c, StageAwaitingRemittance, why, remittanceWait, "Claim status from the payer: "+s.Reason()+". "+why+".")
	}
	if err := a.s.store.SetClaimPaid(ctx, a.tx, c.ID, records.ClaimPaid, s.PaidCents, a.now); err != nil {
		return err
	}
	note := "Payer finalized the claim and paid " + Money(s.PaidCents)
	if s.BilledCents > 0 {
		note += " of " + Money(s.BilledCents)
	}
	if s.CheckNumber != "" {
		note += ", payment " + s.CheckNumber
	}
	if s.PaymentDate != "" {
		note += " on " + s.PaymentDate
	}
	return a.resolveFollowup(ctx, c, note+" (claim status).")
}

// remittanceWait is how long a claim paid per its status waits for the
// remittance before an agent looks at it.
const remittanceWait = 7 * 24 * time.Hour

// payerWait is how long a claim follow-up waits for the payer after it
// has done its part: the practice's first step after the first in the
// claim follow-up cadence (14 days by default).
func (a *Applier) payerWait() time.Duration {
	p := a.pols.Kinds[policy.ClaimFollowup]
	days := 14
	for _, st := range p.Cadence {
		if st.OffsetDays > 0 {
			days = st.OffsetDays
			break
		}
	}
	if p.MaxNextContactDays > 0 && days > p.MaxNextContactDays {
		days = p.MaxNextContactDays
	}
	return time.Duration(days) * 24 * time.Hour
}

// awaitPayer sets the claim follow-up to wait for the payer, in stage,
// until the wait is over, and writes note into its history.
func (a *Applier) awaitPayer(ctx context.Context, c ClaimRef, stage Stage, reason string, wait time.Duration, note string) error {
	f, ok, err := a.s.work.FindFollowup(ctx, a.tx, policy.ClaimFollowup, work.SubjectClaim, c.ID)
	if err != nil || !ok {
		return err
	}
	if err := a.s.work.AwaitPayer(ctx, a.tx, f, string(stage), reason, a.now.Add(wait), a.now); err != nil {
		return err
	}
	return a.s.work.NoteFollowup(ctx, a.tx, a.practice, f, Actor, work.PayerStatus, note, a.now)
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

// create makes an open follow-up of kind on the claim, scored the way
// imports score, and queues its routing; it returns the item's id, or ""
// when one was already open.
func (a *Applier) create(ctx context.Context, kind policy.Kind, c ClaimRef) (string, error) {
	it := a.newItem(kind, c)
	created, err := a.createOpen(ctx, []work.Item{it})
	if err != nil || !created[it.ID] {
		return "", err
	}
	return it.ID, nil
}

// Notice is something a payer's file says that applies to no one claim:
// a provider-level adjustment in a remittance, or a status a claim
// acknowledgment gives a whole batch or provider. It is listed in the
// import's report for the practice to see, never posted to a claim.
type Notice struct {
	Line        int    `json:"line"`    // the segment where it stands in the file
	Element     string `json:"element"` // PLB03 or STC01
	Kind        string `json:"kind"`    // NoticeProviderAdjustment or NoticeBatchStatus
	Code        string `json:"code"`    // the adjustment reason, or the status category and code
	Message     string `json:"message"`
	AmountCents int64  `json:"amount_cents,omitempty"`
	Reference   string `json:"reference,omitempty"` // PLB03-2, as the payer sent it
}

// The kinds of notices.
const (
	NoticeProviderAdjustment = "provider_adjustment"
	NoticeBatchStatus        = "batch_status"
)

// ProviderAdjustment lists a provider-level adjustment (PLB) of a
// remittance: amountCents is what it takes from the payment (negative
// when it adds, as interest does).
func (a *Applier) ProviderAdjustment(segment int, reason, reference string, amountCents int64) {
	meaning, ok := codes.ProviderAdjustmentReason(reason)
	if !ok {
		meaning = "adjustment reason " + reason
	}
	msg := "Provider-level adjustment " + reason + " (" + meaning + "): "
	if amountCents >= 0 {
		msg += Money(amountCents) + " taken from this payment"
	} else {
		msg += Money(-amountCents) + " added to this payment"
	}
	a.Report.Notices = append(a.Report.Notices, Notice{Line: segment, Element: "PLB03", Kind: NoticeProviderAdjustment,
		Code: reason, Message: msg + "; it is not posted to any claim.", AmountCents: amountCents, Reference: reference})
}

// levelNames name the levels of a claim acknowledgment above the claims.
var levelNames = map[string]string{
	"20": "every claim of the file (from the payer or clearinghouse)",
	"21": "every claim of the submitter",
	"19": "every claim of a billing provider",
}

// LevelStatus lists a status a claim acknowledgment gives a whole level
// above the claims (HL 20, 21 or 19) when it calls for action: a batch or
// provider rejected, or information requested.
func (a *Applier) LevelStatus(segment int, level string, s StatusCode) {
	if stageOfCode(s) == StageNone {
		return
	}
	who, ok := levelNames[level]
	if !ok {
		who = "hierarchy level " + level
	}
	a.Report.Notices = append(a.Report.Notices, Notice{Line: segment, Element: "STC01", Kind: NoticeBatchStatus,
		Code: s.Category + ":" + s.Code, Message: "Status for " + who + ": " + s.Meaning() + "; no claim is named, so no claim was changed."})
}
