package x835_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/backdesk/backdesk/pkg/x12"
	"github.com/backdesk/backdesk/pkg/x12/x835"
	"github.com/stretchr/testify/require"
)

func TestPaidInFull(t *testing.T) {
	t.Parallel()
	rems := decodeAll(t, sample(t, "835-paid.edi"))
	if len(rems) != 1 {
		t.Fatalf("%d remittances", len(rems))
	}
	r := rems[0]
	want := x835.Remittance{ControlNumber: "0001", PayerName: "SUMMIT DENTAL BENEFITS", PayerID: "62308",
		PayeeName: "BRIGHT SMILES DENTAL GROUP", PayeeNPI: "1234567893", PayeeTaxID: "841234567",
		CheckNumber: "EFT0000001", TraceOriginator: "1840000001", PaymentCents: 24500, CreditDebit: "C",
		PaymentMethod: "ACH", PaymentDate: day(2024, 3, 15)}
	got := *r
	got.Claims, got.ProviderAdjustments, got.Pos = nil, nil, x12.Pos{}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("header:\n got %+v\nwant %+v", got, want)
	}
	c := r.Claims[0]
	if c.PatientControlNumber != "BSD-10001" || c.StatusCode != "1" || c.ChargeCents != 24500 || c.PaidCents != 24500 ||
		c.FilingIndicator != "12" || c.PayerClaimControlNumber != "2024074000101" || c.Pos.Segment != 18 {
		t.Errorf("claim: %+v", c)
	}
	if c.PatientLastName != "RIVERA" || c.PatientFirstName != "ANA" || c.PatientMemberID != "SDB900112" {
		t.Errorf("patient fields: %q %q %q", c.PatientLastName, c.PatientFirstName, c.PatientMemberID)
	}
	if !c.StatementFrom.Equal(day(2024, 3, 1)) || !c.StatementTo.Equal(day(2024, 3, 1)) {
		t.Errorf("statement dates %v %v", c.StatementFrom, c.StatementTo)
	}
	var codes []string
	for _, l := range c.ServiceLines {
		codes = append(codes, l.ProcedureQualifier+":"+l.ProcedureCode+"/"+l.LineControlNumber)
		if !l.DateOfService.Equal(day(2024, 3, 1)) || !l.HasAllowed || l.AllowedCents != l.PaidCents || l.Units != "1" {
			t.Errorf("line %s: %+v", l.ProcedureCode, l)
		}
	}
	if want := []string{"AD:D0120/10001-1", "AD:D1110/10001-2", "AD:D0274/10001-3"}; !reflect.DeepEqual(codes, want) {
		t.Errorf("lines %q", codes)
	}
	if !c.Balanced() || !r.Balanced() || c.IsReversal() || c.IsDenied() {
		t.Error("paid claim flags wrong")
	}
}

// One check pays a partly paid claim, two denials and an alternate
// benefit, plus interest.
func TestCheckWithSeveralClaims(t *testing.T) {
	t.Parallel()
	r := decodeAll(t, sample(t, "835-check.edi"))[0]
	if r.PaymentMethod != "CHK" || r.CheckNumber != "0048213377" || r.PaymentCents != 72427 || r.PayerID != "SDB01" {
		t.Errorf("header: %+v", r)
	}
	if len(r.Claims) != 4 {
		t.Fatalf("%d claims", len(r.Claims))
	}
	partial, late, noAuth, alt := r.Claims[0], r.Claims[1], r.Claims[2], r.Claims[3]

	if partial.PatientResponsibilityCents != 64500 || partial.SubscriberID != "SDB771230" || partial.PatientMemberID != "SDB771234" {
		t.Errorf("partial claim: %+v", partial)
	}
	crown := partial.ServiceLines[0]
	wantAdj := []x835.Adjustment{
		{Group: "CO", Reason: "45", AmountCents: 20000},
		{Group: "PR", Reason: "1", AmountCents: 5000},
		{Group: "PR", Reason: "2", AmountCents: 47500},
	}
	if !reflect.DeepEqual(crown.Adjustments, wantAdj) || crown.AllowedCents != 100000 {
		t.Errorf("crown adjustments %+v", crown.Adjustments)
	}
	if got := partial.ServiceLines[2].RemarkCodes; !reflect.DeepEqual(got, []string{"N130"}) {
		t.Errorf("remark codes %q", got)
	}

	if !late.IsDenied() || len(late.ServiceLines) != 0 ||
		!reflect.DeepEqual(late.Adjustments, []x835.Adjustment{{Group: "CO", Reason: "29", AmountCents: 32000}}) {
		t.Errorf("timely filing denial: %+v", late)
	}
	if !noAuth.IsDenied() || noAuth.ServiceLines[0].Adjustments[0].Reason != "197" {
		t.Errorf("prior auth denial: %+v", noAuth)
	}

	sub := alt.ServiceLines[0]
	if sub.ProcedureCode != "D2150" || sub.SubmittedQualifier != "AD" || sub.SubmittedCode != "D2392" {
		t.Errorf("alternate benefit line: %+v", sub)
	}
	if q := alt.ServiceLines[1].Adjustments[0]; q.Reason != "151" || q.Quantity != "1" {
		t.Errorf("frequency adjustment: %+v", q)
	}

	if len(r.ProviderAdjustments) != 1 {
		t.Fatalf("PLB: %+v", r.ProviderAdjustments)
	}
	plb := r.ProviderAdjustments[0]
	if plb.Reason != "L6" || plb.Reference != "BSD-10002" || plb.AmountCents != -327 || plb.ProviderID != "1234567893" {
		t.Errorf("PLB: %+v", plb)
	}
	for _, c := range r.Claims {
		if !c.Balanced() {
			t.Errorf("claim %s does not balance", c.PatientControlNumber)
		}
	}
	if !r.Balanced() || r.ClaimsPaidCents() != 72100 || r.ProviderAdjustmentCents() != -327 {
		t.Error("check does not balance")
	}
}

