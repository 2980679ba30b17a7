package codes

// Class sorts claim status categories by what they mean for follow-up.
type Class int

// The classes of claim status categories.
const (
	Other          Class = iota // none of the classes below
	Acknowledged                // received or accepted; nothing to do yet
	Rejected                    // not accepted; fix the claim and send it again
	Pending                     // still being worked by the payer
	RequestForInfo              // the payer wants something before it goes on
	Finalized                   // adjudication is over; look for the remittance
	Error                       // the status request itself could not be answered
)

// String names the class in lower case, for logs and reports.
func (c Class) String() string {
	switch c {
	case Acknowledged:
		return "acknowledged"
	case Rejected:
		return "rejected"
	case Pending:
		return "pending"
	case RequestForInfo:
		return "request for information"
	case Finalized:
		return "finalized"
	case Error:
		return "error"
	}
	return "other"
}

// CategoryInfo describes a claim status category code (STC01-1).
type CategoryInfo struct {
	Code    string
	Meaning string
	Class   Class
}

// categories are the claim status category codes.
var categories = []CategoryInfo{
	{"A0", "Forwarded: passed on to another entity", Acknowledged},
	{"A1", "Received, but not yet accepted for adjudication", Acknowledged},
	{"A2", "Accepted into the payer's adjudication system", Acknowledged},
	{"A3", "Rejected as unprocessable; never entered adjudication", Rejected},
	{"A4", "Not found in the payer's adjudication system", Rejected},
	{"A5", "Accepted and split into more than one claim", Acknowledged},
	{"A6", "Rejected: information is missing (see the status code)", Rejected},
	{"A7", "Rejected: information is invalid (see the status code)", Rejected},
	{"A8", "Rejected: fields that must agree with each other do not", Rejected},
	{"D0", "No status: the search found no claim to report on", Error},
	{"E0", "No answer possible: the status request had bad data", Error},
	{"E1", "No answer possible: the payer's system is unavailable", Error},
	{"E2", "The information holder did not respond; ask again later", Error},
	{"E3", "Correction needed: related fields in the request disagree", Error},
	{"E4", "Correction needed: a trading partner requirement was not met", Error},
	{"F0", "Finalized: adjudication is complete", Finalized},
	{"F1", "Finalized: paid", Finalized},
	{"F2", "Finalized: denied", Finalized},
	{"F3", "Finalized: a previous adjudication was revised", Finalized},
	{"F3F", "Finalized and forwarded to the next payer", Finalized},
	{"F3N", "Finalized and not forwarded", Finalized},
	{"F4", "Finalized with no payment to come", Finalized},
	{"P0", "Pending: generic; no remittance has been sent yet", Pending},
	{"P1", "Pending: in process in the adjudication system", Pending},
	{"P2", "Pending: under payer review", Pending},
	{"P3", "Pending: waiting for information already asked of the provider", Pending},
	{"P4", "Pending: waiting for information asked of the patient", Pending},
	{"P5", "Pending: on an administrative or system hold at the payer", Pending},
	{"R0", "Request for information: general", RequestForInfo},
	{"R1", "Request for information about an entity", RequestForInfo},
	{"R3", "Request for information about the claim or a line", RequestForInfo},
	{"R4", "Request for documentation", RequestForInfo},
	{"R5", "Request for more specific detail", RequestForInfo},
	{"R6", "Request for information needed by regulation", RequestForInfo},
	{"R7", "Request to confirm the care fits the plan's coverage policy", RequestForInfo},
	{"R8", "Request to confirm the care fits a coverage exception", RequestForInfo},
	{"R9", "Request for information to decide medical necessity", RequestForInfo},
	{"R10", "Request for information supporting a grievance or appeal", RequestForInfo},
	{"R11", "Request for information for pre-payment review", RequestForInfo},
	{"R12", "Request to justify the use of a procedure code", RequestForInfo},
	{"R13", "Request to resend: the documents sent could not be read", RequestForInfo},
	{"R14", "Request to resend: the documents sent were not the ones asked for", RequestForInfo},
	{"R15", "Request to verify workers' compensation coverage", RequestForInfo},
	{"R16", "Request to verify eligibility", RequestForInfo},
	{"RQ", "General yes-or-no question from the payer", RequestForInfo},
}

var categoryIndex = func() map[string]CategoryInfo {
	m := make(map[string]CategoryInfo, len(categories))
	for _, c := range categories {
		m[c.Code] = c
	}
	return m
}()

// Category looks up a claim status category code (STC01-1, such as "A7").
func Category(code string) (CategoryInfo, bool) {
	c, ok := categoryIndex[code]
	return c, ok
}

// ClassOf returns the class of a category code, and Other for an unknown
// one.
func ClassOf(code string) Class {
	return categoryIndex[code].Class
}
