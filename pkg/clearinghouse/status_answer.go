package clearinghouse

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/payer"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/backdesk/backdesk/pkg/x12"
	"github.com/backdesk/backdesk/pkg/x12/x277"
)

// apply277 applies a file of 277 answers to our 276s: each claim status
// finds its question by claim number (and, between practices sharing the
// connection, by the provider's NPI), is posted the way an imported claim
// status is, and what the posting left of the follow-up decides the rest
// (judgeClaim). Claim acknowledgments (277CA) and statuses no question of
// ours asked for are counted unmatched and left for the claim status
// import. It returns the patients the answers were about.
func (s *Service) apply277(ctx context.Context, tx *sql.Tx, conn Connection, f File, out *ApplyReport, now time.Time) ([]string, error) {
	cs, on := s.claimStatus()
	if !on {
		return nil, &x12.SyntaxError{Msg: "277 answers are imported as claim status files (kind claimstatus277)"}
	}
	claims, others, err := read277(f.Body)
	if err != nil {
		return nil, err
	}
	out.Answers, out.Unmatched = len(claims)+others, others
	numbers := make([]string, 0, len(claims))
	for _, c := range claims {
		numbers = append(numbers, c.PatientControlNumber)
	}
	slices.Sort(numbers)
	asked, err := cs.ClaimsAsked(ctx, tx, conn.ID, slices.Compact(numbers))
	if err != nil {
		return nil, err
	}
	pairs, unmatched := matchAnswers(claims, asked)
	out.Unmatched += unmatched
	if unmatched > 0 {
		s.log.InfoContext(ctx, "claim statuses with no question of ours", "connection", conn.Name, "file_id", f.ID, "count", unmatched)
	}
	byPractice := map[string][]claimAnswer{}
	patients := map[string]bool{}
	for _, p := range pairs {
		byPractice[p.asked.PracticeID] = append(byPractice[p.asked.PracticeID], p)
		patients[p.asked.PatientID] = true
	}
	var results []Answered
	for _, practiceID := range slices.Sorted(maps.Keys(byPractice)) {
		got, err := s.postClaims(ctx, tx, cs, conn, f, practiceID, byPractice[practiceID], out, now)
		if err != nil {
			return nil, err
		}
		results = append(results, got...)
	}
	if err := s.store.Answer(ctx, tx, f.ID, results, now); err != nil {
		return nil, err
	}
	return slices.Sorted(maps.Keys(patients)), nil
}

// claimAnswer is one claim status and the question it answers.
type claimAnswer struct {
	asked  ClaimAsked
	status x277.ClaimStatus
}

// read277 reads the claim statuses of a file's 277 claim status
// responses (005010X212), and counts those of other 277s (claim
// acknowledgments), which answer no question of ours. A transaction set
// that is not a 277 refuses the file.
func read277(body []byte) (claims []x277.ClaimStatus, others int, err error) {
	for t, err := range x12.NewReader(bytes.NewReader(body)).Transactions() {
		if err != nil {
			return nil, 0, err
		}
		if t.Code != "277" {
			return nil, 0, &x12.SyntaxError{Pos: t.Pos(), SegmentID: "ST", Element: 1,
				Msg: "a file of 277 answers holds another transaction set; send each kind in its own file"}
		}
		r, err := x277.Decode(t)
		if err != nil {
			return nil, 0, err
		}
		if r.ImplementationRef != "" && !strings.HasPrefix(r.ImplementationRef, "005010X212") {
			others += len(r.Claims)
			continue
		}
		claims = append(claims, r.Claims...)
	}
	return claims, others, nil
}

// matchAnswers pairs each claim status with the unanswered question about
// its claim number (asked is newest first): among practices sharing the
// connection, the one whose NPI the answer's provider level names; the
// newest question of that practice. A status it cannot place (no
// question, or questions at several practices and no NPI to choose), or a
// second status for a follow-up already paired, is unmatched.
func matchAnswers(claims []x277.ClaimStatus, asked []ClaimAsked) (pairs []claimAnswer, unmatched int) {
	byNumber := map[string][]ClaimAsked{}
	for _, q := range asked {
		byNumber[q.ClaimNumber] = append(byNumber[q.ClaimNumber], q)
	}
	paired := map[string]bool{} // work item ids
	for _, c := range claims {
		var open []ClaimAsked
		for _, q := range byNumber[c.PatientControlNumber] {
			if !paired[q.WorkItemID] {
				open = append(open, q)
			}
		}
		if npi := strings.TrimSpace(c.ProviderNPI); npi != "" {
			byNPI := slices.DeleteFunc(slices.Clone(open), func(q ClaimAsked) bool { return q.PracticeNPI != npi })
			if len(byNPI) > 0 {
				open = byNPI
			}
		}
		if len(open) == 0 || slices.ContainsFunc(open, func(q ClaimAsked) bool { return q.PracticeID != open[0].PracticeID }) {
			unmatched++
			continue
		}
		paired[open[0].WorkItemID] = true
		pairs = append(pairs, claimAnswer{asked: open[0], status: c})
	}
	return pairs, unmatched
}

