package clearinghouse

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/payer"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/backdesk/backdesk/pkg/x12/codes"
	"github.com/backdesk/backdesk/pkg/x12/x12write"
	"github.com/backdesk/backdesk/pkg/x12/x270"
	"github.com/google/uuid"
)

// MaxPerExchange bounds the checks one exchange asks about, so that one
// transaction stays short; the next exchange takes the rest.
const MaxPerExchange = 5000

// AskReport is what one exchange asked.
type AskReport struct {
	Batches  []File // one per practice, built and kept
	Asked    int    // checks in the batches
	ToAgents int    // checks that could not be asked, now with agents
}

// AskEligibility builds the 270 batches of a connection: every check
// waiting in StageToAsk at the practices linked to it goes in its
// practice's batch, or to an agent with the reason when it cannot be
// asked. Each batch is kept whole, its questions recorded by trace number
// and its sending audited, in the transaction that makes its checks wait
// for their answers; Send hands the batches over afterwards. It takes
// MaxPerExchange checks a transaction, and as many transactions as the
// waiting checks need.
func (s *Service) AskEligibility(ctx context.Context, connectionID string) (AskReport, error) {
	ctx = platform(ctx)
	conn, err := s.store.Connection(ctx, connectionID)
	if err != nil {
		return AskReport{}, err
	}
	var rep AskReport
	for {
		part, taken, err := s.askSome(ctx, conn)
		rep.Batches = append(rep.Batches, part.Batches...)
		rep.Asked += part.Asked
		rep.ToAgents += part.ToAgents
		if err != nil || taken < MaxPerExchange {
			return rep, err
		}
	}
}

// askSome asks about up to MaxPerExchange waiting checks in one
// transaction, and says how many it took.
func (s *Service) askSome(ctx context.Context, conn Connection) (AskReport, int, error) {
	var rep AskReport
	taken := 0
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		rep, taken = AskReport{}, 0
		now := s.clock()
		payers, err := s.store.Payers(ctx, tx, conn.ID)
		if err != nil {
			return err
		}
		checks, err := s.store.PendingChecks(ctx, tx, conn.ID, MaxPerExchange)
		if err != nil || len(checks) == 0 {
			return err
		}
		taken = len(checks)
		ask, unasked := Sort(checks, payers, conn.Name)
		if err := s.toAgents(ctx, tx, unasked, now); err != nil {
			return err
		}
		rep.ToAgents = len(unasked)
		for _, practiceID := range slices.Sorted(maps.Keys(ask)) {
			f, err := s.askPractice(ctx, tx, conn, ask[practiceID], now)
			if err != nil {
				return err
			}
			rep.Batches = append(rep.Batches, f)
			rep.Asked += len(ask[practiceID])
		}
		return nil
	})
	return rep, taken, err
}

// toAgents brings the checks that cannot be asked to agents now, with
// the reason on each, a practice's at a time.
func (s *Service) toAgents(ctx context.Context, tx *sql.Tx, unasked []Unasked, now time.Time) error {
	byPractice := map[string]*payer.FollowupChanges{}
	for _, u := range unasked {
		ch := byPractice[u.Check.PracticeID]
		if ch == nil {
			ch = &payer.FollowupChanges{}
			byPractice[u.Check.PracticeID] = ch
		}
		raise(ch, u.Check.ItemID, u.Check.PatientID, u.Check.State, u.Check.Owned, u.Reason)
	}
	for _, p := range slices.Sorted(maps.Keys(byPractice)) {
		if err := s.work.ChangeFollowups(ctx, tx, p, *byPractice[p], now); err != nil {
			return err
		}
	}
	return nil
}

// raise adds to ch what brings a check to a person: the stage and
// reason, a recall when it waits, and the reason in its history.
func raise(ch *payer.FollowupChanges, itemID, patientID, state string, owned bool, reason string) {
	raiseKind(ch, policy.EligibilityCheck, itemID, patientID, state, owned, reason)
}

