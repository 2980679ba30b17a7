package clearinghouse

import (
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/payer"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/backdesk/backdesk/pkg/x12/codes"
)

// RemittanceWait is how long a claim follow-up waits for the remittance
// after a 277 says the claim is finalized, before an agent looks at it:
// the payer's applier waits as long for a claim paid without an amount.
const RemittanceWait = 7 * 24 * time.Hour

// act is what judging an answer asks of the exchange, beyond what the
// payer's applier did.
type act int

const (
	actNone  act = iota // the applier did what the answer calls for, or nothing is to be done
	actRaise            // to an agent now, in stage, with reason
	actWait             // wait until until, in stage, with reason; then to an agent
)

// claimVerdict is what one 277 answer comes to for the follow-up that
// asked.
type claimVerdict struct {
	outcome string // one of the Outcome constants
	record  string // what the answer said, for the inquiry's record: codes and their meanings only
	act     act
	stage   payer.Stage
	reason  string // the item's stage reason, when act is not actNone
	until   time.Time
	note    string // a history entry to write, when the applier wrote none
}

// judging is what judging a file's answers for one practice needs.
type judging struct {
	connection string
	now        time.Time
	loc        *time.Location // the practice's, for the dates in reasons
	payerWait  time.Duration
}

// judge decides what a 277 answer (line, nil when the claim came back
// with no status) comes to for the follow-up q, which the payer's applier
// has just left as after; fresh says whether the applier posted the
// status now (and wrote its note) or had posted it before.
//
// A billing office leaves to the payer what is in the payer's hands and
// calls only when the payer needs something or cannot say:
//
//   - the follow-up was finished before the answer came: late;
//   - the applier finished it (paid with an amount): resolved;
//   - the applier moved it on (denied, rejected, information requested:
//     with an agent now; paid without an amount: waits for the
//     remittance; accepted after a rejection: waits for the payer): what
//     the applier did stands;
//   - pending or acknowledged: waits the practice's usual wait for the
//     payer (its claim follow-up cadence's first step after the first),
//     then an agent follows up; but pending for information asked of the
//     practice or the patient (P3, P4) needs a person now;
//   - finalized (paid, no payment to come, revised): waits RemittanceWait
//     for the remittance;
//   - a status the applier posted before and that needs action: to an
//     agent in the stage it calls for;
//   - no status, or the payer could not answer (D0, E0-E4, unknown
//     codes): to an agent now.
func (j judging) judge(q ClaimAsked, after ItemStanding, line *payer.StatusLine, fresh bool) claimVerdict {
	if finished(q.ItemState) {
		return claimVerdict{outcome: OutcomeLate, record: said(line)}
	}
	if line == nil {
		why := j.connection + " answered the claim status request with no status: call the payer."
		return claimVerdict{outcome: OutcomeNeedsAgent, record: "no status", act: actRaise, stage: StageNeedsAgent, reason: why, note: why}
	}
	words := said(line)
	v := claimVerdict{record: words}
	switch {
	case finished(after.State):
		v.outcome = OutcomeResolved
		return v
	case after.Stage != StageAsked:
		v.outcome = OutcomeNeedsAgent
		if after.State == string(work.Waiting) {
			v.outcome = OutcomePending
			if after.Stage == string(payer.StageAwaitingRemittance) {
				v.outcome = OutcomeAwaitingRemittance
			}
		}
		return v
	}
	// The posting left the follow-up waiting for its answer: a status
	// posted before, or one the applier only notes.
	if !fresh {
		v.note = "Claim status through " + j.connection + ", as the payer said before: " + words + "."
	}
	if stage := payer.StageOf(*line); stage != payer.StageNone {
		v.outcome, v.act, v.stage = OutcomeNeedsAgent, actRaise, stage
		v.reason = "Claim status through " + j.connection + ": " + words + "."
		return v
	}
	switch line.Class() {
	case codes.Pending, codes.Acknowledged:
		if line.Category == "P3" || line.Category == "P4" {
			v.outcome, v.act, v.stage = OutcomeNeedsAgent, actRaise, StageNeedsAgent
			v.reason = "The payer waits for information it asked for (claim status through " + j.connection + ": " + words +
				"). Find out what it needs and see that it is sent."
			return v
		}
		v.outcome, v.act, v.until = OutcomePending, actWait, j.now.Add(j.payerWait)
		v.reason = "With the payer per its claim status through " + j.connection + ": " + words + ". Waiting until " +
			j.date(v.until) + " before following up."
	case codes.Finalized:
		v.outcome, v.act, v.until = OutcomeAwaitingRemittance, actWait, j.now.Add(RemittanceWait)
		if line.Category == "F1" {
			v.stage = payer.StageAwaitingRemittance
		}
		v.reason = "Finalized per the payer's claim status through " + j.connection + ": " + words +
			". Waiting for the remittance until " + j.date(v.until) + "."
	default:
		v.outcome, v.act, v.stage = OutcomeNeedsAgent, actRaise, StageNeedsAgent
		v.reason = j.connection + " could not get the claim's status from the payer: " + words + ". Call the payer."
	}
	return v
}

// date writes a day in the practice's zone, as agents read it.
func (j judging) date(t time.Time) string {
	loc := j.loc
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("Jan 2, 2006")
}

// finished reports whether an item's state is final.
func finished(state string) bool {
	return state == string(work.Resolved) || state == string(work.Closed)
}

// said is what a claim status says, in words: the primary status and the
// others, codes and their meanings, and nothing of the service lines (their
// dates are the patient's).
func said(line *payer.StatusLine) string {
	if line == nil {
		return "no status"
	}
	parts := []string{line.Meaning()}
	for _, o := range line.Others {
		parts = append(parts, o.Meaning())
	}
	return strings.Join(parts, "; ")
}

// payerWait is how long a claim the payer is working on is left with it:
// the practice's claim follow-up cadence's first step after the first
// (14 days by default), no longer than its longest wait between contacts,
// as the payer's applier waits after a rejected claim is accepted.
func payerWait(pols practice.Policies) time.Duration {
	p, ok := pols.Kinds[policy.ClaimFollowup]
	if !ok {
		p = policy.Default(policy.ClaimFollowup)
	}
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
