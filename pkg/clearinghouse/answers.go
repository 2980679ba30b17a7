package clearinghouse

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/payer"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/backdesk/backdesk/pkg/x12"
	"github.com/backdesk/backdesk/pkg/x12/x271"
	"github.com/google/uuid"
)

// Outcomes of an inquiry, as its record keeps them.
const (
	OutcomeVerified   = "verified"    // clear: the check was resolved with the benefits
	OutcomeNeedsAgent = "needs_agent" // the check went to an agent with the reason
	OutcomeLate       = "late"        // the check was finished before the answer came
	// OutcomeAskAgain: the payer could not answer for now and allows the
	// same question again (AAA 42, 80 and the like); the check waits for
	// the next batch instead of going to an agent.
	OutcomeAskAgain = "ask_again"
)

// MaxAsks bounds how many times one check is asked before a payer that
// keeps answering "not now" leaves it to an agent.
const MaxAsks = 3

// askAgain reports whether an answer is only the payer's "not now":
// every rejection allows the same request again soon (codes.
// RetryAfterReject without the wait of W and X, which is longer than a
// visit's window), and nothing else came with them.
func askAgain(sum x271.Summary) bool {
	if len(sum.Rejections) == 0 || sum.Coverage != x271.Unknown {
		return false
	}
	for _, r := range sum.Rejections {
		if !r.Retryable() || r.FollowUp == "W" || r.FollowUp == "X" {
			return false
		}
	}
	return true
}

// decided is what an answer does to its check.
type decided struct {
	answered Answered
	benefits Benefits
	resolve  bool
	again    bool // asked again in the next batch
}

// decide judges one 271 answer to the question q: a clear answer
// (coverage active, nothing standing in the way of the planned
// procedures on the visit's day) resolves the check; the payer's "not
// now" asks again in the next batch, while the check has been asked fewer
// than MaxAsks times, nobody owns it and another answer window (within)
// still ends a day before the visit; anything else brings it to an agent
// with the reasons in words. The benefits are kept either way.
func decide(q Answering, a x271.Answer, fileID string, within time.Duration, now time.Time) decided {
	sum := a.Summary()
	asOf := a.Answered
	if asOf.IsZero() {
		asOf = now
	}
	raw, _ := json.Marshal(sum) // plain data: cannot fail
	d := decided{benefits: Benefits{ID: uuid.Must(uuid.NewV7()).String(), PracticeID: q.PracticeID, PatientID: q.PatientID,
		PayerName: q.PayerName, Plan: sum.Plan, Group: sum.Group, Coverage: sum.Coverage.String(), Summary: raw,
		Lines: sum.Lines(asOf), AnsweredAt: now, FileID: fileID, WorkItemID: q.WorkItemID}}
	if sum.AnnualMaxRemaining.Known {
		left := sum.AnnualMaxRemaining.Cents
		d.benefits.MaxLeft = &left
		d.benefits.BenefitsEnd = sum.PlanYearEnd(asOf).Format(time.DateOnly)
	}
	d.answered.Trace = q.Trace
	problems := sum.Problems(q.Planned, q.VisitAt)
	switch {
	case q.ItemState == string(work.Resolved) || q.ItemState == string(work.Closed):
		d.answered.Outcome = OutcomeLate
	case len(problems) == 0:
		d.answered.Outcome, d.resolve = OutcomeVerified, true
	case askAgain(sum) && q.Times < MaxAsks && !q.Owned && now.Add(within).Before(q.VisitAt.Add(-24*time.Hour)):
		d.answered.Outcome, d.again = OutcomeAskAgain, true
		d.answered.Reason = "The clearinghouse answered: " + strings.Join(problems, " ")
	default:
		d.answered.Outcome = OutcomeNeedsAgent
		d.answered.Reason = "The clearinghouse answered: " + strings.Join(problems, " ")
	}
	return d
}

