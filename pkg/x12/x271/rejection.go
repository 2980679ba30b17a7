package x271

import (
	"github.com/backdesk/backdesk/pkg/x12"
	"github.com/backdesk/backdesk/pkg/x12/codes"
)

// Level says where in a 271 an AAA segment stood.
type Level string

// The levels of a 271, from the top.
const (
	SourceLevel     Level = "payer"    // HL 20, loops 2000A and 2100A
	ReceiverLevel   Level = "provider" // HL 21, loop 2100B
	SubscriberLevel Level = "subscriber"
	DependentLevel  Level = "dependent"
	BenefitLevel    Level = "benefit" // inside an EB loop (2110)
)

// Rejection is an AAA segment: the payer could not answer, or could not
// answer fully, and says why and what to do.
type Rejection struct {
	Level Level
	// ValidRequest is AAA01: true (Y) when the request was well formed but
	// could not be answered, false (N) when the request itself is at fault.
	ValidRequest bool
	Reason       string  // AAA03, such as 75: see codes.RejectReason
	FollowUp     string  // AAA04, such as C: see codes.FollowUpAction
	Pos          x12.Pos // where the AAA starts
}

// ReasonWords says what the reason code means, or names the bare code.
func (r Rejection) ReasonWords() string {
	if w, ok := codes.RejectReason(r.Reason); ok {
		return w
	}
	if r.Reason == "" {
		return "no reason given"
	}
	return "reason code " + r.Reason
}

// FollowUpWords says what the payer asks for, or "" when AAA04 is empty.
func (r Rejection) FollowUpWords() string {
	if w, ok := codes.FollowUpAction(r.FollowUp); ok {
		return w
	}
	if r.FollowUp == "" {
		return ""
	}
	return "follow-up code " + r.FollowUp
}

// Retryable reports whether the same request may be sent again later
// without a person changing it: see codes.RetryAfterReject.
func (r Rejection) Retryable() bool {
	return codes.RetryAfterReject(r.Reason, r.FollowUp)
}

// String gives the rejection in words, as
// `Rejected at the subscriber level: Subscriber not found (AAA 75); Correct the request and send it again`.
func (r Rejection) String() string {
	s := "Rejected at the " + string(r.Level) + " level: " + r.ReasonWords()
	if r.Reason != "" {
		s += " (AAA " + r.Reason + ")"
	}
	if f := r.FollowUpWords(); f != "" {
		s += "; " + f
	}
	return s
}
