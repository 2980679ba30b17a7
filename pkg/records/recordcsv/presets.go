package recordcsv

import "github.com/backdesk/backdesk/pkg/records"

// Preset names a header mapping: "canonical", "opendental", "dentrix",
// "eaglesoft", or "custom". Offices send whatever their practice-management
// system exports; a preset spares them renaming columns by hand.
type Preset string

// The presets. Presets() lists them for forms and docs.
const (
	PresetCanonical  Preset = "canonical"
	PresetOpenDental Preset = "opendental"
	PresetDentrix    Preset = "dentrix"
	PresetEaglesoft  Preset = "eaglesoft"
	PresetCustom     Preset = "custom"
)

// Mapping maps canonical column names to the file's header names, for the
// "custom" preset: an office with an unusual export describes it once
// instead of editing every file. Canonical columns it leaves out are looked
// up by their canonical names.
type Mapping map[string]string

// Presets lists every preset, canonical first.
func Presets() []Preset {
	return []Preset{PresetCanonical, PresetOpenDental, PresetDentrix, PresetEaglesoft, PresetCustom}
}

// preset holds one system's header names per kind and the words it uses
// for claim statuses, appointment statuses and contact channels. Header
// names are listed most preferred first; header matching ignores case,
// spaces and punctuation, so "Date of Service" also matches
// "DATE_OF_SERVICE".
//
// The header names follow the report columns of each system's standard
// exports (Open Dental's are its database column names, which its query and
// report exports keep). Exports vary between versions and offices; adding a
// name here, or a word to a table, is all it takes to accept another
// variant, and an office whose export names a column otherwise maps it
// with the custom preset. A file's columns that no preset knows are
// ignored.
//
// Appointment exports vary the most. Open Dental's appointment table names
// the visit's clinic and provider by number (ClinicNum, ProvNum) and keeps
// the procedures in ProcDescript, which holds codes only when the office's
// query writes them there (its own screens write abbreviations such as
// "PerEx, Pro", which are refused as procedure codes: leave the column out
// or export the codes). Dentrix's and Eaglesoft's appointment lists give
// the date and the time in two columns.
type preset struct {
	headers    map[records.Kind]map[string][]string
	statuses   map[string]records.ClaimStatus
	visitWords map[string]records.AppointmentStatus
	channels   map[string]records.Channel
}

// Words every preset accepts, keyed by normWord.
var (
	canonicalStatuses = map[string]records.ClaimStatus{
		"submitted": records.ClaimSubmitted, "sent": records.ClaimSubmitted,
		"pending":       records.ClaimPending,
		"paid":          records.ClaimPaid,
		"partiallypaid": records.ClaimPartial, "partial": records.ClaimPartial,
		"denied":   records.ClaimDenied,
		"rejected": records.ClaimRejected,
		"closed":   records.ClaimClosed,
	}
	canonicalVisitWords = map[string]records.AppointmentStatus{
		"scheduled": records.AppointmentScheduled, "booked": records.AppointmentScheduled,
		"unconfirmed": records.AppointmentScheduled,
		"confirmed":   records.AppointmentConfirmed,
		"cancelled":   records.AppointmentCancelled, "canceled": records.AppointmentCancelled,
		"broken": records.AppointmentBroken, "noshow": records.AppointmentBroken, "missed": records.AppointmentBroken,
		"completed": records.AppointmentCompleted, "complete": records.AppointmentCompleted,
	}
	canonicalChannels = map[string]records.Channel{
		"call": records.ChannelCall, "phone": records.ChannelCall,
		"text": records.ChannelText, "sms": records.ChannelText, "textmessage": records.ChannelText,
		"email": records.ChannelEmail,
		"mail":  records.ChannelMail, "letter": records.ChannelMail,
	}
)

