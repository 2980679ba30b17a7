// Package x835 decodes an 835 health care claim payment/advice (an ERA)
// into plain structs: the check or EFT, the claims it pays, each claim's
// service lines and adjustments, and the provider-level adjustments.
//
// Decode reads these segments and ignores every other one:
//
//	BPR           payment amount, credit/debit flag, method and date
//	TRN           check or EFT trace number and its originator
//	N1, REF       payer (N1*PR, REF*2U) and payee (N1*PE, REF*TJ)
//	LX            start of a group of claims
//	CLP           a claim payment
//	CAS           adjustments of the claim or of the service line before it
//	NM1           patient (NM1*QC) and subscriber (NM1*IL) of a claim
//	MIA, MOA      remark codes of a claim: MIA05 and MIA20 to MIA23
//	              (inpatient), MOA03 to MOA07 (outpatient)
//	DTM           statement dates (232, 233) and dates of service (472, 150, 151)
//	SVC           a service line
//	REF*6R        the provider's line item control number
//	AMT*B6        the allowed amount of a line
//	LQ*HE         remark codes of a line, one per LQ segment
//	PLB           provider-level adjustments
//
// Amounts are int64 cents. Names and member IDs are patient data: keep
// them out of logs and error messages.
package x835

import (
	"time"

	"github.com/backdesk/backdesk/pkg/x12"
)

// Remittance is one 835 transaction set: one payment and what it pays for.
type Remittance struct {
	ControlNumber   string // ST02
	PayerName       string // N1*PR N102
	PayerID         string // N1*PR N104, or REF*2U when N104 is empty
	PayeeName       string // N1*PE N102
	PayeeNPI        string // N1*PE N104 when N103 is XX
	PayeeTaxID      string // N1*PE N104 when N103 is FI, or REF*TJ
	CheckNumber     string // TRN02: check number or EFT trace number
	TraceOriginator string // TRN03: the payer's identifier, usually "1" and its TIN
	PaymentCents    int64  // BPR02: the total actually paid
	CreditDebit     string // BPR03: "C" credit to the payee, "D" debit
	PaymentMethod   string // BPR04: ACH, CHK, BOP, FWT or NON
	PaymentDate     time.Time
	Claims          []ClaimPayment
	// ProviderAdjustments are the PLB amounts; a positive amount reduces
	// the payment, a negative one (such as interest) adds to it.
	ProviderAdjustments []ProviderAdjustment
	Pos                 x12.Pos // where ST starts
}

// ClaimPayment is one CLP loop: the payer's decision on one claim.
type ClaimPayment struct {
	PatientControlNumber       string // CLP01: the claim ID the office sent
	StatusCode                 string // CLP02: see codes.ClaimPaymentStatus
	ChargeCents                int64  // CLP03
	PaidCents                  int64  // CLP04
	PatientResponsibilityCents int64  // CLP05
	FilingIndicator            string // CLP06
	PayerClaimControlNumber    string // CLP07
	PatientLastName            string // NM1*QC NM103 (patient data)
	PatientFirstName           string // NM1*QC NM104 (patient data)
	PatientMemberID            string // NM1*QC NM109 (patient data)
	SubscriberID               string // NM1*IL NM109 (patient data)
	StatementFrom              time.Time
	StatementTo                time.Time
	Adjustments                []Adjustment // claim-level CAS
	RemarkCodes                []string     // MIA and MOA remark codes (RARC), in the order sent: see codes.Remark
	ServiceLines               []ServiceLine
	Pos                        x12.Pos // where CLP starts
}

// IsReversal reports whether the claim takes back an earlier payment
// (CLP02 22). Its amounts are the earlier ones negated, as the payer sent
// them; a corrected claim usually follows in the same remittance.
func (c ClaimPayment) IsReversal() bool {
	return c.StatusCode == "22"
}

// IsDenied reports whether the payer denied the claim (CLP02 4).
func (c ClaimPayment) IsDenied() bool {
	return c.StatusCode == "4"
}

// Balanced reports whether the amounts add up: the charge less every
// claim and line adjustment equals the payment, and the same holds for
// each service line.
func (c ClaimPayment) Balanced() bool {
	rest := c.ChargeCents - sumAdjustments(c.Adjustments)
	for _, l := range c.ServiceLines {
		adj := sumAdjustments(l.Adjustments)
		if l.ChargeCents-adj != l.PaidCents {
			return false
		}
		rest -= adj
	}
	return rest == c.PaidCents
}

// Adjustment is one reason/amount/quantity triple of a CAS segment.
type Adjustment struct {
	Group       string // CAS01: CO, CR, OA, PI or PR
	Reason      string // claim adjustment reason code (CARC)
	AmountCents int64
	Quantity    string // decimal as sent; empty when absent
}

// ServiceLine is one SVC loop: the payer's decision on one procedure.
type ServiceLine struct {
	ProcedureQualifier string   // SVC01-1: AD for ADA dental codes
	ProcedureCode      string   // SVC01-2, such as D2740
	Modifiers          []string // SVC01-3 to SVC01-6
	ChargeCents        int64    // SVC02
	PaidCents          int64    // SVC03
	Units              string   // SVC05, decimal as sent; empty means 1
	// SubmittedQualifier and SubmittedCode are SVC06, the code the office
	// billed, present when the payer adjudicated a different one (an
	// alternate benefit, for example).
	SubmittedQualifier string
	SubmittedCode      string
	DateOfService      time.Time // DTM*472
	ServiceFrom        time.Time // DTM*150
	ServiceTo          time.Time // DTM*151
	LineControlNumber  string    // REF*6R
	AllowedCents       int64     // AMT*B6
	HasAllowed         bool      // whether AMT*B6 was present
	RemarkCodes        []string  // LQ*HE, in the order sent: see codes.Remark
	Adjustments        []Adjustment
	Pos                x12.Pos // where SVC starts
}

// ProviderAdjustment is one reason/amount pair of a PLB segment.
type ProviderAdjustment struct {
	ProviderID  string // PLB01
	Reason      string // PLB03-1, such as L6 (interest) or WO (overpayment recovery); see codes.ProviderAdjustmentReason
	Reference   string // PLB03-2
	AmountCents int64
	Pos         x12.Pos
}

// ClaimsPaidCents is the sum of the claims' payments (CLP04).
func (r *Remittance) ClaimsPaidCents() int64 {
	var s int64
	for _, c := range r.Claims {
		s += c.PaidCents
	}
	return s
}

// ProviderAdjustmentCents is the sum of the PLB amounts.
func (r *Remittance) ProviderAdjustmentCents() int64 {
	var s int64
	for _, a := range r.ProviderAdjustments {
		s += a.AmountCents
	}
	return s
}

// Balanced reports whether the payment equals the claims' payments less
// the provider-level adjustments, as an 835 must.
func (r *Remittance) Balanced() bool {
	return r.PaymentCents == r.ClaimsPaidCents()-r.ProviderAdjustmentCents()
}

func sumAdjustments(as []Adjustment) int64 {
	var s int64
	for _, a := range as {
		s += a.AmountCents
	}
	return s
}
