package payer_test

import (
	"strings"
	"testing"

	"github.com/backdesk/backdesk/pkg/payer"
)

func TestJudge(t *testing.T) {
	cases := []struct {
		name string
		r    payer.Remittance
		want payer.Verdict
	}{
		{"paid in full", payer.Remittance{StatusCode: "1", PaidCents: 100}, payer.Paid},
		{"all to the patient's deductible", payer.Remittance{StatusCode: "1", PatientResponsibilityCents: 100}, payer.Paid},
		{"processed as secondary", payer.Remittance{StatusCode: "2", PaidCents: 5}, payer.Paid},
		{"denied", payer.Remittance{StatusCode: "4"}, payer.Denied},
		{"processed with nothing paid nor owed", payer.Remittance{StatusCode: "1"}, payer.Denied},
		{"reversal", payer.Remittance{StatusCode: "22", PaidCents: -100}, payer.Reversed},
		{"not this payer's", payer.Remittance{StatusCode: "23"}, payer.Noted},
		{"predetermination", payer.Remittance{StatusCode: "25"}, payer.Noted},
	}
	for _, c := range cases {
		if got := payer.Judge(c.r); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

func TestMoney(t *testing.T) {
	for cents, want := range map[int64]string{0: "$0.00", 5: "$0.05", 123456: "$1,234.56", -4000: "-$40.00", 100000000: "$1,000,000.00"} {
		if got := payer.Money(cents); got != want {
			t.Errorf("Money(%d) = %q, want %q", cents, got, want)
		}
	}
}

func TestSummaryAndReasons(t *testing.T) {
	r := payer.Remittance{StatusCode: "4", CheckNumber: "EFT9", ChargeCents: 12000,
		Adjustments: []payer.Adjustment{{Group: "CO", Reason: "29", AmountCents: 12000}, {Group: "PR", Reason: "1", AmountCents: 5}, {Group: "CO", Reason: "29", AmountCents: 1}}}
	s := payer.Summary(r, payer.Judge(r))
	if !strings.Contains(s, "denied") || !strings.Contains(s, "CO-29") || !strings.Contains(s, "EFT9") {
		t.Errorf("summary %q lacks the verdict, reason or payment", s)
	}
	if why := payer.Reasons(r.Adjustments); strings.Count(why, "CO-29") != 1 || strings.Contains(why, "PR-") {
		t.Errorf("reasons %q: each reason once, the patient's share left out", why)
	}
}

func TestFingerprints(t *testing.T) {
	a := payer.Remittance{ClaimNumber: "C1", StatusCode: "1", PaidCents: 100, CheckNumber: "X"}
	b := a
	if a.Fingerprint() != b.Fingerprint() {
		t.Fatal("the same statement must fingerprint the same")
	}
	b.PaidCents = 101
	if a.Fingerprint() == b.Fingerprint() {
		t.Error("a different amount is a different statement")
	}
	s1 := payer.StatusLine{ClaimNumber: "C1", Category: "A7", Code: "21"}
	s2 := s1
	s2.Code = "22"
	if s1.Fingerprint() == s2.Fingerprint() {
		t.Error("a different status code is a different statement")
	}
}

func TestStages(t *testing.T) {
	for cat, want := range map[string]payer.Stage{"A3": payer.StageRejected, "A7": payer.StageRejected, "R4": payer.StageInfoRequested,
		"F2": payer.StageDenied, "F1": payer.StageNone, "P1": payer.StageNone, "A2": payer.StageNone} {
		if got := payer.StageOf(payer.StatusLine{Category: cat}); got != want {
			t.Errorf("%s: stage %q, want %q", cat, got, want)
		}
	}
}
