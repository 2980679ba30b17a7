package x271_test

import (
	"slices"
	"testing"

	"github.com/backdesk/backdesk/pkg/x12/x271"
	"github.com/stretchr/testify/require"
)

func TestActiveSubscriber(t *testing.T) {
	t.Parallel()
	rep, a := onlyAnswer(t, "271-active.edi")
	require.Equal(t, "0001", rep.ControlNumber)
	require.Equal(t, "005010X279A1", rep.ImplementationRef)
	require.Equal(t, "ELG260915A", rep.Reference)
	require.Equal(t, day(2026, 9, 15), rep.Created)
	require.Equal(t, "MAPLE DENTAL PLANS", rep.SourceName)
	require.Equal(t, "77001", rep.SourceID)
	require.Equal(t, "LAKESIDE FAMILY DENTISTRY", rep.ReceiverName)
	require.Equal(t, "1234567893", rep.ReceiverNPI)
	require.Empty(t, rep.Rejections)

	require.False(t, a.Dependent)
	require.Equal(t, []string{"BD-ELG-0001"}, a.TraceNumbers)
	require.Equal(t, []string{"MDP260915000451"}, a.PayerTraceNumbers)
	require.Equal(t, "QUILL", a.LastName)
	require.Equal(t, "JORDAN", a.FirstName)
	require.Equal(t, "A", a.MiddleName)
	require.Equal(t, "MDP100200301", a.MemberID)
	require.Equal(t, "G12345", a.GroupNumber)
	require.Equal(t, "ACME TOOL WORKS", a.GroupName)
	require.Equal(t, "PPO2000", a.PlanNumber)
	require.Equal(t, "MAPLE PPO 2000", a.PlanName)
	require.Len(t, a.Refs, 2)
	require.Equal(t, day(2026, 1, 1), a.PlanBegin)
	require.Equal(t, day(2026, 12, 31), a.PlanEnd)
	require.Equal(t, day(2026, 9, 15), a.Answered)
	require.Equal(t, 10, a.Pos.Segment)
	require.Len(t, a.Benefits, 19)

	active := a.Benefits[0]
	require.Equal(t, "1", active.Info)
	require.Equal(t, []string{"35", "23", "41", "25", "36"}, active.ServiceTypes, "EB03 repetitions")
	require.Equal(t, "PR", active.InsuranceType)
	require.Equal(t, "MAPLE PPO 2000", active.PlanDescription)
	require.Equal(t, 21, active.Pos.Segment)

	ded := a.Benefits[1]
	require.Equal(t, "C", ded.Info)
	require.Equal(t, "IND", ded.CoverageLevel)
	require.Equal(t, "23", ded.TimePeriod)
	require.Equal(t, x271.Money{Cents: 5000, Known: true}, ded.Amount)
	require.Equal(t, "Y", ded.InNetwork)
	require.False(t, ded.Percent.Known)

	crowns := a.Benefits[12]
	require.Equal(t, "A", crowns.Info)
	require.Equal(t, x271.Percent{Hundredths: 5000, Known: true}, crowns.Percent)
	require.False(t, crowns.Amount.Known)

	cleanings := a.Benefits[14]
	require.Equal(t, "AD", cleanings.ProcedureQualifier)
	require.Equal(t, "D1110", cleanings.Procedure)
	require.Equal(t, "99", cleanings.QuantityQualifier)
	require.Equal(t, "2", cleanings.Quantity)
	require.Equal(t, []x271.Delivery{{QuantityQualifier: "VS", Quantity: "2", TimePeriod: "23"}}, cleanings.Deliveries)
	last, ok := cleanings.Date("304")
	require.True(t, ok)
	require.Equal(t, day(2026, 8, 2), last.From)

	bitewings := a.Benefits[16]
	require.Equal(t, "D0274", bitewings.Procedure)
	require.Equal(t, []x271.Delivery{{QuantityQualifier: "VS", Quantity: "1", TimePeriod: "34", Periods: "12"}}, bitewings.Deliveries)

	fluoride := a.Benefits[18]
	require.Equal(t, "D", fluoride.Info)
	require.Equal(t, []string{"FLUORIDE COVERED TO AGE 19"}, fluoride.Messages)
}

// A dependent's answer carries the subscriber's member ID, name, plan and
// group; the subscriber level above it, which only leads to it, is no
// answer of its own.
func TestDependent(t *testing.T) {
	t.Parallel()
	_, a := onlyAnswer(t, "271-dependent.edi")
	require.True(t, a.Dependent)
	require.Equal(t, []string{"BD-ELG-0002"}, a.TraceNumbers)
	require.Equal(t, "OSEI", a.LastName)
	require.Equal(t, "KWAME", a.FirstName)
	require.Equal(t, "HDT5550101", a.MemberID, "the subscriber's member ID")
	require.Equal(t, "MARGARET", a.SubscriberFirstName)
	require.Equal(t, "OSEI", a.SubscriberLastName)
	require.Equal(t, "88001", a.GroupNumber)
	require.Equal(t, day(2025, 7, 1), a.PlanBegin)
	require.Equal(t, day(2026, 6, 30), a.PlanEnd)
	require.Equal(t, "FAM", a.Benefits[0].CoverageLevel)
}

func TestInactive(t *testing.T) {
	t.Parallel()
	_, a := onlyAnswer(t, "271-inactive.edi")
	require.Equal(t, day(2023, 1, 1), a.EligibilityBegin)
	require.Equal(t, day(2025, 12, 31), a.EligibilityEnd)
	require.Len(t, a.Benefits, 1)
	require.Equal(t, "6", a.Benefits[0].Info)
	require.Equal(t, x271.Inactive, a.Summary().Coverage)
}

