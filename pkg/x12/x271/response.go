// Package x271 decodes 271 eligibility and benefit responses (005010X279A1)
// into plain structs, and sums up each answer for a dental visit: is the
// coverage active, what does the patient pay, how much of the deductible
// and the annual maximum is left, which frequency limits are used up,
// which waiting periods run, and what a person must look at before the
// visit.
//
// A 271 answers a 270 level by level. Decode reads these segments and
// ignores every other one:
//
//	BHT           the 270's reference (BHT03) and the date of the answer (BHT04)
//	HL            20 information source (payer), 21 information receiver
//	              (provider), 22 subscriber, 23 dependent; each 22 or 23
//	              level is one Answer
//	NM1           names: payer, provider (NPI when NM108 is XX), person;
//	              inside LS/LE, a benefit's related entity (2120 loop)
//	AAA           a rejection, at any level
//	TRN           at a person: TRN*2 the 270's trace, TRN*1 the payer's
//	REF           at a person (18 plan, 6P group, and the rest kept), or in
//	              a benefit
//	DTP           at a person (291, 346, 347, 356, 357, 304, 348…), or in
//	              a benefit (304 latest visit, 348 benefit begins…)
//	EB            one benefit; the HSD, REF, DTP, AAA, MSG, III and LS/LE
//	              after it belong to it (loop 2110)
//	HSD           how often a benefit may be used
//	MSG, III      free text, and industry codes with their text
//
// Names, member IDs and dates of birth are patient data: keep them out of
// logs and error messages. Errors quote codes, counts and lengths only.
package x271

import (
	"time"

	"github.com/backdesk/backdesk/pkg/x12"
)

// Response is one 271 transaction set.
type Response struct {
	ControlNumber     string    // ST02
	ImplementationRef string    // ST03, or GS08 when ST03 is empty
	Reference         string    // BHT03: the reference the 270 sent
	Created           time.Time // BHT04: the date the payer answered
	SourceName        string    // NM103 at the information source level (HL 20): the payer
	SourceID          string    // NM109 there: the payer ID
	ReceiverName      string    // NM103 at the information receiver level (HL 21)
	ReceiverNPI       string    // NM109 there, when NM108 is XX
	ReceiverID        string    // NM109 there, whatever its qualifier
	// Rejections are the AAA segments at the source and receiver levels:
	// the payer could not answer at all (42), or the provider's details
	// were at fault (43, 51…). Each Answer carries a copy in Above.
	Rejections []Rejection
	Answers    []Answer
	Pos        x12.Pos // where ST starts
}

// Find returns the answer to the 270 with the given trace number (the
// 270's TRN02, sent back as TRN*2), or false.
func (r *Response) Find(trace string) (*Answer, bool) {
	for i := range r.Answers {
		for _, t := range r.Answers[i].TraceNumbers {
			if t == trace {
				return &r.Answers[i], true
			}
		}
	}
	return nil, false
}

// Answer is what the payer said about one person: a subscriber (HL 22) or
// a dependent (HL 23). A subscriber level that only leads to a dependent,
// with no trace, benefit or rejection of its own, is not an answer.
type Answer struct {
	Dependent bool // HL 23
	// TraceNumbers are the TRN02 of the TRN*2 segments: the trace numbers
	// the 270 sent, by which the answer is matched to its request.
	TraceNumbers []string
	// PayerTraceNumbers are the TRN02 of the TRN*1 segments: the payer's
	// (or a clearinghouse's) own trace numbers for the answer.
	PayerTraceNumbers []string

	LastName   string // NM103 (patient data)
	FirstName  string // NM104 (patient data)
	MiddleName string // NM105 (patient data)
	// MemberID is NM109; a dependent without one of its own gets the
	// subscriber's (patient data).
	MemberID            string
	SubscriberLastName  string // for a dependent, the subscriber above (patient data)
	SubscriberFirstName string // (patient data)

	// The plan and group are the person's own REFs; a dependent starts
	// with the subscriber's.
	PlanNumber  string // REF*18 REF02
	PlanName    string // REF*18 REF03
	GroupNumber string // REF*6P REF02, or REF*1L when there is no 6P
	GroupName   string // REF*6P REF03
	Refs        []Ref  // every REF at the person level, in order

	PlanBegin        time.Time // DTP*346, or the start of a DTP*291 range
	PlanEnd          time.Time // DTP*347, or the end of a DTP*291 range
	EligibilityBegin time.Time // DTP*356, or the start of a DTP*307 range
	EligibilityEnd   time.Time // DTP*357, or the end of a DTP*307 range
	LatestVisit      time.Time // DTP*304: latest visit or consultation
	BenefitBegin     time.Time // DTP*348
	Dates            []Date    // every DTP at the person level, in order

	// Rejections are the AAA segments at the person level: the person was
	// not found (75), the member ID is wrong (72)…
	Rejections []Rejection
	// Above are the rejections at the source and receiver levels of the
	// same response, copied so that an answer stands on its own.
	Above    []Rejection
	Benefits []Benefit
	// Answered is BHT04, the date the payer answered: "this year" and
	// "used so far" are as of this date.
	Answered time.Time
	Pos      x12.Pos // where the HL starts
}

