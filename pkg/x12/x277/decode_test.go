package x277_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/x12"
	"github.com/backdesk/backdesk/pkg/x12/codes"
	"github.com/backdesk/backdesk/pkg/x12/x277"
	"github.com/stretchr/testify/require"
)

func decodeFile(t *testing.T, name string) *x277.StatusReport {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return decode(t, string(b))
}

func decode(t *testing.T, input string) *x277.StatusReport {
	t.Helper()
	rep, err := decodeErr(t, input)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func decodeErr(t *testing.T, input string) (*x277.StatusReport, error) {
	t.Helper()
	tr, err := x12.NewReader(bytes.NewReader([]byte(input))).NextTransaction()
	if err != nil {
		t.Fatalf("reading: %v", err)
	}
	return x277.Decode(tr)
}

func day(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// statuses renders statuses as category:code:entity/action.
func statuses(ss []x277.Status) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Category+":"+s.Code+":"+s.Entity+"/"+s.ActionCode)
	}
	return out
}

func TestClaimAcknowledgment(t *testing.T) {
	t.Parallel()
	rep := decodeFile(t, "277ca.edi")
	if rep.SenderName != "SUMMIT DENTAL BENEFITS" || rep.SenderID != "62308" || rep.ReceiverName != "BACKDESK BILLING" ||
		rep.ImplementationRef != "005010X214" {
		t.Errorf("header: %+v", rep)
	}
	if len(rep.Levels) != 3 || rep.Levels[1].Level != "21" || rep.Levels[1].TraceNumber != "BATCH0316" ||
		!reflect.DeepEqual(statuses(rep.Levels[1].Statuses), []string{"A1:19:PR/WQ"}) {
		t.Errorf("levels: %+v", rep.Levels)
	}
	if len(rep.Claims) != 4 {
		t.Fatalf("%d claims", len(rep.Claims))
	}
	accepted, badNPI, missing, request := rep.Claims[0], rep.Claims[1], rep.Claims[2], rep.Claims[3]

	if accepted.PatientControlNumber != "BSD-10031" || accepted.PayerClaimControlNumber != "2024076000311" ||
		accepted.BilledCents != 135000 || accepted.Class() != codes.Acknowledged || accepted.ProviderNPI != "1234567893" ||
		!accepted.ServiceFrom.Equal(day(2024, 3, 12)) || accepted.Pos.Segment != 28 {
		t.Errorf("accepted claim: %+v", accepted)
	}
	if accepted.PatientLastName != "OKAFOR" || accepted.MemberID != "SDB553311" {
		t.Errorf("patient: %q %q", accepted.PatientLastName, accepted.MemberID)
	}

	if got := statuses(badNPI.Statuses); !reflect.DeepEqual(got, []string{"A7:562:85/U", "A7:128:85/U"}) {
		t.Errorf("STC01 and STC10: %q", got)
	}
	if badNPI.Class() != codes.Rejected || badNPI.ClearinghouseTraceNumber != "CH0316002" ||
		!badNPI.Statuses[0].EffectiveDate.Equal(day(2024, 3, 16)) {
		t.Errorf("rejected claim: %+v", badNPI)
	}

	if got := statuses(missing.Statuses); !reflect.DeepEqual(got, []string{"A3:21:/U", "A6:158:QC/U", "A7:164:IL/U"}) {
		t.Errorf("STC01, STC10 and STC11: %q", got)
	}
	if len(missing.ServiceLines) != 1 {
		t.Fatalf("lines: %+v", missing.ServiceLines)
	}
	line := missing.ServiceLines[0]
	if line.ProcedureCode != "D2391" || line.ChargeCents != 18500 || line.Units != "1" || line.LineControlNumber != "10033-2" ||
		!reflect.DeepEqual(statuses(line.Statuses), []string{"A7:454:/U"}) || !line.ServiceFrom.Equal(day(2024, 3, 14)) {
		t.Errorf("line: %+v", line)
	}
	if request.Class() != codes.RequestForInfo || request.Statuses[0].Code != "286" {
		t.Errorf("request: %+v", request)
	}
}