// apply271 applies a file of 271 answers: each answer finds its question
// by trace number, its benefits are kept, and its check is resolved or
// brought to an agent; the practices' changes are written set-wise. It
// returns the patients the answers were about.
func (s *Service) apply271(ctx context.Context, tx *sql.Tx, conn Connection, f File, out *ApplyReport, now time.Time) ([]string, error) {
	var answers []x271.Answer
	for t, err := range x12.NewReader(bytes.NewReader(f.Body)).Transactions() {
		if err != nil {
			return nil, err
		}
		if t.Code != "271" {
			return nil, &x12.SyntaxError{Pos: t.Pos(), SegmentID: "ST", Element: 1,
				Msg: "a file of 271 answers holds another transaction set; send each kind in its own file"}
		}
		r, err := x271.Decode(t)
		if err != nil {
			return nil, err
		}
		answers = append(answers, r.Answers...)
	}
	out.Answers = len(answers)
	var traces []string
	for _, a := range answers {
		traces = append(traces, a.TraceNumbers...)
	}
	asked, err := s.store.Answering(ctx, tx, traces)
	if err != nil {
		return nil, err
	}
	byTrace := make(map[string]Answering, len(asked))
	for _, q := range asked {
		byTrace[q.Trace] = q
	}
	changes := map[string]*payer.FollowupChanges{}
	patients := map[string]bool{}
	var results []Answered
	var benefits []Benefits
	var again []string
	for _, a := range answers {
		q, ok := question(byTrace, a.TraceNumbers)
		if !ok {
			out.Unmatched++
			continue
		}
		delete(byTrace, q.Trace) // a second answer to the same question is not applied twice
		d := decide(q, a, f.ID, conn.AnswerWithin, now)
		results, benefits = append(results, d.answered), append(benefits, d.benefits)
		patients[q.PatientID] = true
		ch := changes[q.PracticeID]
		if ch == nil {
			ch = &payer.FollowupChanges{}
			changes[q.PracticeID] = ch
		}
		switch d.answered.Outcome {
		case OutcomeVerified:
			out.Verified++
			ch.Resolved = append(ch.Resolved, q.WorkItemID)
			ch.Notes = append(ch.Notes, payer.Activity{ItemID: q.WorkItemID, PatientID: q.PatientID,
				Outcome: work.CoverageVerified, Note: "Verified through " + conn.Name + ": " + strings.Join(d.benefits.Lines, "; ")})
		case OutcomeNeedsAgent:
			out.ToAgents++
			raise(ch, q.WorkItemID, q.PatientID, q.ItemState, q.Owned, d.answered.Reason)
		case OutcomeAskAgain:
			out.AskedAgain++
			again = append(again, q.WorkItemID)
			ch.Notes = append(ch.Notes, payer.Activity{ItemID: q.WorkItemID, PatientID: q.PatientID,
				Outcome: work.ClearinghouseAsked, Note: d.answered.Reason + " Asked again in the next batch."})
		}
	}
	if err := s.store.AddBenefits(ctx, tx, benefits); err != nil {
		return nil, err
	}
	if err := s.store.Answer(ctx, tx, f.ID, results, now); err != nil {
		return nil, err
	}
	for _, p := range slices.Sorted(maps.Keys(changes)) {
		if err := s.work.ChangeFollowups(ctx, tx, p, *changes[p], now); err != nil {
			return nil, err
		}
	}
	if len(again) > 0 {
		reason := fmt.Sprintf("The payer could not answer for now; to be asked of %s again in its next batch.", conn.Name)
		if err := s.store.AwaitAnswers(ctx, tx, again, StageToAsk, reason, now.Add(conn.AnswerWithin), now); err != nil {
			return nil, err
		}
	}
	return slices.Sorted(maps.Keys(patients)), nil
}

// question finds the unanswered 270 question one of traces names.
func question(byTrace map[string]Answering, traces []string) (Answering, bool) {
	for _, t := range traces {
		if q, ok := byTrace[t]; ok && !q.Answered && q.Kind == "270" {
			return q, true
		}
	}
	return Answering{}, false
}
