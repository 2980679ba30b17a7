package codes

// claimPaymentStatuses are the 835 claim status codes (CLP02).
var claimPaymentStatuses = []entry{
	{"1", "Processed as primary"},
	{"2", "Processed as secondary"},
	{"3", "Processed as tertiary"},
	{"4", "Denied"},
	{"19", "Processed as primary and forwarded to another payer"},
	{"20", "Processed as secondary and forwarded to another payer"},
	{"21", "Processed as tertiary and forwarded to another payer"},
	{"22", "Reversal of an earlier payment"},
	{"23", "Not this payer's claim; forwarded to another payer"},
	{"25", "Predetermination priced only; no payment"},
}

var claimPaymentIndex = index(claimPaymentStatuses)

// ClaimPaymentStatus looks up an 835 claim status code (CLP02, such as
// "4" for denied).
func ClaimPaymentStatus(code string) (string, bool) {
	return lookup(claimPaymentIndex, code)
}

// adjustmentGroups are the claim adjustment group codes (CAS01).
var adjustmentGroups = []entry{
	{"CO", "Contractual obligation: the provider writes it off and may not bill the patient"},
	{"CR", "Correction or reversal of an earlier claim"},
	{"OA", "Other adjustment, neither contractual nor the patient's"},
	{"PI", "Payer-initiated reduction the payer considers not the patient's"},
	{"PR", "Patient responsibility: may be billed to the patient or to the next payer"},
}

var adjustmentGroupIndex = index(adjustmentGroups)

// AdjustmentGroup looks up a claim adjustment group code (CAS01).
func AdjustmentGroup(code string) (string, bool) {
	return lookup(adjustmentGroupIndex, code)
}

// entities are common entity identifier codes (STC01-3, NM101).
var entities = []entry{
	{"03", "Dependent"},
	{"1P", "Provider"},
	{"36", "Employer"},
	{"40", "Receiver"},
	{"41", "Submitter"},
	{"71", "Attending provider"},
	{"77", "Service location"},
	{"82", "Rendering provider"},
	{"85", "Billing provider"},
	{"87", "Pay-to provider"},
	{"DN", "Referring provider"},
	{"GB", "Other insured"},
	{"IL", "Insured or subscriber"},
	{"PE", "Payee"},
	{"PR", "Payer"},
	{"QC", "Patient"},
}

var entityIndex = index(entities)

// Entity looks up an entity identifier code, such as "85" for the billing
// provider in STC*A7:562:85.
func Entity(code string) (string, bool) {
	return lookup(entityIndex, code)
}