func TestClaimStatusResponse(t *testing.T) {
	t.Parallel()
	rep := decodeFile(t, "277-status.edi")
	if len(rep.Claims) != 3 {
		t.Fatalf("%d claims", len(rep.Claims))
	}
	paid, pending, denied := rep.Claims[0], rep.Claims[1], rep.Claims[2]
	if paid.Class() != codes.Finalized || paid.BilledCents != 24500 || paid.PaidCents != 24500 ||
		paid.CheckNumber != "EFT0000001" || !paid.AdjudicationDate.Equal(day(2024, 3, 15)) || !paid.PaymentDate.Equal(day(2024, 3, 15)) ||
		paid.PatientLastName != "RIVERA" || paid.MemberID != "SDB900112" || paid.ProviderNPI != "1234567893" {
		t.Errorf("paid claim: %+v", paid)
	}
	if len(paid.ServiceLines) != 1 || paid.ServiceLines[0].PaidCents != 6500 || paid.ServiceLines[0].Statuses[0].Category != "F1" {
		t.Errorf("paid line: %+v", paid.ServiceLines)
	}
	// The dependent's claims carry the subscriber's member ID.
	for _, c := range []x277.ClaimStatus{pending, denied} {
		if c.PatientFirstName != "THOMAS" || c.MemberID != "SDB771230" {
			t.Errorf("dependent claim %s: %q %q", c.PatientControlNumber, c.PatientFirstName, c.MemberID)
		}
	}
	if pending.Class() != codes.Pending || pending.BilledCents != 86000 {
		t.Errorf("pending: %+v", pending)
	}
	if got := statuses(denied.Statuses); !reflect.DeepEqual(got, []string{"F2:88:QC/"}) || denied.PayerClaimControlNumber != "2024077000551" {
		t.Errorf("denied: %+v", denied)
	}
}

// build wraps body segments of a 277 in valid envelopes; body segment i
// is segment i+4.
func build(body ...string) string {
	segs := []string{
		"ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240101*1200*^*00501*000000001*0*P*:",
		"GS*HN*SENDER*RECEIVER*20240101*1200*1*X*005010X214",
		"ST*277*0001*005010X214",
	}
	segs = append(segs, body...)
	segs = append(segs, fmt.Sprintf("SE*%d*0001", len(body)+2), "GE*1*1", "IEA*1*000000001")
	return strings.Join(segs, "~") + "~"
}

