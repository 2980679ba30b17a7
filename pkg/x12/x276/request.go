package x276

import (
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/x12/x12write"
	"github.com/backdesk/backdesk/pkg/x12/x270"
)

// Claim is the claim a status request asks about.
type Claim struct {
	// TraceNumber is TRN02, 1 to 50 bytes, echoed in the 277's TRN*2.
	// Empty means ClaimID, which is what x277 reads back as the claim.
	TraceNumber string
	// ClaimID is the office's claim ID, the patient control number it
	// billed with (CLM01 of the 837): REF*EJ, 1 to 50 bytes.
	ClaimID string
	// PayerClaimNumber is the payer's claim control number, from a 277CA
	// or an 835, when known: REF*1K, up to 50 bytes.
	PayerClaimNumber string
	ChargeCents      int64     // AMT*T3, the total claim charge; not negative
	From             time.Time // DTP*472, the first date of service
	To               time.Time // the last date of service; zero or From for one day
}

// Request is one claim status question.
type Request struct {
	Payer      x270.Party
	Provider   x270.Provider
	Subscriber x270.Person
	// Patient is the dependent the claim is for, or nil when it is for the
	// subscriber. A dependent needs a last name and a birth date.
	Patient *x270.Person
	Claim   Claim
}

// Batch is the requests to send in one interchange.
type Batch struct {
	// Envelope is the interchange's ISA and GS. An empty FunctionalID or
	// Version is filled in with HR and 005010X212; others are refused.
	Envelope x12write.Envelope
	// Receiver is the information receiver, the submitter the answers go
	// back to: its name and the ETIN (electronic transmitter
	// identification number) the clearinghouse assigned it, NM1*41 with
	// qualifier 46.
	Receiver x270.Party
	Requests []Request
}

// trace is the claim's TRN02: its trace number, or its claim ID.
func (c Claim) trace() string {
	if t := strings.TrimSpace(c.TraceNumber); t != "" {
		return t
	}
	return strings.TrimSpace(c.ClaimID)
}

// Check reports the first field of the request that cannot be sent, with
// Index 0. Write checks every request this way before it writes anything.
func (r Request) Check() *x270.RequestError {
	if e := r.Payer.Check("payer"); e != nil {
		return e
	}
	if e := r.Provider.Check(); e != nil {
		return e
	}
	if e := r.Subscriber.Check("subscriber", false); e != nil {
		return e
	}
	if r.Patient != nil {
		if e := r.Patient.Check("patient", true); e != nil {
			return e
		}
	}
	return r.Claim.check()
}

func (c Claim) check() *x270.RequestError {
	texts := []struct {
		field    string
		v        string
		min, max int
	}{
		{"claim ID", c.ClaimID, 1, 50},
		{"trace number", c.trace(), 1, 50},
		{"payer claim number", c.PayerClaimNumber, 0, 50},
	}
	for _, f := range texts {
		if p := x12write.TextProblem(strings.TrimSpace(f.v), f.min, f.max); p != "" {
			return &x270.RequestError{Field: f.field, Problem: p}
		}
	}
	switch {
	case c.ChargeCents < 0:
		return &x270.RequestError{Field: "claim charge", Problem: "is negative"}
	case c.From.IsZero():
		return &x270.RequestError{Field: "claim service date", Problem: "is not set"}
	case !fourDigitYear(c.From):
		return &x270.RequestError{Field: "claim service date", Problem: "does not have a four-digit year"}
	case !c.To.IsZero() && !fourDigitYear(c.To):
		return &x270.RequestError{Field: "claim last service date", Problem: "does not have a four-digit year"}
	case !c.To.IsZero() && x12write.Date(c.To) < x12write.Date(c.From):
		return &x270.RequestError{Field: "claim last service date", Problem: "is before the first"}
	}
	return nil
}

func fourDigitYear(t time.Time) bool {
	y := t.Year()
	return y >= 1000 && y <= 9999
}