// AAA at the person level stays with the person; AAA at the payer's level
// stays with the response, which then has no answers.
func TestRejections(t *testing.T) {
	t.Parallel()
	reps := decodeFile(t, "271-rejected.edi")
	require.Len(t, reps, 2)

	people := reps[0]
	require.Empty(t, people.Rejections)
	require.Len(t, people.Answers, 2)
	badID, notFound := people.Answers[0], people.Answers[1]
	require.Equal(t, []x271.Rejection{{Level: x271.SubscriberLevel, Reason: "72", FollowUp: "C", Pos: badID.Rejections[0].Pos}}, badID.Rejections)
	require.Equal(t, 12, badID.Rejections[0].Pos.Segment)
	require.False(t, badID.Rejections[0].Retryable())
	require.Equal(t, "Rejected at the subscriber level: Member ID missing or not valid (AAA 72); Correct the request and send it again",
		badID.Rejections[0].String())
	require.Equal(t, "75", notFound.Rejections[0].Reason)
	require.True(t, notFound.Rejections[0].Retryable(), "W: wait 30 days and send it again")
	require.Equal(t, []string{"BD-ELG-0005"}, notFound.TraceNumbers)
	for _, a := range people.Answers {
		require.Equal(t, x271.Unknown, a.Summary().Coverage)
	}

	busy := reps[1]
	require.Empty(t, busy.Answers)
	require.Len(t, busy.Rejections, 1)
	r := busy.Rejections[0]
	require.Equal(t, x271.SourceLevel, r.Level)
	require.True(t, r.ValidRequest)
	require.Equal(t, "42", r.Reason)
	require.True(t, r.Retryable())
	require.Equal(t, "Payer cannot answer right now; try again later", r.ReasonWords())
	require.Equal(t, "Send the original request again", r.FollowUpWords())
}

func TestTwoAnswersInOneSet(t *testing.T) {
	t.Parallel()
	reps := decodeFile(t, "271-two-answers.edi")
	require.Len(t, reps, 1)
	rep := reps[0]
	require.Len(t, rep.Answers, 2)
	first, second := rep.Answers[0], rep.Answers[1]
	require.Equal(t, "HALE", first.LastName)
	require.Equal(t, day(2026, 1, 1), first.PlanBegin, "from DTP*291 RD8")
	require.Equal(t, day(2026, 12, 31), first.PlanEnd)
	require.Equal(t, "IBARRA", second.LastName)
	require.Empty(t, second.PayerTraceNumbers)

	found, ok := rep.Find("BD-ELG-0008")
	require.True(t, ok)
	require.Equal(t, "IBARRA", found.LastName)
	_, ok = rep.Find("BD-ELG-9999")
	require.False(t, ok)

	other := second.Benefits[1]
	require.Equal(t, "R", other.Info)
	require.Equal(t, []x271.Ref{{Qualifier: "IG", ID: "SECONDARY9"}}, other.Refs)
	require.Equal(t, []x271.Entity{{Code: "PRP", Name: "NORTHWIND DENTAL", IDQualifier: "PI", ID: "55510"}}, other.Entities)
	require.Equal(t, []string{"THIS PLAN PAYS SECOND"}, other.Messages, "MSG after LE belongs to the benefit")
}

// Segments this package does not read are skipped wherever they stand, and
// levels it does not know are passed over with what is in them.
func TestUnknownSegmentsAreIgnored(t *testing.T) {
	t.Parallel()
	rep, err := decodeOne(t, build(answer(
		"ZZZ*1*2", "PRV*PE*PXC*1223G0001X", "INS*Y*18", "EB*1*IND*35", "AMT*R*10", "XYZ",
		"HL*9*3*PT*0", "EB*1*IND*35", "NM1*IL*1*SOMEONE*ELSE")...))
	require.NoError(t, err)
	require.Len(t, rep.Answers, 1)
	require.Len(t, rep.Answers[0].Benefits, 1)
	require.Equal(t, "DOE", rep.Answers[0].LastName)
}

// Rejections at the source and receiver levels are copied into every
// answer below them, and a benefit's own AAA shows in the summary.
func TestRejectionsAboveAnAnswer(t *testing.T) {
	t.Parallel()
	body := []string{bht, "HL*1**20*1", "AAA*Y**41*N", "NM1*PR*2*TEST PAYER*****PI*99999",
		"HL*2*1*21*1", "NM1*1P*2*TEST OFFICE*****XX*1234567893", "AAA*N**51*C"}
	body = append(body, person...)
	body = append(body, "EB*1*IND*35", "EB*A*IND*36", "AAA*Y**AG*C")
	rep, err := decodeOne(t, build(body...))
	require.NoError(t, err)
	require.Len(t, rep.Rejections, 2)
	a := rep.Answers[0]
	require.Equal(t, rep.Rejections, a.Above)
	require.Equal(t, x271.ReceiverLevel, a.Above[1].Level)
	s := a.Summary()
	levels := []x271.Level{}
	for _, r := range s.Rejections {
		levels = append(levels, r.Level)
	}
	require.Equal(t, []x271.Level{x271.SourceLevel, x271.ReceiverLevel, x271.BenefitLevel}, levels)
	require.True(t, slices.Contains(s.Problems(nil, day(2026, 10, 1)),
		"Rejected at the provider level: Provider is not on file with the payer (AAA 51); Correct the request and send it again"))
}
