package clearinghouse

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/payer"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/backdesk/backdesk/pkg/x12/x270"
	"github.com/backdesk/backdesk/pkg/x12/x276"
	"github.com/google/uuid"
)

// AskClaimStatus builds the 276 batches of a connection: every claim
// follow-up waiting in StageToAsk at the practices linked to it goes in
// its practice's batch, or to an agent with the reason when it cannot be
// asked. Each batch is kept whole, its questions recorded, and its sending
// audited, in the transaction that makes its follow-ups wait for their
// answers; Send hands the batches over afterwards. With claim status
// inquiries off (SetClaimStatus) it asks nothing.
func (s *Service) AskClaimStatus(ctx context.Context, connectionID string) (AskReport, error) {
	cs, on := s.claimStatus()
	if !on {
		return AskReport{}, nil
	}
	ctx = platform(ctx)
	conn, err := s.store.Connection(ctx, connectionID)
	if err != nil {
		return AskReport{}, err
	}
	var rep AskReport
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		rep = AskReport{}
		now := s.clock()
		claims, err := cs.PendingClaims(ctx, tx, conn.ID, MaxPerExchange)
		if err != nil || len(claims) == 0 {
			return err
		}
		payers, err := s.store.Payers(ctx, tx, conn.ID)
		if err != nil {
			return err
		}
		ask, unasked := SortClaims(claims, payers, conn.Name)
		if err := s.claimsToAgents(ctx, tx, unasked, now); err != nil {
			return err
		}
		rep.ToAgents = len(unasked)
		for _, practiceID := range slices.Sorted(maps.Keys(ask)) {
			f, err := s.askClaims(ctx, tx, conn, ask[practiceID], now)
			if err != nil {
				return err
			}
			rep.Batches = append(rep.Batches, f)
			rep.Asked += len(ask[practiceID])
		}
		return nil
	})
	return rep, err
}

// UnaskedClaim is a claim follow-up that cannot be asked about
// electronically, and why, in words an agent reads on the item.
type UnaskedClaim struct {
	Claim  ClaimQuestion
	Reason string
}

// AskedClaim is a claim follow-up that goes in a batch: its request.
type AskedClaim struct {
	Claim   ClaimQuestion
	Request x276.Request
}

// SortClaims splits claim follow-ups into those that go in a batch, by
// practice, in claim number order, and those that go to agents now, as
// they would without a clearinghouse: a payer the connection does not
// reach for claim status (its list may have changed since the follow-up
// was held), no member id, or a request the 276 cannot carry (no last
// name, no date of service, a practice NPI that is not one). The reasons
// name fields, never their values.
func SortClaims(claims []ClaimQuestion, payers []Payer, connection string) (ask map[string][]AskedClaim, unasked []UnaskedClaim) {
	byName := make(map[string]Payer, len(payers))
	for _, p := range payers {
		byName[payerKey(p.Name)] = p
	}
	ask = map[string][]AskedClaim{}
	for _, c := range claims {
		p, known := byName[payerKey(c.PayerName)]
		r := claimRequest(c, p.ID)
		var why string
		switch {
		case !known || !p.ClaimStatus:
			why = c.PayerName + " does not answer claim status requests through " + connection + ": call the payer."
		case strings.TrimSpace(c.MemberID) == "":
			why = "No subscriber id on the claim: " + connection + " cannot be asked without one. Call the payer."
		default:
			if e := r.Check(); e != nil {
				why = "The claim status request could not be built (" + strings.TrimSpace(e.Field+" "+e.Problem) + "): call the payer."
			}
		}
		if why != "" {
			unasked = append(unasked, UnaskedClaim{Claim: c, Reason: why})
			continue
		}
		ask[c.PracticeID] = append(ask[c.PracticeID], AskedClaim{Claim: c, Request: r})
	}
	for _, a := range ask {
		slices.SortFunc(a, func(x, y AskedClaim) int {
			return cmp.Or(cmp.Compare(x.Claim.ClaimNumber, y.Claim.ClaimNumber), cmp.Compare(x.Claim.ItemID, y.Claim.ItemID))
		})
	}
	return ask, unasked
}

// claimRequest is the 276 request about c to the payer the clearinghouse
// knows as payerID. The patient goes as the subscriber: a practice's
// records carry the claim's subscriber id, not the subscriber's name.
func claimRequest(c ClaimQuestion, payerID string) x276.Request {
	return x276.Request{
		Payer:      x270.Party{Name: c.PayerName, ID: payerID},
		Provider:   x270.Provider{Name: c.Practice, NPI: c.NPI},
		Subscriber: x270.Person{First: c.FirstName, Last: c.LastName, MemberID: c.MemberID, BirthDate: c.BirthDate},
		Claim: x276.Claim{ClaimID: c.ClaimNumber, PayerClaimNumber: c.PayerClaimNumber, ChargeCents: c.BilledCents,
			From: c.ServiceDate},
	}
}