func TestReversalAndCorrection(t *testing.T) {
	t.Parallel()
	r := decodeAll(t, sample(t, "835-reversal.edi"))[0]
	rev, fix := r.Claims[0], r.Claims[1]
	if !rev.IsReversal() || rev.ChargeCents != -24500 || rev.PaidCents != -24500 || rev.ServiceLines[0].PaidCents != -6500 {
		t.Errorf("reversal: %+v", rev)
	}
	if fix.IsReversal() || fix.PatientControlNumber != rev.PatientControlNumber || fix.PaidCents != 29000 || len(fix.ServiceLines) != 4 {
		t.Errorf("correction: %+v", fix)
	}
	if !rev.Balanced() || !fix.Balanced() || !r.Balanced() || r.PaymentCents != 19500 {
		t.Error("reversal check does not balance")
	}
}

// The same check read with other delimiters decodes to the same values.
func TestVariantsDecodeAlike(t *testing.T) {
	t.Parallel()
	want := clearOffsets(decodeAll(t, sample(t, "835-check.edi"))[0])
	for _, name := range []string{"835-check-compact.edi", "835-check-crlf.edi", "835-check-pipes.edi"} {
		got := clearOffsets(decodeAll(t, sample(t, name))[0])
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s decodes differently", name)
		}
	}
}

// clearOffsets zeroes byte offsets, which differ between delimiter
// variants, and keeps segment ordinals, which do not.
func clearOffsets(r *x835.Remittance) *x835.Remittance {
	r.Pos.Offset = 0
	for i := range r.Claims {
		c := &r.Claims[i]
		c.Pos.Offset = 0
		for j := range c.ServiceLines {
			c.ServiceLines[j].Pos.Offset = 0
		}
	}
	for i := range r.ProviderAdjustments {
		r.ProviderAdjustments[i].Pos.Offset = 0
	}
	return r
}

func TestSeveralChecksPerFile(t *testing.T) {
	t.Parallel()
	rems := decodeAll(t, sample(t, "835-multi.edi"))
	var checks []string
	for _, r := range rems {
		checks = append(checks, r.PayerID+"/"+r.CheckNumber)
		if !r.Balanced() {
			t.Errorf("check %s does not balance", r.CheckNumber)
		}
	}
	want := []string{"SDB01/ACH5001A", "SDB01/ACH5001B", "HMD77/77120045", "SDB01/ACH5002A"}
	if !reflect.DeepEqual(checks, want) {
		t.Errorf("checks %q", checks)
	}
	if rems[1].PaymentMethod != "NON" || rems[1].Claims[0].Adjustments[0].Reason != "27" {
		t.Errorf("zero-pay check: %+v", rems[1])
	}
}

func TestNotAn835(t *testing.T) {
	t.Parallel()
	tr, err := x12.NewReader(strings.NewReader(string(sample(t, "277ca.edi")))).NextTransaction()
	if err != nil {
		t.Fatal(err)
	}
	_, err = x835.Decode(tr)
	if err == nil || err.Error() != `x12: segment 3 (ST) element 1: transaction set "277" is not an 835` {
		t.Errorf("got %v", err)
	}
}

// segWith writes a segment with n elements, all empty but the ones given
// by their X12 number.
func segWith(id string, n int, elements map[int]string) string {
	parts := make([]string, n+1)
	parts[0] = id
	for i, v := range elements {
		parts[i] = v
	}
	return strings.Join(parts, "*")
}

