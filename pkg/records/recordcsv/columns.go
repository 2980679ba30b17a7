package recordcsv

import (
	"time"

	"github.com/backdesk/backdesk/pkg/records"
)

// Column is one canonical column of an import kind. The canonical set is
// what Backdesk documents and what presets map onto, so docs, templates and
// error reports are all generated from the same table.
type Column struct {
	Name        string
	Required    bool
	Description string
	Example     string
}

// valueType says how a cell is parsed and validated.
type valueType uint8

const (
	vID          valueType = iota // trimmed, at most 64 characters
	vName                         // spaces collapsed, at most 100
	vText                         // spaces collapsed, at most 100
	vSummary                      // spaces collapsed, at most 300
	vDate                         // a civil date
	vBirthDate                    // a civil date, not in the future
	vMoney                        // cents, not negative
	vSignedMoney                  // cents, a credit may be negative
	vPhone                        // E.164
	vEmail                        // lowercased
	vState                        // two-letter code
	vPostal                       // 12345 or 12345-6789
	vBool                         // yes/no words
	vScheduled                    // yes/no words, or a date meaning yes
	vChannel                      // records.Channel
	vStatus                       // records.ClaimStatus
	vDateTime                     // a civil date with an optional wall-clock time
	vClock                        // a wall-clock time of day
	vProcedures                   // CDT codes
	vVisitStatus                  // records.AppointmentStatus
)

// field is a Column bound to the record field it fills. ptr returns a
// pointer into the record (*string, *int64, *bool, *records.Date,
// *records.Channel, *records.ClaimStatus, *records.AppointmentStatus,
// *[]string or *wallClock), which keeps each kind's table declarative
// instead of a hand-written parser per kind.
type field[T any] struct {
	Column
	typ valueType
	ptr func(*T) any
}

// spec is everything the reader needs to know about one kind. The first
// field is always the record's own id, which must be unique in a file.
type spec[T any] struct {
	fields []field[T]
	wrap   func(*T, int) Row
	// check runs cross-column rules on a row whose cells all parsed; given
	// has bit i set when field i had a non-blank cell. r gives what the
	// whole file shares, such as the practice's time zone.
	check func(r *Reader, v *T, given uint64) (column, rule, msg string)
}

// kindSpec hides the record type so that Reader can hold any kind.
type kindSpec interface {
	columns() []Column
	typeOf(i int) valueType
	parse(r *Reader, rec []string, line int) (Row, bool)
}

func (s *spec[T]) columns() []Column {
	out := make([]Column, len(s.fields))
	for i, f := range s.fields {
		out[i] = f.Column
	}
	return out
}

func col[T any](name string, req bool, typ valueType, desc, example string, ptr func(*T) any) field[T] {
	return field[T]{Column: Column{Name: name, Required: req, Description: desc, Example: example}, typ: typ, ptr: ptr}
}

const (
	required = true
	optional = false
)

var patientSpec = &spec[records.Patient]{
	fields: []field[records.Patient]{
		col("patient_id", required, vID, "The practice's own patient id (Open Dental PatNum, Dentrix chart number).", "10482",
			func(p *records.Patient) any { return &p.ExternalID }),
		col("first_name", required, vName, "Given name.", "Maria", func(p *records.Patient) any { return &p.FirstName }),
		col("last_name", required, vName, "Family name.", "Alvarez", func(p *records.Patient) any { return &p.LastName }),
		col("date_of_birth", required, vBirthDate, "Date of birth; not in the future.", "04/17/1986",
			func(p *records.Patient) any { return &p.DateOfBirth }),
		col("phone", optional, vPhone, "US phone number in any common form; stored as E.164.", "(512) 555-0142",
			func(p *records.Patient) any { return &p.Phone }),
		col("email", optional, vEmail, "Email address.", "maria.alvarez@example.com", func(p *records.Patient) any { return &p.Email }),
		col("address_line1", optional, vText, "Street address.", "1200 Oak Hollow Dr", func(p *records.Patient) any { return &p.AddressLine1 }),
		col("address_line2", optional, vText, "Apartment, suite or unit.", "Apt 4B", func(p *records.Patient) any { return &p.AddressLine2 }),
		col("city", optional, vText, "City.", "Austin", func(p *records.Patient) any { return &p.City }),
		col("state", optional, vState, "Two-letter US state or territory code (full names are accepted).", "TX",
			func(p *records.Patient) any { return &p.State }),
		col("postal_code", optional, vPostal, "ZIP or ZIP+4.", "78745", func(p *records.Patient) any { return &p.PostalCode }),
		col("guarantor_name", optional, vName, "Name of the person responsible for the account.", "Luis Alvarez",
			func(p *records.Patient) any { return &p.GuarantorName }),
		col("preferred_channel", optional, vChannel, "call, text, email or mail.", "text",
			func(p *records.Patient) any { return &p.PreferredChannel }),
		col("text_consent", optional, vBool, "Whether the patient agreed to text messages (yes/no).", "yes",
			func(p *records.Patient) any { return &p.TextConsent }),
		col("do_not_contact", optional, vBool, "Whether the patient must not be contacted at all (yes/no).", "no",
			func(p *records.Patient) any { return &p.DoNotContact }),
	},
	wrap: func(p *records.Patient, line int) Row { return Row{Line: line, Patient: p} },
}

