package codes

// providerAdjustmentReasons are the provider-level adjustment reason codes
// of an 835 (PLB03-1, and PLB05-1 and so on). A positive PLB amount is
// taken from the payment, a negative one added to it; PLB03-2 usually
// names the claim or earlier payment the adjustment is about.
var providerAdjustmentReasons = []entry{
	{"50", "Late charge: a penalty for a claim or cost report filed late"},
	{"51", "Interest penalty charged for filing late"},
	{"72", "Authorized return: the payer acknowledges a refund the provider sent for an earlier overpayment"},
	{"90", "Early payment allowance"},
	{"AH", "Origination fee: a transmission fee not tied to any one claim"},
	{"AM", "Applied to the borrower's account: a loan repayment under a capitation arrangement"},
	{"AP", "Acceleration of benefits: an advance payment, or money withheld to repay one"},
	{"B2", "Rebate"},
	{"B3", "Recovery allowance"},
	{"BD", "Bad debt adjustment"},
	{"BN", "Bonus"},
	{"C5", "Temporary allowance"},
	{"CR", "Capitation interest"},
	{"CS", "Adjustment: a correction the payer makes; the reference says what it is for"},
	{"CT", "Capitation payment"},
	{"CV", "Capital pass-through"},
	{"CW", "Pass-through for certified registered nurse anesthetist costs"},
	{"DM", "Direct medical education pass-through"},
	{"E3", "Withholding"},
	{"FB", "Forwarding balance: an amount carried over from or to another remittance"},
	{"FC", "Fund allocation"},
	{"GO", "Graduate medical education pass-through"},
	{"HM", "Hemophilia clotting factor supplement"},
	{"IP", "Incentive premium payment"},
	{"IR", "Withheld for the Internal Revenue Service"},
	{"IS", "Interim settlement"},
	{"J1", "Nonreimbursable: an amount the payer will not reimburse"},
	{"L3", "Penalty"},
	{"L6", "Interest the payer owes, usually for paying late; added to the payment"},
	{"LE", "Levy: money withheld to satisfy a levy against the provider"},
	{"LS", "Lump sum"},
	{"OA", "Organ acquisition pass-through"},
	{"OB", "Offset for affiliated providers: money taken to cover what a related provider owes"},
	{"PI", "Periodic interim payment"},
	{"PL", "Final payment"},
	{"RA", "Retroactive adjustment"},
	{"RE", "Return on equity"},
	{"SL", "Student loan repayment withheld"},
	{"TL", "Third-party liability"},
	{"WO", "Overpayment recovery: money taken back for an earlier overpayment"},
	{"WU", "Unspecified recovery: money taken back for a reason not given"},
}

var providerAdjustmentIndex = index(providerAdjustmentReasons)

// ProviderAdjustmentReason looks up a provider-level adjustment reason code
// of an 835 (PLB03-1, such as "L6" for interest or "WO" for an overpayment
// recovery).
func ProviderAdjustmentReason(code string) (string, bool) {
	return lookup(providerAdjustmentIndex, code)
}
