package x271_test

import (
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/x12/x271"
	"github.com/stretchr/testify/require"
)

// The summary of each test file, in the words an agent reads.
func TestLinesFromFiles(t *testing.T) {
	t.Parallel()
	cases := []struct {
		file   string
		answer int
		asOf   time.Time
		want   []string
	}{
		{"271-active.edi", 0, day(2026, 9, 15), []string{
			"Coverage active: MAPLE PPO 2000, group G12345",
			"Plan dates 2026-01-01 to 2026-12-31",
			"Deductible $50, $0 left this year",
			"Annual maximum $1,500, $1,150 left, resets 2027-01-01",
			"Preventive care: patient pays 0% in network",
			"Diagnostic care: patient pays 0% in network",
			"Restorative care: patient pays 20% in network",
			"Crowns: patient pays 50% in network",
			"Crowns: patient pays 60% out of network",
			"2 of 2 cleanings used this year, last 2026-08-02, next eligible 2027-01-01",
			"1 of 2 exams used this year, last 2026-02-10",
			"1 set of bitewings every 12 months, last 2025-11-20, next eligible 2026-11-20",
			"1 full-mouth or panoramic x-ray every 5 years",
			"Note: FLUORIDE COVERED TO AGE 19",
		}},
		{"271-dependent.edi", 0, day(2026, 1, 20), []string{
			"Coverage active: HARBOR FAMILY DENTAL, group 88001",
			"Plan dates 2025-07-01 to 2026-06-30",
			"Deductible $25, $0 left this year",
			"Annual maximum $1,000, $600 left, resets 2026-07-01",
			"Preventive care: patient pays 0%",
			"Restorative care: patient pays 20%",
			"Orthodontics: patient pays 50%",
			"2 of 2 fluoride treatments used this year, last 2025-12-15, next eligible 2026-07-01",
			"1 sealant per lifetime",
		}},
		{"271-inactive.edi", 0, day(2026, 2, 12), []string{
			"Coverage inactive: group G40020",
			"Eligibility ended 2025-12-31",
			"Note: COVERAGE TERMINATED 12/31/2025",
		}},
		{"271-waiting.edi", 0, day(2026, 5, 5), []string{
			"Coverage active: PINECREST BASIC, group PC-9001",
			"Plan dates 2026-01-01 to 2026-12-31",
			"Annual maximum $1,000, resets 2027-01-01",
			"Crowns: patient pays 50%",
			"Orthodontics: not covered",
			"Waiting period for crowns until 2027-03-01",
			"Waiting period for prosthodontics until 2027-03-01",
			"Missing tooth clause applies",
			"Downgrade: POSTERIOR COMPOSITES DOWNGRADED TO AMALGAM",
			"Note: BENEFITS ARE SUBJECT TO PLAN LIMITATIONS AND EXCLUSIONS",
		}},
		// Once the waiting periods have run, they are no longer told.
		{"271-waiting.edi", 0, day(2027, 3, 1), []string{
			"Coverage active: PINECREST BASIC, group PC-9001",
			"Plan dates 2026-01-01 to 2026-12-31",
			"Annual maximum $1,000, resets 2028-01-01",
			"Crowns: patient pays 50%",
			"Orthodontics: not covered",
			"Missing tooth clause applies",
			"Downgrade: POSTERIOR COMPOSITES DOWNGRADED TO AMALGAM",
			"Note: BENEFITS ARE SUBJECT TO PLAN LIMITATIONS AND EXCLUSIONS",
		}},
		{"271-two-answers.edi", 0, day(2026, 7, 10), []string{
			"Coverage active: MAPLE PPO 2000, group G12345",
			"Plan dates 2026-01-01 to 2026-12-31",
			"Annual maximum $1,500, $0 left, resets 2027-01-01",
			"1 of 2 cleanings used this year, last 2026-06-20",
		}},
		{"271-two-answers.edi", 1, day(2026, 7, 10), []string{
			"Coverage active: MAPLE PPO 2000, group G12345",
			"Other payer: NORTHWIND DENTAL (payer ID 55510)",
			"Note: THIS PLAN PAYS SECOND",
		}},
		{"271-rejected.edi", 1, day(2026, 4, 1), []string{
			"Coverage unknown: the payer sent no coverage status",
			"Rejected at the subscriber level: Subscriber not found (AAA 75); Wait 30 days and send it again",
		}},
	}
	for _, c := range cases {
		a := decodeFile(t, c.file)[0].Answers[c.answer]
		require.Equal(t, c.want, a.Summary().Lines(c.asOf), "%s answer %d as of %s", c.file, c.answer, c.asOf.Format("2006-01-02"))
	}
}

