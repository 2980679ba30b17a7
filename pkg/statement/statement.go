package statement

import "github.com/backdesk/backdesk/pkg/records"

// Statement is one guarantor's monthly statement: everything printed on
// it, and nothing looked up while printing. Money is integer cents, signed
// as it moves the balance: charges are positive, payments and write-offs
// negative.
type Statement struct {
	Practice      Practice
	Guarantor     Guarantor
	AccountNumber string       // the practice's account number for the guarantor
	StatementDate records.Date // the date the statement is as of
	DueDate       records.Date // pay by; on or after StatementDate

	// BalanceForwardCents is the balance before the first line: what the
	// previous statement left owing (negative for a credit).
	BalanceForwardCents int64
	Lines               []Line    // the period's activity, in the order printed
	Pending             []Pending // claims the insurance has not paid yet
	Aging               Aging     // the balance by age; adds up to Totals().BalanceCents

	// PayURL is the pay-by-link page, printed as a QR code and as text
	// under it: https, at most MaxPayURL characters.
	PayURL string
}

// Practice is the dental practice the statement is from.
type Practice struct {
	Name    string  // printed in the letterhead and as the payee
	Address Address // the practice's own address, for the letterhead
	// RemitTo is where payments go, shown in the envelope's upper window;
	// the zero Address means the practice's own.
	RemitTo Address
	Phone   string // for questions, e.g. "(555) 010-4477"
	Hours   string // when the phone is answered, e.g. "Mon–Thu 8am–5pm"
}

// Guarantor is the person responsible for the account, to whom the
// statement is mailed.
type Guarantor struct {
	Name    string // as on the envelope, e.g. "Maria L. Gomez"
	Address Address
}

// Address is a US postal address.
type Address struct {
	Line1      string // street address or PO box
	Line2      string // optional: suite, apartment
	City       string
	State      string // two-letter USPS code
	PostalCode string // ZIP or ZIP+4: 12345 or 12345-6789
}

// IsZero reports whether no part of a was given.
func (a Address) IsZero() bool { return a == Address{} }

// Line is one itemised charge, insurance payment or adjustment, or patient
// payment. A line usually carries one amount; all three add to the
// balance.
type Line struct {
	Date        records.Date // date of service, or of the payment or adjustment
	Description string       // e.g. "D1110 Prophylaxis – adult", "Delta Dental payment"
	ChargeCents int64        // what was charged; never negative
	// InsuranceCents is what the insurance paid (negative) or an
	// adjustment: a write-off is negative, a reversal positive.
	InsuranceCents int64
	PatientCents   int64 // what the patient paid (negative) or was refunded (positive)
}

// Pending is a claim sent to the insurance and not yet paid: its expected
// payment is part of the balance but not of the amount due now.
type Pending struct {
	Date          records.Date // date of service
	Payer         string       // the insurance, e.g. "Delta Dental of Ohio"
	EstimateCents int64        // what the insurance is expected to pay; positive
}

// Aging splits the account balance by how long ago each part was charged.
type Aging struct {
	CurrentCents int64 // 0 to 30 days
	Days31Cents  int64 // 31 to 60 days
	Days61Cents  int64 // 61 to 90 days
	Over90Cents  int64 // more than 90 days
}

// TotalCents is the sum of the four buckets.
func (a Aging) TotalCents() int64 {
	return a.CurrentCents + a.Days31Cents + a.Days61Cents + a.Over90Cents
}

// Totals are a statement's sums, as its account summary prints them.
type Totals struct {
	BalanceForwardCents int64
	ChargesCents        int64 // sum of the lines' charges
	InsuranceCents      int64 // sum of insurance payments and adjustments
	PatientCents        int64 // sum of patient payments
	BalanceCents        int64 // balance forward plus every line
	PendingCents        int64 // sum of the pending claims' estimates
	// DueCents is what the patient owes now: the balance less what the
	// insurance is expected to pay, and never below zero.
	DueCents int64
}

// Totals sums s. It assumes s has no Problems: amounts out of bounds may
// overflow.
func (s Statement) Totals() Totals {
	t := Totals{BalanceForwardCents: s.BalanceForwardCents}
	for _, l := range s.Lines {
		t.ChargesCents += l.ChargeCents
		t.InsuranceCents += l.InsuranceCents
		t.PatientCents += l.PatientCents
	}
	t.BalanceCents = t.BalanceForwardCents + t.ChargesCents + t.InsuranceCents + t.PatientCents
	for _, p := range s.Pending {
		t.PendingCents += p.EstimateCents
	}
	t.DueCents = max(t.BalanceCents-t.PendingCents, 0)
	return t
}

// remitTo is where payments go: RemitTo, or the practice's own address.
func (p Practice) remitTo() Address {
	if p.RemitTo.IsZero() {
		return p.Address
	}
	return p.RemitTo
}