var balanceSpec = &spec[records.Balance]{
	fields: []field[records.Balance]{
		col("account_id", required, vID, "The account (guarantor) id in the practice's system.", "G-2210",
			func(b *records.Balance) any { return &b.ExternalID }),
		col("patient_id", required, vID, "The patient the account belongs to.", "10482",
			func(b *records.Balance) any { return &b.PatientExternalID }),
		col("total_balance", required, vSignedMoney, "Balance owed by the patient; negative for a credit.", "$412.50",
			func(b *records.Balance) any { return &b.TotalCents }),
		col("aged_0_30", optional, vSignedMoney, "Part of the balance 0 to 30 days old.", "100.00",
			func(b *records.Balance) any { return &b.Aged0To30Cents }),
		col("aged_31_60", optional, vSignedMoney, "Part 31 to 60 days old.", "0.00",
			func(b *records.Balance) any { return &b.Aged31To60Cents }),
		col("aged_61_90", optional, vSignedMoney, "Part 61 to 90 days old.", "312.50",
			func(b *records.Balance) any { return &b.Aged61To90Cents }),
		col("aged_over_90", optional, vSignedMoney, "Part over 90 days old. With all four aging columns they must add up to total_balance.", "0.00",
			func(b *records.Balance) any { return &b.AgedOver90Cents }),
		col("last_statement_date", optional, vDate, "Date the last statement was sent.", "10/01/2026",
			func(b *records.Balance) any { return &b.LastStatementDate }),
		col("last_payment_date", optional, vDate, "Date of the last patient payment.", "08/14/2026",
			func(b *records.Balance) any { return &b.LastPaymentDate }),
		col("last_payment_amount", optional, vMoney, "Amount of the last patient payment.", "50.00",
			func(b *records.Balance) any { return &b.LastPaymentCents }),
	},
	wrap:  func(b *records.Balance, line int) Row { return Row{Line: line, Balance: b} },
	check: checkAging,
}

// checkAging rejects a balance whose four aging buckets, when all given,
// do not add up to the total: such a row means the export was cut or
// mis-mapped, and work generated from it would chase the wrong amounts.
func checkAging(_ *Reader, b *records.Balance, given uint64) (string, string, string) {
	const allAging = 1<<3 | 1<<4 | 1<<5 | 1<<6 // the aged_* fields above
	if given&allAging != allAging {
		return "", "", ""
	}
	diff := b.Aged0To30Cents + b.Aged31To60Cents + b.Aged61To90Cents + b.AgedOver90Cents - b.TotalCents
	if diff > 1 || diff < -1 {
		return "total_balance", ruleAgingSum, msgAgingSum
	}
	return "", "", ""
}

