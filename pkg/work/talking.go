package work

import "github.com/backdesk/backdesk/pkg/policy"

// TalkingPoints returns what an agent should cover on the next contact
// for an item of kind whose last logged outcome is last ("" before the
// first contact): the kind's opening points first, then what the last
// outcome calls for. They are plain guidance with no patient data in them.
func TalkingPoints(kind policy.Kind, last Outcome) []string {
	var out []string
	if last == "" {
		out = append(out, openers[kind]...)
	} else if p, ok := afterOutcome[kind][last]; ok {
		out = append(out, p...)
	} else if p, ok := afterAny[last]; ok {
		out = append(out, p...)
	} else {
		out = append(out, openers[kind]...)
	}
	return append(out, closers[kind]...)
}

var openers = map[policy.Kind][]string{
	policy.ClaimFollowup: {
		"Check the payer's latest response on the claim before calling.",
		"Ask whether the claim was received, and its status and claim number.",
		"If it is pending, ask what the payer still needs and when it will be processed.",
	},
	policy.BalanceFollowup: {
		"Confirm you are speaking with the guarantor before discussing the balance.",
		"State the balance and the oldest unpaid date of service.",
		"Offer to take payment now, or agree a date and amount.",
	},
	policy.Recare: {
		"Say the patient is due for their recall visit and offer two times.",
		"Ask whether their insurance or contact details have changed.",
	},
	policy.TreatmentFollowup: {
		"Remind the patient of the treatment the dentist recommended.",
		"Ask what is holding them back: cost, time or questions for the dentist.",
		"Offer a time to schedule, or an estimate of their share of the cost.",
	},
	policy.EligibilityCheck: {
		"Verify active coverage, plan year and remaining annual maximum.",
		"Ask for frequency limits and waiting periods on the planned services.",
	},
}

var closers = map[policy.Kind][]string{
	policy.ClaimFollowup:     {"Write down the call reference number and the representative's name."},
	policy.BalanceFollowup:   {"Before you end, agree the next contact date and write it in the outcome."},
	policy.Recare:            {"If they decline, ask whether to stop recall reminders."},
	policy.TreatmentFollowup: {"Before you end, agree the next contact date and write it in the outcome."},
	policy.EligibilityCheck:  {"Write down the call reference number."},
}

// afterOutcome holds the points that follow a given last outcome for a
// kind; afterAny holds those that read the same for every kind.
var afterOutcome = map[policy.Kind]map[Outcome][]string{
	policy.ClaimFollowup: {
		StatusReceived: {"Compare the payer's status with what they said last time; if nothing moved, ask for a supervisor or escalation."},
		Resubmitted:    {"Confirm the corrected claim was received and is not a duplicate denial."},
		Appealed:       {"Ask whether the appeal was received and when a decision is due."},
		PayerDenied: {"The payer denied the claim: read the denial reasons in the payer history first.",
			"Decide with the practice between a corrected claim and an appeal, and note which."},
		PayerRejected:      {"The payer rejected the claim before adjudication: find the field it names, correct it and resubmit."},
		PayerInfoRequested: {"The payer asked for information: send what it asked for and note how and when it was sent."},
		PayerReversed:      {"The payer took back a payment: ask why, and whether a corrected payment is coming."},
	},
	policy.EligibilityCheck: {
		CoverageQuestion: {"The clearinghouse's answer needs a person: read the reason on the item, then ask the payer about exactly that."},
	},
	policy.BalanceFollowup: {
		PromisedPayment: {"The guarantor promised a payment: check whether it arrived before calling.", "If it did not, ask for a new date and consider a payment plan."},
		Disputed:        {"The balance was disputed: have the explanation of benefits at hand and go through it line by line."},
	},
}

var afterAny = map[Outcome][]string{
	Voicemail:   {"Last attempt reached voicemail: try a different time of day or a text first."},
	NoAnswer:    {"Last attempt went unanswered: try a different time of day or another number on file."},
	WrongNumber: {"The number on file was wrong: ask the practice for a current one before calling again."},
	Reached:     {"Pick up where the last conversation ended: read the last note first."},
	Sent:        {"A message was sent last time: ask whether it arrived and whether they have questions."},
	Disputed:    {"The last contact raised a dispute: read the note and resolve it before asking for anything else."},
}
