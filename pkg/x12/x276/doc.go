// Package x276 writes batches of 276 claim status requests (005010X212):
// the questions a dental office sends a payer, through a clearinghouse,
// about claims it has billed and not heard back on.
//
// It follows x270: Write puts one interchange on its writer, with one
// transaction set per payer, in the order the payers first appear; in each
// set one service provider level per NPI, and under it one subscriber
// level per request, in the batch's order. The parties and people are
// x270's types and are checked the same way.
//
//	ST*276*0001*005010X212
//	BHT*0010*13*<ISA13>-<ST02>*<date>*<time>
//	HL*1**20*1                  information source: the payer
//	NM1*PR*2*<payer>*****PI*<payer ID>
//	HL*2*1*21*1                 information receiver: the submitter
//	NM1*41*2*<receiver>*****46*<ETIN>
//	HL*3*2*19*1                 service provider
//	NM1*1P*2*<provider>*****XX*<NPI>
//	HL*4*3*22*0                 subscriber (HL04 1 when a dependent follows)
//	DMG*D8*<birth date>*<F|M>   when the subscriber is the patient and the birth date is known
//	NM1*IL*1*<last>*<first>****MI*<member ID>
//	HL*5*4*23                   dependent, when the patient is not the subscriber
//	DMG*D8*<birth date>*<F|M>
//	NM1*QC*1*<last>*<first>
//	TRN*1*<trace>               the claim, on the patient's level
//	REF*1K*<payer claim control number>, when known
//	REF*EJ*<the office's claim ID>
//	AMT*T3*<total claim charge>
//	DTP*472*D8*<date> or DTP*472*RD8*<from>-<to>
//	SE
//
// The payer's 277 answer echoes TRN02 in its TRN*2, which x277 reads as
// the claim's PatientControlNumber. A claim's trace number therefore
// defaults to its claim ID, so the answer names the claim the office
// knows; a caller that sets another trace number must map it back itself.
//
// The 276 guide lists only F and M for a gender, so "U" is left out of
// DMG03, as is an empty gender.
//
// As in x270, a request that cannot be sent is refused before anything is
// written, with an *x270.RequestError naming its index and the field,
// never the field's value.
package x276
