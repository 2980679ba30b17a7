package x835_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/backdesk/backdesk/pkg/x12"
	"github.com/backdesk/backdesk/pkg/x12/x835"
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
