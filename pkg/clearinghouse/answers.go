package clearinghouse

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
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
)

// decided is what an answer does to its check.
type decided struct {
	answered Answered
	benefits Benefits
	resolve  bool
}

// decide judges one 271 answer to the question q: a clear answer
// (coverage active, nothing standing in the way of the planned
// procedures on the visit's day) resolves the check; anything else brings
// it to an agent with the reasons in words. The benefits are kept either
// way.
func decide(q Answering, a x271.Answer, fileID string, now time.Time) decided {
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
	for _, a := range answers {
		q, ok := question(byTrace, a.TraceNumbers)
		if !ok {
			out.Unmatched++
			continue
		}
		delete(byTrace, q.Trace) // a second answer to the same question is not applied twice
		d := decide(q, a, f.ID, now)
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
