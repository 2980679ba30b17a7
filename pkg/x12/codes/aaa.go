package codes

// rejectReasons are the reject reason codes (X12 element 901, AAA03) a 271
// eligibility response sends when it cannot answer, or cannot fully answer,
// a 270. The AAA segment may stand at the payer's level (the payer could not
// answer at all), at the provider's level (the request's provider details
// are at fault), at the subscriber's or dependent's level (the person was
// not found or not identified), or beside one benefit.
var rejectReasons = []entry{
	{"04", "Authorized quantity exceeded"},
	{"15", "Required information is missing from the request"},
	{"33", "The request has input errors"},
	{"41", "Not authorized to ask about this plan or person"},
	{"42", "Payer cannot answer right now; try again later"},
	{"43", "Provider ID missing or not valid"},
	{"44", "Provider name missing or not valid"},
	{"45", "Provider specialty missing or not valid"},
	{"46", "Provider phone number missing or not valid"},
	{"47", "Provider state missing or not valid"},
	{"48", "Referring provider ID missing or not valid"},
	{"49", "Provider is not the patient's primary care provider"},
	{"50", "Provider may not send eligibility requests to this payer"},
	{"51", "Provider is not on file with the payer"},
	{"52", "Service dates are outside the provider's enrollment in the plan"},
	{"53", "The benefit asked about does not fit the provider's type"},
	{"54", "Wrong qualifier for the procedure or service code"},
	{"55", "Procedure or service code not appropriate"},
	{"56", "Date not appropriate"},
	{"57", "Dates of service missing or not valid"},
	{"58", "Date of birth missing or not valid"},
	{"60", "Date of birth is after the date of service"},
	{"61", "Date of death is before the date of service"},
	{"62", "Date of service is outside the period the payer answers for"},
	{"63", "Date of service is in the future"},
	{"64", "Patient ID missing or not valid"},
	{"65", "Patient name missing or not valid"},
	{"66", "Patient gender missing or not valid"},
	{"67", "Patient not found"},
	{"68", "Patient ID matches more than one person"},
	{"69", "Does not fit the patient's age"},
	{"70", "Does not fit the patient's gender"},
	{"71", "Date of birth does not match the payer's records"},
	{"72", "Member ID missing or not valid"},
	{"73", "Subscriber name missing or not valid"},
	{"74", "Subscriber gender missing or not valid"},
	{"75", "Subscriber not found"},
	{"76", "Member ID matches more than one subscriber"},
	{"77", "Subscriber found, but not the patient"},
	{"78", "Subscriber is not in the group or plan named"},
	{"79", "Sender or receiver ID not valid for this payer"},
	{"80", "No answer from the payer; the request was dropped"},
	{"97", "Provider address missing or not valid"},
	{"98", "Experimental service or procedure"},
	{"AA", "Authorization number not found"},
	{"AE", "Needs an authorization from the primary care provider"},
	{"AF", "Diagnosis codes missing or not valid"},
	{"AG", "Procedure codes missing or not valid"},
	{"AO", "More information about the patient's condition is needed"},
	{"CI", "Certification does not match the patient"},
	{"E8", "Needs medical review"},
	{"IA", "Authorization number is in the wrong format"},
	{"MA", "Authorization number missing"},
	{"T4", "Payer name or ID missing"},
}

// followUpActions are the follow-up action codes (X12 element 889, AAA04):
// what the payer asks the sender to do after a rejection.
var followUpActions = []entry{
	{"C", "Correct the request and send it again"},
	{"N", "Do not send it again"},
	{"P", "Send the original request again"},
	{"R", "It may be sent again"},
	{"S", "Do not send it again; the payer has asked a third party"},
	{"W", "Wait 30 days and send it again"},
	{"X", "Wait 10 days and send it again"},
	{"Y", "Do not send it again; the payer will answer by hand"},
}

var (
	rejectReasonIndex   = index(rejectReasons)
	followUpActionIndex = index(followUpActions)
)

// RejectReason says what an AAA reject reason code (AAA03) means.
func RejectReason(code string) (string, bool) { return lookup(rejectReasonIndex, code) }

// FollowUpAction says what an AAA follow-up action code (AAA04) asks for.
func FollowUpAction(code string) (string, bool) { return lookup(followUpActionIndex, code) }

// RejectRetryable reports whether a request rejected for this reason may
// succeed if the same request is sent again later, unchanged. Only the
// payer's own trouble qualifies: 42 (cannot answer right now) and 80 (no
// answer, the request was dropped). Every other reason is about the data
// sent, the provider or the person, and sending the same request again
// gets the same answer.
func RejectRetryable(reason string) bool {
	return reason == "42" || reason == "80"
}

// RetryAfterReject decides whether to send the same request again, later,
// from an AAA's reason (AAA03) and follow-up action (AAA04). The follow-up
// action speaks first, because it is the payer's instruction:
//
//   - C (correct and resubmit), N, S and Y (do not resubmit) say no: a
//     person must fix the request or wait for the payer;
//   - P (resubmit the original), W and X (wait 30 or 10 days, then
//     resubmit) say yes, whatever the reason;
//   - R (resubmission allowed), or no action, leave it to the reason:
//     RejectRetryable.
func RetryAfterReject(reason, followUp string) bool {
	switch followUp {
	case "C", "N", "S", "Y":
		return false
	case "P", "W", "X":
		return true
	}
	return RejectRetryable(reason)
}