// Benefit is one EB segment with the segments of its 2110 loop.
type Benefit struct {
	Info               string   // EB01: 1 active coverage, 6 inactive, A coinsurance, C deductible, F limitations…
	CoverageLevel      string   // EB02: IND individual, FAM family…
	ServiceTypes       []string // EB03, every repetition: 35 dental care, 41 preventive…
	InsuranceType      string   // EB04
	PlanDescription    string   // EB05
	TimePeriod         string   // EB06: 22 service year, 23 calendar year, 29 remaining, 32 lifetime…
	Amount             Money    // EB07
	Percent            Percent  // EB08: for coinsurance, the patient's share
	QuantityQualifier  string   // EB09: VS visits, 99 quantity used…
	Quantity           string   // EB10, a decimal as sent
	Authorization      string   // EB11: Y when an authorization or certification is needed
	InNetwork          string   // EB12: Y in network, N out of network, W either, U unknown
	ProcedureQualifier string   // EB13-1: AD for ADA dental codes
	Procedure          string   // EB13-2, such as D1110

	Deliveries []Delivery     // HSD
	Refs       []Ref          // REF
	Dates      []Date         // DTP: 304 latest visit, 348 benefit begins…
	Rejections []Rejection    // AAA
	Messages   []string       // MSG01
	Industry   []IndustryCode // III
	Entities   []Entity       // NM1 of the 2120 loop, between LS and LE
	Pos        x12.Pos        // where the EB starts
}

// Date returns the first date of the benefit's loop with the qualifier.
func (b Benefit) Date(qualifier string) (Date, bool) {
	for _, d := range b.Dates {
		if d.Qualifier == qualifier {
			return d, true
		}
	}
	return Date{}, false
}

// Delivery is an HSD segment: how often a benefit may be used, such as
// two visits a calendar year (HSD*VS*2***23) or one every six months
// (HSD*VS*1***34*6).
type Delivery struct {
	QuantityQualifier string // HSD01: VS visits, FL units…
	Quantity          string // HSD02, a decimal as sent
	Unit              string // HSD03: DA days, WK weeks, MO months, YR years…
	UnitCount         string // HSD04, sample selection modulus: how many HSD03 units
	TimePeriod        string // HSD05: 22 service year, 23 calendar year, 32 lifetime, 34 months, 21 years…
	Periods           string // HSD06: how many HSD05 periods
	Pattern           string // HSD07
	PatternTime       string // HSD08
}

// Date is a DTP segment.
type Date struct {
	Qualifier string    // DTP01
	From, To  time.Time // equal for a single date (D8)
}

// Ref is a REF segment.
type Ref struct {
	Qualifier   string // REF01
	ID          string // REF02
	Description string // REF03
}

// IndustryCode is an III segment.
type IndustryCode struct {
	Qualifier string // III01: ZZ place of service…
	Code      string // III02
	Category  string // III03
	Text      string // III04
}

// Entity is an NM1 of the benefit related entity loop (2120): a primary
// care provider, another payer, a contact for more information.
type Entity struct {
	Code        string // NM101: P3 primary care provider, PR payer, PRP primary payer…
	Name        string // NM103
	FirstName   string // NM104
	IDQualifier string // NM108
	ID          string // NM109
}