func TestMalformed277(t *testing.T) {
	t.Parallel()
	pt := "HL*4*3*PT"
	cases := []struct {
		name string
		body []string
		want string
	}{
		{"HL without level", []string{"HL*1**"}, `x12: segment 4 (HL) element 3: required element is empty`},
		{"STC without category", []string{pt, "TRN*2*PCN1", "STC*:20*20240101"}, `x12: segment 6 (STC) element 1: status has no category code`},
		{"STC10 without category", []string{pt, "TRN*2*PCN1", "STC*A1:20*20240101*WQ*1******:21"}, `x12: segment 6 (STC) element 10: status has no category code`},
		{"STC empty", []string{pt, "TRN*2*PCN1", "STC"}, `x12: segment 6 (STC) element 1: required element is empty`},
		{"STC bad date", []string{pt, "TRN*2*PCN1", "STC*A1:20*2024"}, `x12: segment 6 (STC) element 2: not a CCYYMMDD date (4 bytes)`},
		{"STC bad amount", []string{pt, "TRN*2*PCN1", "STC*A1:20*20240101*WQ*12x"}, `x12: segment 6 (STC) element 4: not an amount of money (3 bytes)`},
		{"STC before TRN", []string{pt, "STC*A1:20*20240101"}, `x12: segment 5 (STC): STC at the patient level before the claim's TRN`},
		{"claim TRN without number", []string{pt, "TRN*2"}, `x12: segment 5 (TRN) element 2: required element is empty`},
		{"SVC before TRN", []string{pt, "SVC*AD:D0120*50"}, `x12: segment 5 (SVC): SVC outside a claim`},
		{"SVC without code", []string{pt, "TRN*2*PCN1", "SVC*AD*50"}, `x12: segment 6 (SVC) element 1: procedure must be a qualifier and a code, such as AD and D2740`},
		{"bad service range", []string{pt, "TRN*2*PCN1", "DTP*472*RD8*20240105-20240101"}, `x12: segment 6 (DTP) element 3: not a date or date range in the format DTP02 names`},
		{"D8 given a range", []string{pt, "TRN*2*PCN1", "DTP*472*D8*20240101-20240105"}, `x12: segment 6 (DTP) element 3: not a date or date range in the format DTP02 names`},
		{"STC bad adjudication date", []string{pt, "TRN*2*PCN1", "STC*F1:65*20240318**245*245*2024031"}, `x12: segment 6 (STC) element 6: not a CCYYMMDD date (7 bytes)`},
		{"STC bad payment date", []string{pt, "TRN*2*PCN1", "STC*F1:65*20240318**245*245*20240314*ACH*20241301*EFT1"}, `x12: segment 6 (STC) element 8: not a CCYYMMDD date (8 bytes)`},
		{"line STC10 without category", []string{pt, "TRN*2*PCN1", "STC*A3:21*20240316*U*775", "SVC*AD:D2391*185", "STC*A7:454*20240316*U*185******:453"}, `x12: segment 8 (STC) element 10: status has no category code`},
		{"line STC11 without category", []string{pt, "TRN*2*PCN1", "STC*A3:21*20240316*U*775", "SVC*AD:D2391*185", "STC*A7:454*20240316*U*185*******:507"}, `x12: segment 8 (STC) element 11: status has no category code`},
	}
	for _, c := range cases {
		_, err := decodeErr(t, build(c.body...))
		var se *x12.SyntaxError
		if !errors.As(err, &se) || err.Error() != c.want {
			t.Errorf("%s:\n got %v\nwant %s", c.name, err, c.want)
		}
	}
}

func TestNotA277(t *testing.T) {
	t.Parallel()
	input := strings.Replace(build("BHT*0085*08"), "ST*277*", "ST*835*", 1)
	if _, err := decodeErr(t, input); err == nil || !strings.Contains(err.Error(), `segment 3 (ST) element 1: transaction set "835" is not a 277`) {
		t.Errorf("got %v", err)
	}
}

// Levels other than the ones the decoder knows, and segments it does not
// read, are skipped.
func TestUnknownLevelsAndSegmentsAreIgnored(t *testing.T) {
	t.Parallel()
	rep := decode(t, build("BHT*0085*08", "HL*1**20*1", "NM1*PR*2*PAYER", "HL*2*1*99", "TRN*2*NOTACLAIM",
		"STC*A1:20", "HL*3*1*PT", "NM1*QC*1*DOE*JO", "TRN*2*PCN9", "QTY*90*1", "STC*A2:20*20240101*WQ*100"))
	if len(rep.Claims) != 1 || rep.Claims[0].PatientControlNumber != "PCN9" || rep.Claims[0].BilledCents != 10000 {
		t.Errorf("claims: %+v", rep.Claims)
	}
}