// Claim-level remark codes come from MOA (outpatient) and MIA (inpatient),
// in the order sent, with empty elements skipped; the amounts and counts
// around them are not remark codes.
func TestClaimRemarkCodes(t *testing.T) {
	t.Parallel()
	clp2 := "CLP*PCN2*4*100*0*0*12*ICN2"
	mia := segWith("MIA", 24, map[int]string{1: "0", 4: "125.5", 5: "N30", 6: "12", 20: "M80", 22: "N20", 23: "N56", 24: "310.75"})
	cases := []struct {
		name string
		body []string
		want [][]string // remark codes of each claim
	}{
		{"MOA03 and MOA04", []string{bpr, trn, clp, "MOA***N130*M15"},
			[][]string{{"N130", "M15"}}},
		{"MOA03 to MOA07, amounts around them left out", []string{bpr, trn, clp, "MOA*0.8*12.5*MA130*N4*N20*N30*N56*25*3"},
			[][]string{{"MA130", "N4", "N20", "N30", "N56"}}},
		{"MOA with gaps", []string{bpr, trn, clp, "MOA***N130**M15**N211"},
			[][]string{{"N130", "M15", "N211"}}},
		{"MOA with no remark codes", []string{bpr, trn, clp, "MOA*0.8*12.5"},
			[][]string{nil}},
		{"MIA05 and MIA20 to MIA23, not the MIA24 amount", []string{bpr, trn, clp, mia},
			[][]string{{"N30", "M80", "N20", "N56"}}},
		{"MIA with its first elements only", []string{bpr, trn, clp, "MIA*1"},
			[][]string{nil}},
		{"MIA, then MOA", []string{bpr, trn, clp, "MIA*0****N30", "MOA***N130"},
			[][]string{{"N30", "N130"}}},
		{"after CAS and NM1, before the lines", []string{bpr, trn, clp, "CAS*CO*45*10", "NM1*QC*1*DOE*JO", "MOA***N381", "DTM*232*20240101", svc, "LQ*HE*N130"},
			[][]string{{"N381"}}},
		{"each claim its own", []string{bpr, trn, clp, "MOA***N130", clp2, "MOA***N211*M86"},
			[][]string{{"N130"}, {"N211", "M86"}}},
		{"MOA after a service line is not the claim's", []string{bpr, trn, clp, svc, "MOA***N130"},
			[][]string{nil}},
		{"MOA before any claim is ignored", []string{bpr, trn, "LX*1", "MOA***N130", clp},
			[][]string{nil}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			rem, err := decodeOne(t, build(c.body...))
			require.NoError(t, err)
			require.Len(t, rem.Claims, len(c.want))
			for i, w := range c.want {
				require.Equal(t, w, rem.Claims[i].RemarkCodes, "claim %d", i+1)
			}
		})
	}
}

// Each LQ*HE segment of a line adds one remark code to that line, in the
// order sent; other code lists and empty codes are skipped.
func TestLineRemarkCodes(t *testing.T) {
	t.Parallel()
	svc2 := "SVC*AD:D0120*50*50**1"
	cases := []struct {
		name string
		body []string
		want [][]string // remark codes of each line of the one claim
	}{
		{"one", []string{bpr, trn, clp, svc, "LQ*HE*N130"},
			[][]string{{"N130"}}},
		{"several", []string{bpr, trn, clp, svc, "REF*6R*L1", "LQ*HE*N130", "LQ*HE*M15", "LQ*HE*N381"},
			[][]string{{"N130", "M15", "N381"}}},
		{"NCPDP reject codes and empty codes skipped", []string{bpr, trn, clp, svc, "LQ*RX*70", "LQ*HE*N20", "LQ*HE*"},
			[][]string{{"N20"}}},
		{"each line its own", []string{bpr, trn, clp, svc, "LQ*HE*N130", "LQ*HE*N362", svc2, "LQ*HE*M86"},
			[][]string{{"N130", "N362"}, {"M86"}}},
		{"before any line, not a line's", []string{bpr, trn, clp, "LQ*HE*N130", svc},
			[][]string{nil}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			rem, err := decodeOne(t, build(c.body...))
			require.NoError(t, err)
			require.Len(t, rem.Claims, 1)
			lines := rem.Claims[0].ServiceLines
			require.Len(t, lines, len(c.want))
			for i, w := range c.want {
				require.Equal(t, w, lines[i].RemarkCodes, "line %d", i+1)
			}
			require.Nil(t, rem.Claims[0].RemarkCodes)
		})
	}
}

// A file whose last IEA has no terminator, padded the way DOS systems end
// a file, decodes to the same remittance as the tidy file.
func TestUntidyFileDecodesAlike(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, file, like string
	}{
		{"CRLF lines, no final terminator, Ctrl-Z", "835-paid-dos.edi", "835-paid.edi"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := decodeAll(t, sample(t, c.file))
			want := decodeAll(t, sample(t, c.like))
			require.Len(t, got, len(want))
			for i := range want {
				require.Equal(t, clearOffsets(want[i]), clearOffsets(got[i]))
			}
		})
	}
}