func TestProblemsFromFiles(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		file    string
		answer  int
		planned []string
		visit   time.Time
		want    []string
	}{
		{"cleaning used up", "271-active.edi", 0, []string{"D1110", "D0120"}, day(2026, 10, 1), []string{
			"2 of 2 cleanings used this year; next eligible 2027-01-01",
		}},
		{"child prophylaxis is a cleaning too", "271-active.edi", 0, []string{"D1120"}, day(2026, 12, 31), []string{
			"2 of 2 cleanings used this year; next eligible 2027-01-01",
		}},
		// The cleanings are clear in the new year, but the plan dates end:
		// benefits must be checked again for the new plan year.
		{"cleaning in the new year", "271-active.edi", 0, []string{"D1110", "D0120"}, day(2027, 1, 4), []string{
			"Plan ends 2026-12-31, before the visit",
		}},
		{"bitewings too soon", "271-active.edi", 0, []string{"D0274"}, day(2026, 11, 19), []string{
			"1 set of bitewings every 12 months, last 2025-11-20; next eligible 2026-11-20",
		}},
		{"bitewings on the day", "271-active.edi", 0, []string{"D0274"}, day(2026, 11, 20), nil},
		{"crown with nothing in the way", "271-active.edi", 0, []string{"D2740", "D2392"}, day(2026, 10, 1), nil},
		{"visit after the plan ends", "271-active.edi", 0, []string{"D2740"}, day(2027, 1, 2), []string{
			"Plan ends 2026-12-31, before the visit",
		}},
		{"fluoride used up this benefit year", "271-dependent.edi", 0, []string{"D1206", "D1351"}, day(2026, 2, 1), []string{
			"2 of 2 fluoride treatments used this year; next eligible 2026-07-01",
		}},
		{"inactive", "271-inactive.edi", 0, []string{"D1110"}, day(2026, 2, 20), []string{
			"Coverage inactive",
			"Eligibility ends 2025-12-31, before the visit",
		}},
		{"member ID rejected", "271-rejected.edi", 0, nil, day(2026, 4, 8), []string{
			"Coverage not confirmed: the payer sent no coverage status",
			"Rejected at the subscriber level: Member ID missing or not valid (AAA 72); Correct the request and send it again",
		}},
		{"waiting, missing tooth, downgrade, not covered", "271-waiting.edi", 0,
			[]string{"D2740", "D6240", "D2392", "D8080", "D1110"}, day(2026, 6, 1), []string{
				"Waiting period for crowns until 2027-03-01",
				"Waiting period for prosthodontics until 2027-03-01",
				"Missing tooth clause applies to planned D6240",
				"Downgrade may apply to planned D2392: POSTERIOR COMPOSITES DOWNGRADED TO AMALGAM",
				"Orthodontics not covered (planned D8080)",
			}},
		{"amalgam is not downgraded", "271-waiting.edi", 0, []string{"D2150", "D1110"}, day(2026, 6, 1), nil},
		{"crown after the wait, in the next plan year", "271-waiting.edi", 0, []string{"D2740"}, day(2027, 3, 1), []string{
			"Plan ends 2026-12-31, before the visit",
		}},
		{"maximum used up", "271-two-answers.edi", 0, []string{"D1110"}, day(2026, 8, 1), []string{
			"Annual maximum used up: $0 left until 2027-01-01",
		}},
		{"maximum used up, nothing planned", "271-two-answers.edi", 0, nil, day(2026, 8, 1), nil},
		{"not a CDT code", "271-two-answers.edi", 1, []string{"X1110", " d1110 ", ""}, day(2026, 8, 1), []string{
			"X1110 is not a CDT code; check its benefits by hand",
		}},
	}
	for _, c := range cases {
		a := decodeFile(t, c.file)[0].Answers[c.answer]
		require.Equal(t, c.want, a.Summary().Problems(c.planned, c.visit), c.name)
	}
}

