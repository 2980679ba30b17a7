// Package x270 writes batches of 270 eligibility and benefit inquiries
// (005010X279A1): the questions a dental office sends a payer, through a
// clearinghouse, about a patient's coverage before a visit.
//
// Write puts one interchange on its writer, with one transaction set per
// payer (information source), in the order the payers first appear in the
// batch. Each set holds one information receiver level per provider NPI,
// usually just the office, and under it one subscriber level per request,
// in the batch's order:
//
//	ST*270*0001*005010X279A1
//	BHT*0022*13*<ISA13>-<ST02>*<date>*<time>
//	HL*1**20*1                  information source
//	NM1*PR*2*<payer>*****PI*<payer ID>
//	HL*2*1*21*1                 information receiver
//	NM1*1P*2*<provider>*****XX*<NPI>
//	HL*3*2*22*0                 subscriber (HL04 1 when a dependent follows)
//	TRN*1*<trace>*<originator>  on the patient's level
//	NM1*IL*1*<last>*<first>****MI*<member ID>
//	REF*6P*<group number>       when known
//	DMG*D8*<birth date>*<F|M|U> on the patient's level, when the birth date is known
//	DTP*291*D8*<service date>   on the patient's level, when set
//	EQ*35^23^41                 on the patient's level
//	HL*4*3*23*0                 dependent, when the patient is not the subscriber
//	TRN, NM1*03*1*<last>*<first>, DMG, DTP, EQ
//	SE
//
// The trace number (TRN02) comes back in the 271's TRN*2, which is how an
// answer finds the work item that asked. A dependent is named by name and
// birth date only: the guide has no member ID for NM1*03, and a patient
// with a member ID of their own is asked about as the subscriber. When the
// patient is a dependent, the subscriber's birth date and gender are not
// sent: the payer finds the subscriber by member ID, and the request
// carries no more patient data than the question needs.
//
// The service types go in one EQ segment, as repetitions of EQ01. The
// guide allows either that or one 2110C/2110D loop (an EQ each) per
// service type, up to 99 either way. One EQ keeps the request short and
// asks about the visit as one question. A request with no service types
// asks about 35 (dental care), which codes.DentalServiceTypes always puts
// first.
//
// A request that cannot be sent is refused before anything is written,
// with a *RequestError that names its index in the batch and the field,
// never the field's value: names, member IDs and birth dates are patient
// data. Text fields are written with surrounding spaces trimmed and
// otherwise as given; a value with an X12 delimiter, a control character
// or a byte outside printable ASCII is refused, not altered.
package x270
