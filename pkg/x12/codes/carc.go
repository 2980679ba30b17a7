package codes

// reasons are common claim adjustment reason codes (CARC, CAS02 and every
// third element after it). The group code in CAS01 says who bears the
// amount; the reason says why it was adjusted.
var reasons = []entry{
	{"1", "Deductible"},
	{"2", "Coinsurance"},
	{"3", "Copay"},
	{"4", "Procedure code and modifier do not fit together, or a needed modifier is missing"},
	{"5", "Procedure code does not fit the place of service"},
	{"6", "Procedure does not fit the patient's age"},
	{"8", "Procedure does not fit the provider's type or specialty"},
	{"11", "Diagnosis does not fit the procedure"},
	{"16", "Claim lacks information or has a billing error; fix and resubmit"},
	{"18", "Exact duplicate of a claim or service"},
	{"22", "Another payer may cover this (coordination of benefits)"},
	{"23", "Effect of what earlier payers paid or adjusted"},
	{"24", "Covered under a capitation or managed care agreement"},
	{"26", "Service was before coverage started"},
	{"27", "Service was after coverage ended"},
	{"29", "Filed too late: the filing limit has passed"},
	{"31", "Patient is not identified as this payer's insured"},
	{"35", "Lifetime benefit maximum reached"},
	{"45", "Charge is above the fee schedule or contracted amount"},
	{"49", "Routine or preventive service the plan does not cover"},
	{"50", "Not covered: payer does not consider it medically necessary"},
	{"96", "Not covered"},
	{"97", "Paid as part of another service already adjudicated"},
	{"109", "Not covered by this payer; send it to the right payer"},
	{"119", "Benefit maximum for the period or occurrence reached"},
	{"129", "Earlier processing information looks wrong"},
	{"149", "Lifetime maximum for this benefit category reached"},
	{"151", "Payer finds the information does not support this many services or this frequency"},
	{"167", "Diagnosis not covered"},
	{"169", "Alternate benefit provided (paid as a less costly procedure)"},
	{"170", "Not paid when this type of provider performs or bills it"},
	{"181", "Procedure code was not valid on the date of service"},
	{"182", "Modifier was not valid on the date of service"},
	{"185", "Rendering provider may not perform the service billed"},
	{"197", "Prior authorization, precertification or notification was missing"},
	{"198", "Prior authorization or precertification was exceeded"},
	{"204", "Not covered under the patient's current benefit plan"},
	{"206", "NPI missing"},
	{"207", "NPI in an invalid format"},
	{"208", "NPI does not match"},
	{"226", "Information asked of the provider was not sent, was late or was incomplete"},
	{"227", "Information asked of the patient was not sent or was incomplete"},
	{"231", "Procedures that cannot be done on the same day or in the same setting"},
	{"234", "This procedure is not paid separately"},
	{"242", "Not provided by a network or primary care provider"},
	{"252", "An attachment or other documentation is needed to adjudicate"},
	{"253", "Sequestration: reduction in federal payment"},
	{"254", "Dental plan has no benefit for this; send it to the medical plan"},
	{"270", "Medical plan has no benefit for this; send it to the dental plan"},
	{"272", "Coverage or program guidelines were not met"},
	{"273", "Coverage or program guidelines were exceeded"},
	{"A1", "Claim or service denied"},
	{"B7", "Provider was not certified or eligible for this service on this date"},
	{"B13", "Paid already: an earlier payment may have covered this"},
}

var reasonIndex = index(reasons)

// Reason looks up a claim adjustment reason code (CARC, such as "45").
func Reason(code string) (string, bool) {
	return lookup(reasonIndex, code)
}