func TestSummaryOfActiveAnswer(t *testing.T) {
	t.Parallel()
	_, a := onlyAnswer(t, "271-active.edi")
	s := a.Summary()
	require.Equal(t, x271.Active, s.Coverage)
	require.Equal(t, "23", s.BenefitYear)
	require.Equal(t, x271.Money{Cents: 5000, Known: true}, s.Deductible, "individual, in network, not the family's")
	require.Equal(t, x271.Money{Cents: 0, Known: true}, s.DeductibleRemaining)
	require.Equal(t, x271.Money{Cents: 150000, Known: true}, s.AnnualMax, "not the orthodontic lifetime maximum")
	require.Equal(t, x271.Money{Cents: 115000, Known: true}, s.AnnualMaxRemaining)
	require.Len(t, s.Coinsurance, 5)
	require.Equal(t, x271.Share{Scope: x271.Scope{ServiceTypes: []string{"25"}}, PatientPays: x271.Percent{Hundredths: 2000, Known: true}, InNetwork: "Y"},
		s.Coinsurance[2])
	require.Len(t, s.Frequencies, 4)
	cl := s.Frequencies[0]
	require.Equal(t, "D1110", cl.Procedure)
	require.Equal(t, 2, cl.Allowed)
	require.Equal(t, x271.Period{Qualifier: "23", Count: 1}, cl.Period)
	require.Equal(t, x271.Count{N: 2, Known: true}, cl.Used)
	require.Equal(t, x271.Count{N: 0, Known: true}, cl.Left)
	require.True(t, cl.UsedUp())
	require.Equal(t, day(2027, 1, 1), cl.NextEligible)
	require.True(t, s.Frequencies[2].NextEligible.Equal(day(2026, 11, 20)))
	require.True(t, s.Frequencies[3].NextEligible.IsZero(), "no last date for the full-mouth x-rays")
	require.Empty(t, s.Problems([]string{"D0150"}, day(2026, 9, 20)), "1 of 2 exams used")
}