var claimSpec = &spec[records.Claim]{
	fields: []field[records.Claim]{
		col("claim_number", required, vID, "The practice's claim number (the patient control number payers echo back).", "CLM-88231",
			func(c *records.Claim) any { return &c.ExternalID }),
		col("patient_id", required, vID, "The patient the claim is for.", "10482",
			func(c *records.Claim) any { return &c.PatientExternalID }),
		col("payer_name", required, vText, "Insurance carrier name.", "Delta Dental of Texas",
			func(c *records.Claim) any { return &c.PayerName }),
		col("payer_id", optional, vID, "Electronic payer id.", "94276", func(c *records.Claim) any { return &c.PayerID }),
		col("subscriber_id", optional, vID, "Subscriber (member) id on the policy.", "XQZ448120",
			func(c *records.Claim) any { return &c.SubscriberID }),
		col("date_of_service", required, vDate, "Date the procedures were done.", "09/22/2026",
			func(c *records.Claim) any { return &c.DateOfService }),
		col("submitted_date", optional, vDate, "Date the claim was sent to the payer.", "09/23/2026",
			func(c *records.Claim) any { return &c.SubmittedDate }),
		col("billed_amount", required, vMoney, "Total fee billed on the claim.", "1,180.00",
			func(c *records.Claim) any { return &c.BilledCents }),
		col("paid_amount", optional, vMoney, "Amount the payer has paid so far.", "0.00",
			func(c *records.Claim) any { return &c.PaidCents }),
		col("patient_responsibility", optional, vMoney, "Amount the patient owes on the claim.", "236.00",
			func(c *records.Claim) any { return &c.PatientResponsibilityCents }),
		col("claim_status", optional, vStatus, "submitted, pending, paid, partially_paid, denied, rejected or closed (or the system's own status words); blank when not stated.", "submitted",
			func(c *records.Claim) any { return &c.Status }),
	},
	wrap: func(c *records.Claim, line int) Row { return Row{Line: line, Claim: c} },
}

var recallSpec = &spec[records.Recall]{
	fields: []field[records.Recall]{
		col("recall_id", required, vID, "The practice's recall id.", "R-5531", func(r *records.Recall) any { return &r.ExternalID }),
		col("patient_id", required, vID, "The patient due for the visit.", "10482",
			func(r *records.Recall) any { return &r.PatientExternalID }),
		col("recall_type", required, vText, "Kind of recurring visit.", "prophy", func(r *records.Recall) any { return &r.RecallType }),
		col("due_date", required, vDate, "Date the visit is due.", "01/15/2027", func(r *records.Recall) any { return &r.DueDate }),
		col("last_visit_date", optional, vDate, "Date of the previous visit of this kind.", "07/15/2026",
			func(r *records.Recall) any { return &r.LastVisitDate }),
		col("scheduled", optional, vScheduled, "Whether an appointment is booked: yes/no, or the appointment date.", "no",
			func(r *records.Recall) any { return &r.Scheduled }),
	},
	wrap: func(r *records.Recall, line int) Row { return Row{Line: line, Recall: r} },
}

var treatmentSpec = &spec[records.TreatmentPlan]{
	fields: []field[records.TreatmentPlan]{
		col("plan_id", required, vID, "The practice's treatment plan id.", "TP-3307",
			func(t *records.TreatmentPlan) any { return &t.ExternalID }),
		col("patient_id", required, vID, "The patient the plan was presented to.", "10482",
			func(t *records.TreatmentPlan) any { return &t.PatientExternalID }),
		col("summary", optional, vSummary, "Non-clinical summary; never clinical notes.", "crown, upper right",
			func(t *records.TreatmentPlan) any { return &t.Summary }),
		col("estimated_patient_portion", required, vMoney, "Estimated amount the patient will owe.", "640.00",
			func(t *records.TreatmentPlan) any { return &t.EstimatedPatientPortionCents }),
		col("presented_date", required, vDate, "Date the plan was presented.", "10/05/2026",
			func(t *records.TreatmentPlan) any { return &t.PresentedDate }),
		col("scheduled", optional, vScheduled, "Whether the treatment is booked: yes/no, or the appointment date.", "no",
			func(t *records.TreatmentPlan) any { return &t.Scheduled }),
	},
	wrap: func(t *records.TreatmentPlan, line int) Row { return Row{Line: line, Treatment: t} },
}

// wallClock is a date and time as a file writes them, before the
// practice's time zone makes an instant of them.
type wallClock struct {
	date   records.Date
	minute int  // after midnight
	timed  bool // a time of day was given
}

