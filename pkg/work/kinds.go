package work

import (
	"slices"

	"github.com/backdesk/backdesk/pkg/policy"
)

// PayerFacing reports whether work of kind is done with the payer (claim
// follow-up, eligibility checks) rather than with the patient.
func PayerFacing(kind policy.Kind) bool {
	return kind == policy.ClaimFollowup || kind == policy.EligibilityCheck
}

// kindOutcomes are the outcomes that make sense for each kind of work, in
// the order an agent is offered them.
var kindOutcomes = map[policy.Kind][]Outcome{
	// A payer's provider line can go to a representative's voicemail.
	policy.ClaimFollowup:     {StatusReceived, NoAnswer, Voicemail, Reached, Resubmitted, Appealed, Sent, Paid, Declined},
	policy.EligibilityCheck:  {Reached, NoAnswer, Sent, Declined},
	policy.BalanceFollowup:   {Reached, Voicemail, NoAnswer, PromisedPayment, Paid, Disputed, WrongNumber, Sent, Declined},
	policy.Recare:            {Reached, Voicemail, NoAnswer, Scheduled, WrongNumber, Sent, Declined},
	policy.TreatmentFollowup: {Reached, Voicemail, NoAnswer, Scheduled, Disputed, WrongNumber, Sent, Declined},
}

// KindOutcomes lists the outcomes an agent is offered for work of kind;
// every outcome for a kind it does not know.
func KindOutcomes(kind policy.Kind) []Outcome {
	if o, ok := kindOutcomes[kind]; ok {
		return slices.Clone(o)
	}
	return slices.Clone(Outcomes)
}

// KindChannels lists the channels an agent is offered for work of kind:
// the payer's for payer-facing kinds, the patient's for the others, and a
// note for every kind.
func KindChannels(kind policy.Kind) []Channel {
	if PayerFacing(kind) {
		return []Channel{ByPayerCall, ByPayerPortal, ByNote}
	}
	return []Channel{ByCall, ByText, ByEmail, ByStatement, ByNote}
}

// Finishes reports whether the outcome finishes an item; one that does
// not needs a next contact date.
func (o Outcome) Finishes() bool {
	_, ok := outcomeEnds[o]
	return ok
}