// raiseKind is raise for an item of any kind: a recalled item nobody owns
// is routed in its own kind's queue.
func raiseKind(ch *payer.FollowupChanges, kind policy.Kind, itemID, patientID, state string, owned bool, reason string) {
	if len(reason) > maxReason {
		reason = reason[:maxReason]
	}
	ch.Stages = append(ch.Stages, payer.StageChange{ItemID: itemID, Stage: payer.Stage(StageNeedsAgent), Reason: reason})
	if state == string(work.Waiting) {
		ch.Recalls = append(ch.Recalls, payer.Recall{Followup: work.Followup{ID: itemID, PatientID: patientID,
			State: work.Waiting, Owned: owned}, Kind: kind})
	}
	outcome := work.CoverageQuestion
	if kind != policy.EligibilityCheck {
		outcome = work.PayerStatus
	}
	ch.Notes = append(ch.Notes, payer.Activity{ItemID: itemID, PatientID: patientID, Outcome: outcome, Note: reason})
}

// maxReason bounds a reason kept with a stage, as the desk does.
const maxReason = 1000

// askPractice builds, keeps and records one practice's batch.
func (s *Service) askPractice(ctx context.Context, tx *sql.Tx, conn Connection, asked []Asked, now time.Time) (File, error) {
	control, err := s.store.NextControl(ctx, tx, conn.SenderQualifier+":"+conn.SenderID)
	if err != nil {
		return File{}, err
	}
	batch := x270.Batch{Envelope: s.envelope(conn, control, "HS", "005010X279A1", now), TraceOriginator: originator(conn.SenderID)}
	var inquiries []Inquiry
	fileID := uuid.Must(uuid.NewV7()).String()
	for _, a := range asked {
		trace := strings.ReplaceAll(uuid.Must(uuid.NewV7()).String(), "-", "")
		c := a.Check
		batch.Requests = append(batch.Requests, x270.Request{
			TraceNumber: trace,
			Payer:       x270.Party{Name: c.PayerName, ID: a.PayerID},
			Provider:    x270.Provider{Name: c.Practice, NPI: c.NPI},
			Subscriber:  x270.Person{First: c.FirstName, Last: c.LastName, MemberID: c.MemberID, BirthDate: c.BirthDate},
			ServiceDate: c.VisitAt.In(zone(c.Timezone)),
			// The visit's day in the practice's zone is the date of service.
			ServiceTypes: codes.DentalServiceTypes(c.Planned),
		})
		inquiries = append(inquiries, Inquiry{Trace: trace, PracticeID: c.PracticeID, WorkItemID: c.ItemID,
			PatientID: c.PatientID, Kind: "270", FileID: fileID, AskedAt: now})
	}
	var buf bytes.Buffer
	if _, err := x270.Write(&buf, batch); err != nil {
		return File{}, fmt.Errorf("build the 270 batch for %s: %w", conn.Name, err)
	}
	items := make([]sentItem, len(asked))
	for i, a := range asked {
		items[i] = sentItem{ItemID: a.Check.ItemID, PatientID: a.Check.PatientID}
	}
	first := asked[0].Check
	return s.keepBatch(ctx, tx, conn, sentBatch{Kind: "270", Control: control, FileID: fileID, Body: buf.Bytes(),
		PracticeID: first.PracticeID, Timezone: first.Timezone, About: "coverage", Items: items, Inquiries: inquiries}, now)
}

// sentItem is one work item a batch asks about.
type sentItem struct{ ItemID, PatientID string }

// sentBatch is one practice's batch as built: its bytes, what it asks
// about (in words, for the items' reasons and history) and of which items.
type sentBatch struct {
	Kind       string // 270 or 276
	Control    int64  // its ISA13
	FileID     string
	Body       []byte
	PracticeID string
	Timezone   string // the practice's, for the reason's times
	About      string // "coverage", "the claim's status"
	Items      []sentItem
	Inquiries  []Inquiry
}