func TestSummaryTables(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		body    []string
		planned []string
		visit   time.Time
		lines   []string
		want    []string
	}{
		{"remaining counts give what is used", []string{"EB*1*IND*35",
			"EB*F*IND*23***23*******AD:D0150", "HSD*VS*1***23",
			"EB*F*IND*23***29***VS*0***AD:D0120"},
			[]string{"D0120"}, day(2026, 12, 1),
			[]string{"Coverage active", "1 of 1 exam used this year, next eligible 2027-01-01"},
			[]string{"1 of 1 exam used this year; next eligible 2027-01-01"}},
		{"one a year with only the last date", []string{"EB*1*IND*35",
			"EB*F*IND*23***23*******AD:D0330", "HSD*VS*1***23", "DTP*304*D8*20260105"},
			[]string{"D0210"}, day(2026, 12, 1),
			[]string{"Coverage active", "1 full-mouth or panoramic x-ray per calendar year, last 2026-01-05, next eligible 2027-01-01"},
			[]string{"1 full-mouth or panoramic x-ray per calendar year, last 2026-01-05; next eligible 2027-01-01"}},
		{"one every six months from August 31", []string{"EB*1*IND*35",
			"EB*F*IND*41", "HSD*VS*1***34*6", "DTP*304*D8*20250831"},
			[]string{"D1110", "D1206"}, day(2026, 2, 27),
			[]string{"Coverage active", "1 preventive care visit every 6 months, last 2025-08-31, next eligible 2026-02-28"},
			[]string{"1 preventive care visit every 6 months, last 2025-08-31; next eligible 2026-02-28"}},
		{"a lifetime limit used up", []string{"EB*1*IND*35",
			"EB*F*IND*41***32***99*1***AD:D1351", "HSD*VS*1***32"},
			[]string{"D1351"}, day(2026, 3, 1),
			[]string{"Coverage active", "1 of 1 sealant used (lifetime), no more in the patient's lifetime"},
			[]string{"1 of 1 sealant used (lifetime); no more in the patient's lifetime"}},
		{"two in a rolling year, both used", []string{"EB*1*IND*35",
			"EB*F*IND*24***34***99*2***AD:D4910", "HSD*VS*2*MO*12", "DTP*304*D8*20260110"},
			[]string{"D4910"}, day(2026, 3, 1),
			[]string{"Coverage active", "2 periodontal maintenance visits every 12 months, 2 used, last 2026-01-10, next eligible date unknown"},
			[]string{"2 periodontal maintenance visits every 12 months, 2 used; next eligible date unknown"}},
		{"a benefit year from the plan's start", []string{"DTP*346*D8*20190401", "EB*1*IND*35",
			"EB*F*IND*35***22*2000", "EB*F*IND*35***29*0", "EB*C*IND*35***22*50*****W"},
			[]string{"D2392"}, day(2027, 3, 31),
			[]string{"Coverage active", "Plan began 2019-04-01", "Deductible $50", "Annual maximum $2,000, $0 left, resets 2027-04-01"},
			[]string{"Annual maximum used up: $0 left until 2027-04-01"}},
		{"a deductible met so far", []string{"EB*1*IND*35", "EB*C*IND*35***23*75", "EB*C*IND*35***24*25.50"},
			nil, day(2026, 3, 1),
			[]string{"Coverage active", "Deductible $75, $49.50 left this year"}, nil},
		{"missing tooth clause in III text", []string{"EB*1*IND*35", "EB*D*IND*39", "III*ZZ*11**MISSING TEETH NOT REPLACED"},
			[]string{"D5110", "D6010", "D2740"}, day(2026, 3, 1),
			[]string{"Coverage active", "Missing tooth clause applies"},
			[]string{"Missing tooth clause applies to planned D5110", "Missing tooth clause applies to planned D6010"}},
		{"waiting period without a date", []string{"EB*1*IND*35", "EB*D*IND*36", "MSG*WAITING PERIOD APPLIES; CALL THE PLAN"},
			[]string{"D2750"}, day(2026, 3, 1),
			[]string{"Coverage active", "Waiting period for crowns: WAITING PERIOD APPLIES; CALL THE PLAN"},
			[]string{"Waiting period for crowns: WAITING PERIOD APPLIES; CALL THE PLAN"}},
		{"waiting period with its end in the text", []string{"EB*1*IND*35", "EB*D*IND*26", "MSG*ENDO WAITING PERIOD ENDS 06/01/2026"},
			[]string{"D3330"}, day(2026, 5, 31),
			[]string{"Coverage active", "Waiting period for endodontics until 2026-06-01"},
			[]string{"Waiting period for endodontics until 2026-06-01"}},
		{"benefits begin later", []string{"DTP*348*D8*20260401", "EB*1*IND*35"},
			[]string{"D0120"}, day(2026, 3, 15),
			[]string{"Coverage active", "Waiting period for dental care until 2026-04-01"},
			[]string{"Waiting period for dental care until 2026-04-01"}},
		{"active plan, inactive orthodontics", []string{"EB*1*IND*35", "EB*6*IND*38"},
			[]string{"D8080"}, day(2026, 3, 15),
			[]string{"Coverage active", "Orthodontics: not covered"},
			[]string{"Orthodontics not covered (planned D8080)"}},
		{"restorative waiting covers crowns", []string{"EB*1*IND*35", "EB*A*IND*25*****.5", "DTP*348*D8*20260901"},
			[]string{"D2740", "D1110"}, day(2026, 3, 15),
			[]string{"Coverage active", "Restorative care: patient pays 50%", "Waiting period for restorative care until 2026-09-01"},
			[]string{"Waiting period for restorative care until 2026-09-01"}},
		{"a whole percentage and an odd share", []string{"EB*1*IND*35", "EB*A*IND*25*****20", "EB*A*IND*26*****.125"},
			nil, day(2026, 3, 15),
			[]string{"Coverage active", "Restorative care: patient pays 20%", "Endodontics: patient pays 12.5%"}, nil},
		{"none allowed is not covered", []string{"EB*1*IND*35", "EB*F*IND*38", "HSD*VS*0***32"},
			[]string{"D8080"}, day(2026, 3, 15),
			[]string{"Coverage active", "Orthodontics: not covered"},
			[]string{"Orthodontics not covered (planned D8080)"}},
		{"the payer sends orthodontics elsewhere", []string{"EB*1*IND*35", "EB*U*IND*38",
			"LS*2120", "NM1*VN*2*ORTHO BENEFITS ADMIN", "PER*IC**TE*8005550123", "LE*2120"},
			[]string{"D8080", "D1110"}, day(2026, 3, 15),
			[]string{"Coverage active", "Orthodontics: the payer cannot answer here; ask ORTHO BENEFITS ADMIN"},
			[]string{"Orthodontics: the payer cannot answer here; ask ORTHO BENEFITS ADMIN (planned D8080)"}},
		{"a plan that begins later", []string{"DTP*346*D8*20270101", "DTP*356*D8*20270101", "EB*1*IND*35"},
			nil, day(2026, 12, 1),
			[]string{"Coverage active", "Plan begins 2027-01-01", "Eligibility begins 2027-01-01"},
			[]string{"Plan begins 2027-01-01, after the visit", "Eligibility begins 2027-01-01, after the visit"}},
		{"nothing but a rejection in a benefit", []string{"EB*1*IND*35", "EB*A*IND*23", "AAA*Y**AG*C"},
			nil, day(2026, 3, 15),
			[]string{"Coverage active", "Rejected at the benefit level: Procedure codes missing or not valid (AAA AG); Correct the request and send it again"},
			[]string{"Rejected at the benefit level: Procedure codes missing or not valid (AAA AG); Correct the request and send it again"}},
	}
	for _, c := range cases {
		s := summaryOf(t, answer(c.body...)...)
		require.Equal(t, c.lines, s.Lines(c.visit), "%s: lines", c.name)
		require.Equal(t, c.want, s.Problems(c.planned, c.visit), "%s: problems", c.name)
	}
}

