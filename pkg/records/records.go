// Package records holds the practice data that follow-up work is made
// from, as Backdesk keeps it: patients, account balances, claims, recalls,
// treatment plans and appointments, each identified by the practice's own
// id (the id in its practice-management system) and upserted by it. Money
// is integer cents; dates without a time are civil dates, and an
// appointment's start is an instant. Clinical notes are never stored: a
// treatment plan carries a non-clinical summary only, an appointment its
// procedure codes.
package records

import "time"

// Kind names a kind of record, and the import kind that carries it.
type Kind string

// The record kinds.
const (
	Patients     Kind = "patients"
	Balances     Kind = "balances"
	Claims       Kind = "claims"
	Recalls      Kind = "recalls"
	Treatments   Kind = "treatments"
	Appointments Kind = "appointments"
)

// Kinds lists every record kind.
var Kinds = []Kind{Patients, Balances, Claims, Recalls, Treatments, Appointments}

// Date is a calendar date with no time or zone (date of birth, date of
// service). The zero value means "not given".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// IsZero reports whether d was not given.
func (d Date) IsZero() bool { return d.Year == 0 }

// String formats d as YYYY-MM-DD, or "" when zero.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
}

// ParseDate reads a date as String writes it (YYYY-MM-DD), the form
// stores keep; anything else is the zero Date.
func ParseDate(s string) Date {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}
	}
	return Date{Year: t.Year(), Month: t.Month(), Day: t.Day()}
}

// Time returns midnight UTC of d.
func (d Date) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// Channel is a way to reach a patient.
type Channel string

// The contact channels a patient may prefer.
const (
	ChannelCall  Channel = "call"
	ChannelText  Channel = "text"
	ChannelEmail Channel = "email"
	ChannelMail  Channel = "mail"
)

// Patient is a person the practice bills.
type Patient struct {
	ExternalID       string
	FirstName        string
	LastName         string
	DateOfBirth      Date
	Phone            string // E.164, e.g. +15125550123
	Email            string
	AddressLine1     string
	AddressLine2     string
	City             string
	State            string // two-letter
	PostalCode       string
	GuarantorName    string
	PreferredChannel Channel // "" when not given
	TextConsent      bool
	DoNotContact     bool
}

// Balance is a patient account's balance with its aging.
type Balance struct {
	ExternalID        string // the account id
	PatientExternalID string
	TotalCents        int64
	Aged0To30Cents    int64
	Aged31To60Cents   int64
	Aged61To90Cents   int64
	AgedOver90Cents   int64
	LastStatementDate Date
	LastPaymentDate   Date
	LastPaymentCents  int64
}

// ClaimStatus is where an insurance claim stands.
type ClaimStatus string

// The claim statuses an import may state.
const (
	ClaimSubmitted ClaimStatus = "submitted"
	ClaimPending   ClaimStatus = "pending"
	ClaimPaid      ClaimStatus = "paid"
	ClaimPartial   ClaimStatus = "partially_paid"
	ClaimDenied    ClaimStatus = "denied"
	ClaimRejected  ClaimStatus = "rejected"
	ClaimClosed    ClaimStatus = "closed"
)

// Claim is an insurance claim. Its ExternalID is the claim number, which is
// also the patient control number payers echo back in remittances.
type Claim struct {
	ExternalID                 string
	PatientExternalID          string
	PayerName                  string
	PayerID                    string
	SubscriberID               string
	DateOfService              Date
	SubmittedDate              Date
	BilledCents                int64
	PaidCents                  int64
	PatientResponsibilityCents int64
	Status                     ClaimStatus
}

// Recall is a patient's recurring visit (cleaning, exam) coming due.
type Recall struct {
	ExternalID        string
	PatientExternalID string
	RecallType        string // e.g. "prophy", "perio maintenance"
	DueDate           Date
	LastVisitDate     Date
	Scheduled         bool
}

// TreatmentPlan is treatment presented to a patient and maybe not yet
// scheduled. Summary is non-clinical ("crown, upper right").
type TreatmentPlan struct {
	ExternalID                   string
	PatientExternalID            string
	Summary                      string
	EstimatedPatientPortionCents int64
	PresentedDate                Date
	Scheduled                    bool
	// BenefitsLeftCents is what the patient's plan has left of its annual
	// maximum and BenefitsEnd the last day of the benefit year it is
	// left for, from the latest eligibility answer: read with the
	// practice's records for the daily generation, zero when no payer
	// has said. Neither comes from a practice's file.
	BenefitsLeftCents int64 `json:"-"`
	BenefitsEnd       Date  `json:"-"`
}

// AppointmentStatus is where an appointment stands on the practice's
// schedule.
type AppointmentStatus string

// The appointment statuses an import may state.
const (
	AppointmentScheduled AppointmentStatus = "scheduled"
	AppointmentConfirmed AppointmentStatus = "confirmed"
	AppointmentCancelled AppointmentStatus = "cancelled"
	// AppointmentBroken is a visit the patient missed or broke too late
	// to fill the chair (a no-show).
	AppointmentBroken    AppointmentStatus = "broken"
	AppointmentCompleted AppointmentStatus = "completed"
)

// Expected reports whether a visit of status s is still to happen:
// scheduled or confirmed. A cancelled, broken or completed appointment
// stays stored but is not an upcoming visit.
func (s AppointmentStatus) Expected() bool {
	return s == AppointmentScheduled || s == AppointmentConfirmed
}

// Insurance is the coverage a practice has on file for a visit, each
// field "" when the export does not give it.
type Insurance struct {
	PayerName    string
	SubscriberID string
}

// Appointment is a visit on the practice's schedule. Its ExternalID is
// the appointment's id in the practice's system. Start is the instant the
// visit starts: files give the practice's wall-clock time, which the
// import reads in the practice's time zone.
type Appointment struct {
	ExternalID        string
	PatientExternalID string
	Start             time.Time
	Location          string   // the office as the file names or numbers it
	Provider          string   // the dentist or hygienist, by name or the system's id
	PlannedProcedures []string // CDT codes, e.g. D0120
	InsuranceOnFile   Insurance
	Status            AppointmentStatus
}
