// Package x277 decodes 277 claim status transaction sets, both the claim
// acknowledgment (277CA) a clearinghouse or payer returns for submitted
// claims and the claim status response (277) to a status request, into
// plain structs.
//
// Claims are read at the patient level of the HL hierarchy (HL03 "PT" in a
// 277CA; "22" subscriber or "23" dependent in a 277). Decode reads these
// segments and ignores every other one:
//
//	HL            hierarchy: 20 source, 21 receiver, 19 provider, PT/22/23 patient
//	NM1           names: source, receiver, provider (NM1*85) and patient (QC or IL)
//	TRN           TRN01 2 at the patient level starts a claim; TRN02 is the
//	              office's claim ID. Above it, the level's trace number.
//	STC           statuses (STC01, STC10, STC11) at every level, the claim's
//	              and the line's alike; for a claim also the amounts in STC04
//	              and STC05 and the payment details: adjudication date
//	              (STC06), check or EFT date (STC08) and number (STC09)
//	REF           1K payer claim control number, D9 clearinghouse trace
//	              number, FJ line item control number
//	DTP*472       dates of service (D8 or RD8)
//	SVC           a service line; the STCs after it belong to it
//
// Names and member IDs are patient data: keep them out of logs and error
// messages.
package x277

import (
	"time"

	"github.com/backdesk/backdesk/pkg/x12"
	"github.com/backdesk/backdesk/pkg/x12/codes"
)

// StatusReport is one 277 transaction set.
type StatusReport struct {
	ControlNumber     string // ST02
	ImplementationRef string // ST03, or GS08 when ST03 is empty: 005010X214 for a 277CA
	SenderName        string // NM103 at the information source level (HL 20)
	SenderID          string // NM109 at the information source level
	ReceiverName      string // NM103 at the information receiver level (HL 21)
	// Levels are the source, receiver and provider levels, with the
	// statuses reported for them: a 277CA reports the acceptance of a whole
	// batch, or a rejection of every claim of a provider, here.
	Levels []LevelStatus
	Claims []ClaimStatus
	Pos    x12.Pos // where ST starts
}

// LevelStatus is an HL level above the patients.
type LevelStatus struct {
	Level       string // HL03: 20 source, 21 receiver, 19 provider
	Name        string // NM103
	ID          string // NM109, such as the provider's NPI
	TraceNumber string // TRN02 at this level
	Statuses    []Status
	Pos         x12.Pos // where HL starts
}

// ClaimStatus is the status of one claim.
type ClaimStatus struct {
	PatientControlNumber     string    // TRN02: the claim ID the office sent
	PayerClaimControlNumber  string    // REF*1K
	ClearinghouseTraceNumber string    // REF*D9
	BilledCents              int64     // STC04: the total claim charge
	PaidCents                int64     // STC05, in a 277 for a finalized claim
	AdjudicationDate         time.Time // STC06: the date the claim was adjudicated or finalized
	PaymentDate              time.Time // STC08: the check issue or EFT effective date
	CheckNumber              string    // STC09: the check number or EFT trace number
	PatientLastName          string    // NM1*QC or NM1*IL NM103 (patient data)
	PatientFirstName         string    // NM104 (patient data)
	MemberID                 string    // NM109, or the subscriber's above a dependent (patient data)
	ProviderNPI              string    // NM1*85 NM109 at the provider level above, when NM108 is XX
	ServiceFrom              time.Time
	ServiceTo                time.Time
	Statuses                 []Status
	ServiceLines             []ServiceStatus
	Pos                      x12.Pos // where the claim's TRN starts
}

// Class is the class of the claim's first status, which is the main one,
// or codes.Other when it has none.
func (c ClaimStatus) Class() codes.Class {
	if len(c.Statuses) == 0 {
		return codes.Other
	}
	return c.Statuses[0].Class()
}

// Status is one status composite of an STC segment. An STC with STC10 or
// STC11 gives more than one Status, sharing the date and action code.
type Status struct {
	Category      string    // component 1, such as A7: see codes.Category
	Code          string    // component 2, such as 562: see codes.StatusCode
	Entity        string    // component 3, such as 85: see codes.Entity
	EffectiveDate time.Time // STC02
	ActionCode    string    // STC03: in a 277CA, WQ accepted or U rejected
}

// Class is the class of the status's category.
func (s Status) Class() codes.Class {
	return codes.ClassOf(s.Category)
}

// ServiceStatus is the status of one service line of a claim.
type ServiceStatus struct {
	ProcedureQualifier string // SVC01-1: AD for ADA dental codes
	ProcedureCode      string // SVC01-2
	ChargeCents        int64  // SVC02
	PaidCents          int64  // SVC03
	Units              string // SVC07, decimal as sent
	LineControlNumber  string // REF*FJ
	ServiceFrom        time.Time
	ServiceTo          time.Time
	Statuses           []Status
	Pos                x12.Pos // where SVC starts
}
