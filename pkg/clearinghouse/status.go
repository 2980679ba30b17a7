package clearinghouse

import (
	"context"
	"database/sql"
	"time"

	"github.com/backdesk/backdesk/pkg/payer"
	"github.com/backdesk/backdesk/pkg/practice"
)

// Claim status inquiries (276 out, 277 back) follow eligibility checks:
// a claim follow-up made for a practice linked to a connection, about a
// claim whose payer answers 276s through it, waits in StageToAsk; the
// exchange asks about it in the practice's 276 batch; the 277 answer is
// posted the way an imported claim status file is (pkg/payer), and what
// the posting left of the follow-up decides the rest: resolved, waiting
// for the payer or the remittance, or with an agent now.
//
// A 276 carries the office's claim number as its trace (TRN02), which the
// 277 echoes. A claim number is unique in its practice only, and a claim
// may be asked about again later, so an inquiry is kept under the key
// "<batch file id>/<claim number>" and an answer finds its question by
// claim number among the unanswered 276 inquiries asked through the
// connection it came on; when practices sharing the connection both wait
// on the same claim number, the NPI of the answer's provider level picks
// the practice, and an answer it cannot place is counted unmatched.

// More outcomes of an inquiry, those of a 276's answer. With
// OutcomeNeedsAgent and OutcomeLate they are what its record keeps.
const (
	// OutcomeResolved: the payer's answer finished the follow-up (paid).
	OutcomeResolved = "resolved"
	// OutcomePending: the claim is in the payer's hands; the follow-up
	// waits the practice's usual wait for the payer before an agent calls.
	OutcomePending = "pending"
	// OutcomeAwaitingRemittance: the claim is finalized; the follow-up
	// waits for the remittance that says what was paid.
	OutcomeAwaitingRemittance = "awaiting_remittance"
)

// AnsweredWithoutCall reports whether an inquiry's outcome spared an
// agent the call: its follow-up was resolved or given a new date by the
// answer alone.
func AnsweredWithoutCall(outcome string) bool {
	switch outcome {
	case OutcomeResolved, OutcomePending, OutcomeAwaitingRemittance:
		return true
	}
	return false
}

// ClaimQuestion is a claim follow-up waiting to be asked about, with what
// a 276 needs: the claim, the patient (as the subscriber: the practice's
// records name no other) and the practice.
type ClaimQuestion struct {
	ItemID           string
	PracticeID       string
	PatientID        string
	State            string // the item's state
	Owned            bool
	ClaimNumber      string // the office's claim number (claims.external_id)
	PayerName        string
	MemberID         string // the claim's subscriber id
	PayerClaimNumber string // the payer's claim control number from an earlier status, if any
	BilledCents      int64
	ServiceDate      time.Time // zero when the record has none
	FirstName        string
	LastName         string
	BirthDate        time.Time // zero when the practice's record has none
	Practice         string    // the practice's name
	NPI              string
	Timezone         string
}

// ClaimAsked is an unanswered 276 question, found by the claim number its
// answer echoes, with where its follow-up stands.
type ClaimAsked struct {
	Inquiry
	ClaimNumber string
	PracticeNPI string
	ItemState   string
	ItemStage   string
	Owned       bool
}

// ItemStanding is where a work item stands.
type ItemStanding struct {
	State string
	Stage string
	Owned bool
}

// ClaimStatusStore is the storage claim status inquiries need beyond
// Store; chstore.Store has it. Writes run in the caller's transaction.
type ClaimStatusStore interface {
	// ClaimPayers returns, of itemIDs, the claim follow-ups and their
	// claims' payer names, by item id, in one read.
	ClaimPayers(ctx context.Context, tx *sql.Tx, itemIDs []string) (map[string]string, error)
	// PendingClaims returns, in one read, up to limit claim follow-ups of
	// the practices linked to connectionID that wait in StageToAsk.
	PendingClaims(ctx context.Context, tx *sql.Tx, connectionID string, limit int) ([]ClaimQuestion, error)
	// ClaimsAsked returns the unanswered 276 inquiries asked through
	// connectionID, at the practices linked to it, about the claims
	// numbers name, newest first.
	ClaimsAsked(ctx context.Context, tx *sql.Tx, connectionID string, numbers []string) ([]ClaimAsked, error)
	// Standing reads where items stand, by id, in one read.
	Standing(ctx context.Context, tx *sql.Tx, itemIDs []string) (map[string]ItemStanding, error)
}

// PracticeRules reads a practice's policies and time zone, which posting
// a claim status needs; practice.Service is one.
type PracticeRules interface {
	Rules(ctx context.Context, practiceID string) (practice.Policies, string, error)
}

// claimStatusStore is a service's store once SetClaimStatus has given it
// what claim status inquiries need.
type claimStatusStore struct {
	Store
	ClaimStatusStore
	payers *payer.Service
	rules  PracticeRules
}

// SetClaimStatus turns claim status inquiries on: payers posts the 277
// answers, as imports do, under the practices' rules. Without it (or when
// the store has no ClaimStatusStore) no claim follow-up is held, no 276
// is asked and a 277 is refused. Call it before the service is used.
func (s *Service) SetClaimStatus(payers *payer.Service, rules PracticeRules) {
	base := s.store
	if w, ok := base.(*claimStatusStore); ok {
		base = w.Store
	}
	s.store = base
	cs, ok := base.(ClaimStatusStore)
	if !ok || payers == nil || rules == nil {
		return
	}
	s.store = &claimStatusStore{Store: base, ClaimStatusStore: cs, payers: payers, rules: rules}
}

// claimStatus returns what claim status inquiries need, when turned on.
func (s *Service) claimStatus() (*claimStatusStore, bool) {
	w, ok := s.store.(*claimStatusStore)
	return w, ok
}