var presets = map[Preset]*preset{
	PresetCanonical: {},
	PresetCustom:    {},
	PresetOpenDental: {
		headers: map[records.Kind]map[string][]string{
			records.Patients: {
				"patient_id": {"PatNum"}, "first_name": {"FName"}, "last_name": {"LName"},
				"date_of_birth": {"Birthdate"},
				// Mobile first: it is the number that can also take texts.
				"phone": {"WirelessPhone", "HmPhone", "WkPhone"}, "email": {"Email"},
				"address_line1": {"Address"}, "address_line2": {"Address2"},
				"city": {"City"}, "state": {"State"}, "postal_code": {"Zip"},
				"guarantor_name": {"GuarantorName"}, "preferred_channel": {"PreferContactMethod"},
				"text_consent": {"TxtMsgOk"}, "do_not_contact": {"DoNotContact"},
			},
			records.Balances: {
				"account_id": {"Guarantor"}, "patient_id": {"PatNum"}, "total_balance": {"BalTotal"},
				"aged_0_30": {"Bal_0_30"}, "aged_31_60": {"Bal_31_60"}, "aged_61_90": {"Bal_61_90"},
				"aged_over_90": {"BalOver90"}, "last_statement_date": {"DateLastStatement"},
				"last_payment_date": {"DateLastPay"}, "last_payment_amount": {"LastPayAmt"},
			},
			records.Claims: {
				"claim_number": {"ClaimNum"}, "patient_id": {"PatNum"}, "payer_name": {"CarrierName"},
				"payer_id": {"ElectID"}, "subscriber_id": {"SubscriberID"}, "date_of_service": {"DateService"},
				"submitted_date": {"DateSent"}, "billed_amount": {"ClaimFee"}, "paid_amount": {"InsPayAmt"},
				"patient_responsibility": {"PatPortion"}, "claim_status": {"ClaimStatus"},
			},
			records.Recalls: {
				"recall_id": {"RecallNum"}, "patient_id": {"PatNum"}, "recall_type": {"RecallType"},
				"due_date": {"DateDue"}, "last_visit_date": {"DatePrevious"}, "scheduled": {"DateScheduled"},
			},
			records.Treatments: {
				"plan_id": {"TreatPlanNum"}, "patient_id": {"PatNum"}, "summary": {"Heading"},
				"estimated_patient_portion": {"PatAmt"}, "presented_date": {"DateTP"}, "scheduled": {"Scheduled"},
			},
			records.Appointments: {
				"appointment_id": {"AptNum"}, "patient_id": {"PatNum"}, "start": {"AptDateTime"},
				"location": {"ClinicNum"}, "provider": {"ProvNum"}, "planned_procedures": {"ProcDescript"},
				"payer_name": {"CarrierName"}, "subscriber_id": {"SubscriberID"}, "status": {"AptStatus"},
			},
		},
		// AptStatus, as its number or its name. The unscheduled list holds
		// visits taken off the schedule: cancelled. Planned appointments
		// and patient notes are not visits and are refused.
		visitWords: map[string]records.AppointmentStatus{
			"1": records.AppointmentScheduled, "2": records.AppointmentCompleted,
			"3": records.AppointmentCancelled, "unschedlist": records.AppointmentCancelled,
			"4": records.AppointmentScheduled, "asap": records.AppointmentScheduled,
			"5": records.AppointmentBroken,
		},
		// Open Dental's one-letter claim status codes. Unsent, held and
		// queued claims have not reached a payer yet: pending.
		statuses: map[string]records.ClaimStatus{
			"u": records.ClaimPending, "unsent": records.ClaimPending,
			"h": records.ClaimPending, "holduntilpriorityreceived": records.ClaimPending,
			"w": records.ClaimPending, "waitingtosend": records.ClaimPending,
			"i": records.ClaimPending, "holdforinprocess": records.ClaimPending,
			"p": records.ClaimSubmitted, "probablysent": records.ClaimSubmitted,
			"s": records.ClaimSubmitted,
			"r": records.ClaimPaid, "received": records.ClaimPaid,
		},
		// PreferContactMethod values. None, SeeNotes and DoNotCall name no
		// channel; a do-not-contact flag belongs in do_not_contact.
		channels: map[string]records.Channel{
			"hmphone": records.ChannelCall, "wkphone": records.ChannelCall, "wirelessph": records.ChannelCall,
			"textmessage": records.ChannelText, "mail": records.ChannelMail,
			"none": "", "seenotes": "", "donotcall": "",
		},
	},
	PresetDentrix: {
		headers: map[records.Kind]map[string][]string{
			records.Patients: {
				"patient_id": {"Chart Number", "Chart #"}, "first_name": {"First Name"}, "last_name": {"Last Name"},
				"date_of_birth": {"Birth Date", "Birthdate"},
				"phone":         {"Mobile Phone", "Home Phone", "Work Phone"}, "email": {"Email Address"},
				"address_line1": {"Street Address 1"}, "address_line2": {"Street Address 2"},
				"city": {"City"}, "state": {"State"}, "postal_code": {"Zip Code"},
				"guarantor_name": {"Guarantor Name"}, "preferred_channel": {"Preferred Contact Method"},
				"text_consent": {"OK to Text"}, "do_not_contact": {"Do Not Contact"},
			},
			records.Balances: {
				"account_id": {"Guarantor Chart Number"}, "patient_id": {"Chart Number"}, "total_balance": {"Balance"},
				"aged_0_30": {"0-30"}, "aged_31_60": {"31-60"}, "aged_61_90": {"61-90"}, "aged_over_90": {"91+"},
				"last_statement_date": {"Last Statement"}, "last_payment_date": {"Last Payment Date"},
				"last_payment_amount": {"Last Payment Amount"},
			},
			records.Claims: {
				"claim_number": {"Claim ID"}, "patient_id": {"Chart Number"}, "payer_name": {"Carrier Name"},
				"payer_id": {"Payor ID"}, "subscriber_id": {"Subscriber ID"}, "date_of_service": {"Service Date"},
				"submitted_date": {"Date Sent"}, "billed_amount": {"Claim Amount"}, "paid_amount": {"Ins Paid"},
				"patient_responsibility": {"Patient Portion"}, "claim_status": {"Claim Status"},
			},
			records.Recalls: {
				"recall_id": {"Continuing Care ID"}, "patient_id": {"Chart Number"},
				"recall_type": {"Continuing Care Type", "CC Type"}, "due_date": {"Due Date"},
				"last_visit_date": {"Prior Date"}, "scheduled": {"Appt Date"},
			},
			records.Treatments: {
				"plan_id": {"Case ID"}, "patient_id": {"Chart Number"}, "summary": {"Case Name"},
				"estimated_patient_portion": {"Patient Portion"}, "presented_date": {"Date Presented"},
				"scheduled": {"Scheduled"},
			},
			records.Appointments: {
				"appointment_id": {"Appt ID", "Appointment ID"}, "patient_id": {"Chart Number"},
				"start": {"Appt Date", "Appointment Date"}, "start_time": {"Appt Time", "Appointment Time"},
				"location": {"Clinic"}, "provider": {"Provider ID", "Provider"},
				"planned_procedures": {"Procedure Codes", "ADA Codes"}, "status": {"Appt Status", "Appointment Status"},
				"payer_name": {"Primary Carrier", "Primary Insurance Carrier"}, "subscriber_id": {"Primary Subscriber ID"},
			},
		},
		visitWords: map[string]records.AppointmentStatus{
			"leftmessage": records.AppointmentScheduled, "firm": records.AppointmentConfirmed,
		},
		statuses: map[string]records.ClaimStatus{
			"notsent": records.ClaimPending, "unsent": records.ClaimPending, "onhold": records.ClaimPending,
			"resent": records.ClaimSubmitted, "received": records.ClaimPaid, "partiallyreceived": records.ClaimPartial,
		},
		channels: map[string]records.Channel{
			"homephone": records.ChannelCall, "workphone": records.ChannelCall, "mobilephone": records.ChannelCall,
			"textmessage": records.ChannelText, "letter": records.ChannelMail, "none": "",
		},
	},
	PresetEaglesoft: {
		headers: map[records.Kind]map[string][]string{
			records.Patients: {
				"patient_id": {"Patient ID"}, "first_name": {"First Name"}, "last_name": {"Last Name"},
				"date_of_birth": {"Birth Date"},
				"phone":         {"Cell Phone", "Home Phone", "Work Phone"}, "email": {"E-Mail"},
				"address_line1": {"Address Line 1"}, "address_line2": {"Address Line 2"},
				"city": {"City"}, "state": {"State"}, "postal_code": {"Zip"},
				"guarantor_name": {"Responsible Party"}, "preferred_channel": {"Contact Preference"},
				"text_consent": {"Text Opt In"}, "do_not_contact": {"Do Not Contact"},
			},
			records.Balances: {
				"account_id": {"Responsible Party ID"}, "patient_id": {"Patient ID"}, "total_balance": {"Account Balance"},
				"aged_0_30": {"Current"}, "aged_31_60": {"31-60 Days"}, "aged_61_90": {"61-90 Days"},
				"aged_over_90": {"Over 90 Days"}, "last_statement_date": {"Last Statement Date"},
				"last_payment_date": {"Last Payment Date"}, "last_payment_amount": {"Last Payment Amount"},
			},
			records.Claims: {
				"claim_number": {"Claim ID"}, "patient_id": {"Patient ID"}, "payer_name": {"Insurance Company"},
				"payer_id": {"Payer ID"}, "subscriber_id": {"Subscriber ID"}, "date_of_service": {"Date of Service"},
				"submitted_date": {"Date Sent"}, "billed_amount": {"Amount Billed"}, "paid_amount": {"Amount Paid"},
				"patient_responsibility": {"Patient Portion"}, "claim_status": {"Status"},
			},
			records.Recalls: {
				"recall_id": {"Recall ID"}, "patient_id": {"Patient ID"}, "recall_type": {"Recall Type"},
				"due_date": {"Due Date"}, "last_visit_date": {"Previous Date"}, "scheduled": {"Appointment Date"},
			},
			records.Treatments: {
				"plan_id": {"Treatment Plan ID"}, "patient_id": {"Patient ID"}, "summary": {"Plan Name"},
				"estimated_patient_portion": {"Patient Estimate"}, "presented_date": {"Plan Date"},
				"scheduled": {"Scheduled"},
			},
			records.Appointments: {
				"appointment_id": {"Appointment ID"}, "patient_id": {"Patient ID"},
				"start": {"Appointment Date"}, "start_time": {"Start Time"},
				"location": {"Location"}, "provider": {"Provider ID", "Provider"},
				"planned_procedures": {"Procedure Codes", "Planned Services"}, "status": {"Appointment Status"},
				"payer_name": {"Primary Insurance"}, "subscriber_id": {"Primary Subscriber ID", "Subscriber ID"},
			},
		},
		visitWords: map[string]records.AppointmentStatus{
			"checkedout": records.AppointmentCompleted,
		},
		statuses: map[string]records.ClaimStatus{
			"open": records.ClaimPending, "batched": records.ClaimPending, "hold": records.ClaimPending,
			"partialpayment": records.ClaimPartial,
		},
		channels: map[string]records.Channel{
			"homephone": records.ChannelCall, "cellphone": records.ChannelCall, "workphone": records.ChannelCall,
			"textmessage": records.ChannelText, "postcard": records.ChannelMail, "none": "",
		},
	},
}

// status maps a claim status word (already normWord'ed) to a ClaimStatus.
func (p *preset) status(w string) (records.ClaimStatus, bool) {
	if s, ok := p.statuses[w]; ok {
		return s, true
	}
	s, ok := canonicalStatuses[w]
	return s, ok
}

// visitStatus maps an appointment status word (already normWord'ed) to
// an AppointmentStatus.
func (p *preset) visitStatus(w string) (records.AppointmentStatus, bool) {
	if s, ok := p.visitWords[w]; ok {
		return s, true
	}
	s, ok := canonicalVisitWords[w]
	return s, ok
}

// channel maps a contact channel word (already normWord'ed) to a Channel;
// "" means the word names no channel.
func (p *preset) channel(w string) (records.Channel, bool) {
	if c, ok := p.channels[w]; ok {
		return c, true
	}
	c, ok := canonicalChannels[w]
	return c, ok
}

// names returns the header names that fill column name of kind under p,
// most preferred first. The canonical name always comes last, so a file
// with canonical headers reads under any preset.
func (p *preset) names(kind records.Kind, column string, m Mapping) []string {
	var out []string
	if h, ok := m[column]; ok {
		out = append(out, h)
	}
	out = append(out, p.headers[kind][column]...)
	return append(out, column)
}