func TestPlanYearEnd(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		s    x271.Summary
		asOf time.Time
		want time.Time
	}{
		{"nothing known: calendar year", x271.Summary{}, day(2026, 5, 5), day(2026, 12, 31)},
		{"plan end within the year", x271.Summary{PlanEnd: day(2026, 6, 30)}, day(2026, 5, 5), day(2026, 6, 30)},
		{"plan end far off is not a plan year", x271.Summary{PlanEnd: day(2099, 12, 31)}, day(2026, 5, 5), day(2026, 12, 31)},
		{"plan end passed", x271.Summary{PlanEnd: day(2026, 3, 31)}, day(2026, 5, 5), day(2026, 12, 31)},
		{"calendar-year maximum", x271.Summary{BenefitYear: "23", PlanEnd: day(2026, 6, 30)}, day(2026, 5, 5), day(2026, 12, 31)},
		{"service year from the start", x271.Summary{BenefitYear: "22", PlanBegin: day(2020, 10, 1)}, day(2026, 5, 5), day(2026, 9, 30)},
		{"service year, on its first day", x271.Summary{BenefitYear: "22", PlanBegin: day(2020, 10, 1)}, day(2026, 10, 1), day(2027, 9, 30)},
		{"service year without a start", x271.Summary{BenefitYear: "22"}, day(2026, 5, 5), day(2026, 12, 31)},
		{"time of day is ignored", x271.Summary{}, time.Date(2026, 12, 31, 23, 59, 0, 0, time.UTC), day(2026, 12, 31)},
	}
	for _, c := range cases {
		require.Equal(t, c.want, c.s.PlanYearEnd(c.asOf), c.name)
	}
}

func TestMoneyAndPercentWords(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		m    x271.Money
		want string
	}{
		{x271.Money{Cents: 150000, Known: true}, "$1,500"},
		{x271.Money{Cents: 6250, Known: true}, "$62.50"},
		{x271.Money{Cents: 123456789, Known: true}, "$1,234,567.89"},
		{x271.Money{Cents: 5, Known: true}, "$0.05"},
		{x271.Money{Cents: -2500, Known: true}, "-$25"},
		{x271.Money{}, "unknown"},
	} {
		require.Equal(t, c.want, c.m.String())
	}
	for _, c := range []struct {
		p    x271.Percent
		want string
	}{
		{x271.Percent{Hundredths: 5000, Known: true}, "50%"},
		{x271.Percent{Hundredths: 1250, Known: true}, "12.5%"},
		{x271.Percent{Hundredths: 1205, Known: true}, "12.05%"},
		{x271.Percent{Known: true}, "0%"},
		{x271.Percent{}, "unknown"},
	} {
		require.Equal(t, c.want, c.p.String())
	}
}

// EB08 is a decimal from 0 to 1; a whole percentage up to 100 is taken as
// one.
func TestPercentages(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int{
		"0": 0, ".2": 2000, "0.20": 2000, "1": 10000, "1.0": 10000, ".125": 1250, "0.33339": 3333,
		"20": 2000, "12.5": 1250, "100": 10000, "050": 5000,
	} {
		rep, err := decodeOne(t, build(answer("EB*A*IND*25*****"+in)...))
		require.NoError(t, err, in)
		require.Equal(t, x271.Percent{Hundredths: want, Known: true}, rep.Answers[0].Benefits[0].Percent, in)
	}
}