// A finalized claim's STC carries the adjudication date (STC06), the check
// issue or EFT effective date (STC08) and the check or EFT number (STC09);
// the first STC of the claim that carries each one gives it.
func TestClaimPaymentDetails(t *testing.T) {
	t.Parallel()
	pt := "HL*4*3*22*0"
	type details struct {
		billed, paid         int64
		adjudicated, payment time.Time
		check                string
	}
	cases := []struct {
		name string
		body []string
		want details
	}{
		{"all of them",
			[]string{pt, "TRN*2*PCN1", "STC*F1:65*20240318**245*245*20240314*ACH*20240316*EFT0000001"},
			details{24500, 24500, day(2024, 3, 14), day(2024, 3, 16), "EFT0000001"}},
		{"check date without adjudication date",
			[]string{pt, "TRN*2*PCN1", "STC*F1:65*20240318**100*80***20240320*CHK123"},
			details{10000, 8000, time.Time{}, day(2024, 3, 20), "CHK123"}},
		{"adjudicated, not yet paid",
			[]string{pt, "TRN*2*PCN1", "STC*F0:3*20240318**100*80*20240317"},
			details{10000, 8000, day(2024, 3, 17), time.Time{}, ""}},
		{"the first STC that carries them",
			[]string{pt, "TRN*2*PCN1", "STC*F1:65*20240318**245*245*20240314*ACH*20240316*EFT1",
				"STC*F1:1*20240318**245*245*20240301*CHK*20240302*CHK2"},
			details{24500, 24500, day(2024, 3, 14), day(2024, 3, 16), "EFT1"}},
		{"a later STC fills what the first left out",
			[]string{pt, "TRN*2*PCN1", "STC*P1:20*20240310**245", "STC*F1:65*20240318**245*245*20240314*ACH*20240316*EFT1"},
			details{24500, 24500, day(2024, 3, 14), day(2024, 3, 16), "EFT1"}},
		{"a line's STC is not the claim's",
			[]string{pt, "TRN*2*PCN1", "STC*F1:65*20240318**245", "SVC*AD:D0120*65*65",
				"STC*F1:65*20240318**65*65*20240314**20240316*EFT9"},
			details{24500, 0, time.Time{}, time.Time{}, ""}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			rep := decode(t, build(c.body...))
			require.Len(t, rep.Claims, 1)
			cl := rep.Claims[0]
			got := details{cl.BilledCents, cl.PaidCents, cl.AdjudicationDate, cl.PaymentDate, cl.CheckNumber}
			require.Equal(t, c.want, got)
		})
	}
}

// An STC after a service line gives the line its statuses from STC01,
// STC10 and STC11, just as a claim's STC does.
func TestLineStatusComposites(t *testing.T) {
	t.Parallel()
	pt := "HL*6*3*PT"
	claimSTC := "STC*A3:21*20240316*U*775"
	cases := []struct {
		name  string
		body  []string
		lines [][]string // statuses of each line, as category:code:entity/action
	}{
		{"STC01 only",
			[]string{pt, "TRN*2*PCN1", claimSTC, "SVC*AD:D2391*185", "STC*A7:454*20240316*U"},
			[][]string{{"A7:454:/U"}}},
		{"STC01, STC10 and STC11",
			[]string{pt, "TRN*2*PCN1", claimSTC, "SVC*AD:D2391*185", "STC*A7:454*20240316*U*185******A7:453:QC*A6:507"},
			[][]string{{"A7:454:/U", "A7:453:QC/U", "A6:507:/U"}}},
		{"STC11 without STC10",
			[]string{pt, "TRN*2*PCN1", claimSTC, "SVC*AD:D2391*185", "STC*A7:454*20240316*U*185*******A6:507:85"},
			[][]string{{"A7:454:/U", "A6:507:85/U"}}},
		{"two STCs on one line",
			[]string{pt, "TRN*2*PCN1", claimSTC, "SVC*AD:D2391*185", "STC*A7:454*20240316*U*******A7:453", "STC*A6:507*20240316*U"},
			[][]string{{"A7:454:/U", "A7:453:/U", "A6:507:/U"}}},
		{"each line its own",
			[]string{pt, "TRN*2*PCN1", claimSTC, "SVC*AD:D2391*185", "STC*A7:454*20240316*U*******A7:453",
				"SVC*AD:D0220*35", "STC*A6:507*20240316*U*35*******A7:454"},
			[][]string{{"A7:454:/U", "A7:453:/U"}, {"A6:507:/U", "A7:454:/U"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			rep := decode(t, build(c.body...))
			require.Len(t, rep.Claims, 1)
			cl := rep.Claims[0]
			require.Equal(t, []string{"A3:21:/U"}, statuses(cl.Statuses))
			require.Len(t, cl.ServiceLines, len(c.lines))
			for i, want := range c.lines {
				l := cl.ServiceLines[i]
				require.Equal(t, want, statuses(l.Statuses), "line %d", i+1)
				for _, st := range l.Statuses {
					require.True(t, st.EffectiveDate.Equal(day(2024, 3, 16)), "line %d effective date", i+1)
				}
			}
		})
	}
}