// postClaims posts one practice's answered claim statuses through the
// payer's applier, under the practice's rules, then judges each follow-up
// by what the posting left of it and does the rest set-wise. It returns
// what came of each question.
func (s *Service) postClaims(ctx context.Context, tx *sql.Tx, cs *claimStatusStore, conn Connection, f File, practiceID string,
	answers []claimAnswer, out *ApplyReport, now time.Time) ([]Answered, error) {
	pols, tz, err := cs.rules.Rules(sqldb.WithPractice(ctx, practiceID), practiceID)
	if err != nil {
		return nil, err
	}
	loc := zone(tz)
	a := cs.payers.Applier(tx, practiceID, f.ID, pols, loc, now, false)
	lines := make([]*payer.StatusLine, len(answers))
	fresh := make([]bool, len(answers))
	ids := make([]string, len(answers))
	for i, ans := range answers {
		ids[i] = ans.asked.WorkItemID
		if len(ans.status.Statuses) == 0 {
			continue
		}
		line := statusLine(ans.status)
		before := a.Report.Applied
		if err := a.Status(ctx, line); err != nil {
			return nil, err
		}
		lines[i], fresh[i] = &line, a.Report.Applied > before
		out.Statuses++
	}
	standing, err := cs.Standing(ctx, tx, ids)
	if err != nil {
		return nil, err
	}
	j := judging{connection: conn.Name, now: now, loc: loc, payerWait: payerWait(pols)}
	changes := map[string]*payer.FollowupChanges{}
	waits := map[waitKey][]string{}
	results := make([]Answered, 0, len(answers))
	for i, ans := range answers {
		q, after := ans.asked, standing[ans.asked.WorkItemID]
		v := j.judge(q, after, lines[i], fresh[i])
		results = append(results, Answered{Trace: q.Trace, Outcome: v.outcome, Reason: v.record})
		switch {
		case AnsweredWithoutCall(v.outcome):
			out.Verified++
		case v.outcome == OutcomeNeedsAgent:
			out.ToAgents++
		}
		ch := changeFor(changes, practiceID)
		switch v.act {
		case actRaise:
			raiseClaim(ch, q.WorkItemID, q.PatientID, after.State, after.Owned, v.stage, v.reason)
		case actWait:
			reason := v.reason
			if len(reason) > maxReason {
				reason = reason[:maxReason]
			}
			k := waitKey{stage: string(v.stage), reason: reason, until: v.until}
			waits[k] = append(waits[k], q.WorkItemID)
		}
		if v.note != "" {
			ch.Notes = append(ch.Notes, payer.Activity{ItemID: q.WorkItemID, PatientID: q.PatientID, Outcome: work.PayerStatus, Note: v.note})
		}
	}
	if err := s.writeChanges(ctx, tx, changes, now); err != nil {
		return nil, err
	}
	keys := slices.SortedFunc(maps.Keys(waits), func(x, y waitKey) int {
		return cmp.Or(cmp.Compare(x.stage, y.stage), cmp.Compare(x.reason, y.reason), x.until.Compare(y.until))
	})
	for _, k := range keys {
		if err := s.store.AwaitAnswers(ctx, tx, waits[k], k.stage, k.reason, k.until, now); err != nil {
			return nil, err
		}
	}
	return results, nil
}

// waitKey groups the follow-ups that wait the same way, so that each
// group takes one statement.
type waitKey struct {
	stage, reason string
	until         time.Time
}

// statusLine is what a 277 said of one claim, as the payer's applier
// takes it: the first status is the primary one.
func statusLine(c x277.ClaimStatus) payer.StatusLine {
	code := func(st x277.Status) payer.StatusCode {
		return payer.StatusCode{Category: st.Category, Code: st.Code, Entity: st.Entity}
	}
	primary := c.Statuses[0]
	line := payer.StatusLine{ClaimNumber: c.PatientControlNumber, Segment: c.Pos.Segment, Category: primary.Category,
		Code: primary.Code, Entity: primary.Entity, EffectiveDate: day(primary.EffectiveDate), PayerClaimControl: c.PayerClaimControlNumber,
		BilledCents: c.BilledCents, PaidCents: c.PaidCents, CheckNumber: c.CheckNumber, PaymentDate: day(c.PaymentDate),
		AdjudicationDate: day(c.AdjudicationDate)}
	for _, st := range c.Statuses[1:] {
		line.Others = append(line.Others, code(st))
	}
	for _, l := range c.ServiceLines {
		ls := payer.LineStatus{Procedure: l.ProcedureCode, LineControl: l.LineControlNumber, ServiceDate: day(l.ServiceFrom),
			ChargeCents: l.ChargeCents}
		for _, st := range l.Statuses {
			ls.Statuses = append(ls.Statuses, code(st))
		}
		line.Lines = append(line.Lines, ls)
	}
	return line
}

// day writes a date as the payer's records keep it, or "" for none.
func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}