// claimsToAgents gives the claim follow-ups that cannot be asked to
// agents now, as without a clearinghouse, with the reason on each.
func (s *Service) claimsToAgents(ctx context.Context, tx *sql.Tx, unasked []UnaskedClaim, now time.Time) error {
	changes := map[string]*payer.FollowupChanges{}
	for _, u := range unasked {
		c := u.Claim
		raiseClaim(changeFor(changes, c.PracticeID), c.ItemID, c.PatientID, c.State, c.Owned, payer.StageNone, u.Reason)
	}
	return s.writeChanges(ctx, tx, changes, now)
}

// changeFor returns a practice's changes, made on first use.
func changeFor(changes map[string]*payer.FollowupChanges, practiceID string) *payer.FollowupChanges {
	ch := changes[practiceID]
	if ch == nil {
		ch = &payer.FollowupChanges{}
		changes[practiceID] = ch
	}
	return ch
}

// writeChanges writes each practice's changes, a practice at a time.
func (s *Service) writeChanges(ctx context.Context, tx *sql.Tx, changes map[string]*payer.FollowupChanges, now time.Time) error {
	for _, p := range slices.Sorted(maps.Keys(changes)) {
		if err := s.work.ChangeFollowups(ctx, tx, p, *changes[p], now); err != nil {
			return err
		}
	}
	return nil
}

// raiseClaim adds to ch what brings a claim follow-up to an agent now: the
// stage and reason, and a recall to its queue (or its owner's) when it
// waits.
func raiseClaim(ch *payer.FollowupChanges, itemID, patientID, state string, owned bool, stage payer.Stage, reason string) {
	if len(reason) > maxReason {
		reason = reason[:maxReason]
	}
	ch.Stages = append(ch.Stages, payer.StageChange{ItemID: itemID, Stage: stage, Reason: reason})
	if state == string(work.Waiting) {
		ch.Recalls = append(ch.Recalls, payer.Recall{Followup: work.Followup{ID: itemID, PatientID: patientID,
			State: work.Waiting, Owned: owned}, Kind: policy.ClaimFollowup})
	}
}

// askClaims builds, keeps and records one practice's 276 batch. The
// information receiver is the submitter the connection knows by its
// sender id, which stands for its name too.
func (s *Service) askClaims(ctx context.Context, tx *sql.Tx, conn Connection, asked []AskedClaim, now time.Time) (File, error) {
	control, err := s.store.NextControl(ctx, tx, conn.SenderQualifier+":"+conn.SenderID)
	if err != nil {
		return File{}, err
	}
	batch := x276.Batch{Envelope: s.envelope(conn, control, x276.FunctionalID, x276.Version, now),
		Receiver: x270.Party{Name: conn.SenderID, ID: conn.SenderID}}
	fileID := uuid.Must(uuid.NewV7()).String()
	inquiries := make([]Inquiry, 0, len(asked))
	items := make([]sentItem, 0, len(asked))
	for _, a := range asked {
		c := a.Claim
		batch.Requests = append(batch.Requests, a.Request)
		inquiries = append(inquiries, Inquiry{Trace: claimKey(fileID, c.ClaimNumber), PracticeID: c.PracticeID,
			WorkItemID: c.ItemID, PatientID: c.PatientID, Kind: "276", FileID: fileID, AskedAt: now})
		items = append(items, sentItem{ItemID: c.ItemID, PatientID: c.PatientID})
	}
	var buf bytes.Buffer
	if _, err := x276.Write(&buf, batch); err != nil {
		return File{}, fmt.Errorf("build the 276 batch for %s: %w", conn.Name, err)
	}
	first := asked[0].Claim
	return s.keepBatch(ctx, tx, conn, sentBatch{Kind: "276", Control: control, FileID: fileID, Body: buf.Bytes(),
		PracticeID: first.PracticeID, Timezone: first.Timezone, About: "the claim's status", Items: items, Inquiries: inquiries}, now)
}

// claimKey is the key a 276 inquiry is kept under: its batch's file id
// and the claim number the 277 echoes, unique across practices sharing a
// connection and across the times one claim is asked about.
func claimKey(fileID, claimNumber string) string { return fileID + "/" + claimNumber }