// visitRow is an appointment while its row is read: the start's date and
// its time of day may come from two columns, and only once both are read
// can they become the instant the visit starts.
type visitRow struct {
	records.Appointment
	start     wallClock
	startTime wallClock
}

// visitStartTimeField is start_time's place in visitSpec, for checkVisit.
const visitStartTimeField = 3

var visitSpec = &spec[visitRow]{
	fields: []field[visitRow]{
		col("appointment_id", required, vID, "The practice's appointment id (Open Dental AptNum).", "A-77120",
			func(a *visitRow) any { return &a.ExternalID }),
		col("patient_id", required, vID, "The patient the visit is for.", "10482",
			func(a *visitRow) any { return &a.PatientExternalID }),
		col("start", required, vDateTime, "Date and time the visit starts, on the practice's clock; the time may be in start_time instead.", "12/08/2026 09:00",
			func(a *visitRow) any { return &a.start }),
		col("start_time", optional, vClock, "Time of day the visit starts, for exports that give it apart from the date.", "9:00 AM",
			func(a *visitRow) any { return &a.startTime }),
		col("location", optional, vText, "The office, as the practice's system names or numbers it.", "Lakeside",
			func(a *visitRow) any { return &a.Location }),
		col("provider", optional, vText, "The dentist or hygienist, by name or the system's provider id.", "DDS2",
			func(a *visitRow) any { return &a.Provider }),
		col("planned_procedures", optional, vProcedures, "CDT codes of the procedures planned, separated by spaces or commas.", "D0120 D1110",
			func(a *visitRow) any { return &a.PlannedProcedures }),
		col("payer_name", optional, vText, "Insurance carrier on file for the visit.", "Delta Dental of Texas",
			func(a *visitRow) any { return &a.InsuranceOnFile.PayerName }),
		col("subscriber_id", optional, vID, "Subscriber (member) id on file.", "XQZ448120",
			func(a *visitRow) any { return &a.InsuranceOnFile.SubscriberID }),
		col("status", optional, vVisitStatus, "scheduled, confirmed, cancelled, broken (a no-show) or completed (or the system's own status words); blank means scheduled.", "confirmed",
			func(a *visitRow) any { return &a.Status }),
	},
	wrap:  func(a *visitRow, line int) Row { return Row{Line: line, Appointment: &a.Appointment} },
	check: checkVisit,
}

// checkVisit makes the instant the visit starts from its date and time of
// day, on the practice's clock. A time of day is required: a visit
// without one cannot be placed in the practice's day. When start carries
// a time and start_time another, the row is refused rather than one
// guessed; a start of exactly midnight gives way to start_time, because
// spreadsheets write date-only cells that way.
func checkVisit(r *Reader, a *visitRow, given uint64) (string, string, string) {
	minute := a.start.minute
	switch {
	case given&(1<<visitStartTimeField) != 0:
		if a.start.timed && a.start.minute != 0 && a.start.minute != a.startTime.minute {
			return "start_time", ruleTime, msgTimeConflict
		}
		minute = a.startTime.minute
	case !a.start.timed:
		return "start", ruleTime, msgNoTime
	}
	d, h, m := a.start.date, minute/60, minute%60
	t := time.Date(d.Year, d.Month, d.Day, h, m, 0, 0, r.loc)
	if t.Hour() != h || t.Minute() != m || t.Day() != d.Day {
		return "start", ruleTime, msgSkippedTime
	}
	a.Start = t
	if a.Status == "" {
		a.Status = records.AppointmentScheduled
	}
	return "", "", ""
}

var specs = map[records.Kind]kindSpec{
	records.Patients:     patientSpec,
	records.Balances:     balanceSpec,
	records.Claims:       claimSpec,
	records.Recalls:      recallSpec,
	records.Treatments:   treatmentSpec,
	records.Appointments: visitSpec,
}

// Columns returns the canonical column set of kind, in the order of the
// canonical template, or nil for an unknown kind. The result is a copy.
func Columns(kind records.Kind) []Column {
	s, ok := specs[kind]
	if !ok {
		return nil
	}
	return s.columns()
}