// keepBatch keeps a practice's built batch and records what it asked, in
// tx: the file, its inquiries, the items waiting for their answers with
// the reason in words, a history entry each, and the audit event of the
// disclosure naming every patient in it.
func (s *Service) keepBatch(ctx context.Context, tx *sql.Tx, conn Connection, b sentBatch, now time.Time) (File, error) {
	patients := map[string]bool{}
	ids := make([]string, len(b.Items))
	for i, it := range b.Items {
		ids[i] = it.ItemID
		patients[it.PatientID] = true
	}
	f := s.newFile(conn.ID, b.PracticeID, Out, b.Kind, fmt.Sprintf("%09d", b.Control), b.Body, now)
	f.ID, f.Name, f.State, f.Patients = b.FileID, fmt.Sprintf("%s-%09d.x12", b.Kind, b.Control), Built, len(patients)
	if _, _, err := s.store.AddFile(ctx, tx, f); err != nil {
		return File{}, err
	}
	if err := s.store.AddInquiries(ctx, tx, b.Inquiries); err != nil {
		return File{}, err
	}
	until := now.Add(conn.AnswerWithin)
	loc := zone(b.Timezone)
	reason := fmt.Sprintf("Asked %s about %s on %s; waiting for the answer until %s.", conn.Name, b.About,
		now.In(loc).Format("Jan 2 at 3:04 PM MST"), until.In(loc).Format("Jan 2 at 3:04 PM MST"))
	if err := s.store.AwaitAnswers(ctx, tx, ids, StageAsked, reason, until, now); err != nil {
		return File{}, err
	}
	ch := payer.FollowupChanges{}
	for _, it := range b.Items {
		ch.Notes = append(ch.Notes, payer.Activity{ItemID: it.ItemID, PatientID: it.PatientID, Outcome: work.ClearinghouseAsked,
			Note: "Asked " + conn.Name + " about " + b.About + " (" + b.Kind + ", interchange " + f.InterchangeControl + ")."})
	}
	if err := s.work.ChangeFollowups(ctx, tx, b.PracticeID, ch, now); err != nil {
		return File{}, err
	}
	ev := audit.Change(s.by, now, audit.ActionClearinghouseSend, b.PracticeID, audit.TargetClearinghouseFile, f.ID)
	ev.PatientIDs = slices.Sorted(maps.Keys(patients))
	ev.Purpose = "payment"
	ev.Counts = map[string]int{"requests": len(b.Items), "patients": len(patients), "bytes": int(f.Size)}
	return f, s.trail.Append(ctx, tx, []audit.Event{ev})
}

// newFile makes the record of a file's bytes, kept for the retention
// period.
func (s *Service) newFile(connectionID, practiceID string, dir Direction, kind, control string, body []byte, now time.Time) File {
	sum := sha256.Sum256(body)
	return File{ID: uuid.Must(uuid.NewV7()).String(), ConnectionID: connectionID, PracticeID: practiceID, Direction: dir,
		Kind: kind, InterchangeControl: control, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(body)), Body: body,
		CreatedAt: now, RetainUntil: now.Add(s.retention)}
}

// envelope is the ISA and GS of a batch on conn; the group's control
// number is the interchange's, so a 999 (which names the group) and a TA1
// (which names the interchange) find the same batch.
func (s *Service) envelope(conn Connection, control int64, functional, version string, now time.Time) x12write.Envelope {
	return x12write.Envelope{
		SenderQualifier: conn.SenderQualifier, SenderID: conn.SenderID,
		ReceiverQualifier: conn.ReceiverQualifier, ReceiverID: conn.ReceiverID,
		FunctionalID: functional, Version: version, InterchangeControl: control, GroupControl: control,
		Production: conn.Production, AckRequested: true, At: now,
	}
}

// originator is TRN03 for the traces Backdesk assigns: "9" and nine bytes
// of the sender id, an identifier of its own.
func originator(senderID string) string {
	id := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' {
			return r - 'a' + 'A'
		}
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			return r
		}
		return -1
	}, senderID)
	return "9" + (id + "000000000")[:9]
}

// zone loads a practice's time zone, or UTC when it cannot.
func zone(name string) *time.Location {
	if loc, err := time.LoadLocation(name); err == nil {
		return loc
	}
	return time.UTC
}
