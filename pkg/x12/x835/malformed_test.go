package x835_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/backdesk/backdesk/pkg/x12"
)

// build wraps body segments in valid envelopes. ISA, GS and ST are
// segments 1 to 3, so body segment i is segment i+4.
func build(body ...string) string {
	segs := []string{
		"ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240101*1200*^*00501*000000001*0*P*:",
		"GS*HP*SENDER*RECEIVER*20240101*1200*1*X*005010X221A1",
		"ST*835*0001",
	}
	segs = append(segs, body...)
	segs = append(segs, fmt.Sprintf("SE*%d*0001", len(body)+2), "GE*1*1", "IEA*1*000000001")
	return strings.Join(segs, "~\n") + "~\n"
}

var (
	bpr = "BPR*I*100*C*CHK************20240101"
	trn = "TRN*1*CHK1*1999999999"
	clp = "CLP*PCN1*1*100*100*0*12*ICN1"
	svc = "SVC*AD:D1110*100*100**1"
)

func TestMalformed835(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		body []string
		want string
	}{
		{"bad charge", []string{bpr, trn, "CLP*PCN1*1*1.2.3*100"},
			`x12: segment 6 (CLP) element 3: not an amount of money (5 bytes)`},
		{"missing paid", []string{bpr, trn, "CLP*PCN1*1*100"},
			`x12: segment 6 (CLP) element 4: required element is empty`},
		{"missing claim id", []string{bpr, trn, "CLP**1*100*100"},
			`x12: segment 6 (CLP) element 1: required element is empty`},
		{"fraction of a cent", []string{"BPR*I*10.005*C*CHK", trn},
			`x12: segment 4 (BPR) element 2: not an amount of money (6 bytes)`},
		{"bad payment date", []string{"BPR*I*100*C*CHK************20241332", trn},
			`x12: segment 4 (BPR) element 16: not a CCYYMMDD date (8 bytes)`},
		{"no BPR", []string{trn},
			`x12: segment 3 (ST): 835 has no BPR segment`},
		{"two BPR", []string{bpr, bpr, trn},
			`x12: segment 5 (BPR): second BPR segment in one 835`},
		{"no TRN", []string{bpr},
			`x12: segment 3 (ST): 835 has no TRN segment`},
		{"CAS before any claim", []string{bpr, trn, "LX*1", "CAS*CO*45*10"},
			`x12: segment 7 (CAS): CAS outside a claim`},
		{"CAS amount bad", []string{bpr, trn, clp, "CAS*CO*45*1O"},
			`x12: segment 7 (CAS) element 3: not an amount of money (2 bytes)`},
		{"CAS fourth amount missing", []string{bpr, trn, clp, "CAS*PR*1*10**2*20**3*30**45"},
			`x12: segment 7 (CAS) element 12: required element is empty`},
		{"CAS amount without reason", []string{bpr, trn, clp, "CAS*CO*45*10***5"},
			`x12: segment 7 (CAS) element 5: adjustment amount without a reason code`},
		{"CAS quantity bad", []string{bpr, trn, clp, "CAS*CO*45*10*x"},
			`x12: segment 7 (CAS) element 4: not a decimal number (1 bytes)`},
		{"CAS empty", []string{bpr, trn, clp, "CAS*CO"},
			`x12: segment 7 (CAS) element 2: CAS carries no adjustment reason`},
		{"SVC before claim", []string{bpr, trn, svc},
			`x12: segment 6 (SVC): SVC outside a claim`},
		{"SVC without code", []string{bpr, trn, clp, "SVC*AD*100*100"},
			`x12: segment 7 (SVC) element 1: procedure must be a qualifier and a code, such as AD and D2740`},
		{"SVC bad units", []string{bpr, trn, clp, "SVC*AD:D1110*100*100**one"},
			`x12: segment 7 (SVC) element 5: not a decimal number (3 bytes)`},
		{"service date bad", []string{bpr, trn, clp, svc, "DTM*472*2024011"},
			`x12: segment 8 (DTM) element 2: not a CCYYMMDD date (7 bytes)`},
		{"allowed bad", []string{bpr, trn, clp, svc, "AMT*B6*abc"},
			`x12: segment 8 (AMT) element 2: not an amount of money (3 bytes)`},
		{"PLB amount bad", []string{bpr, trn, clp, "PLB*123*20241231*L6:X*1-"},
			`x12: segment 7 (PLB) element 4: not an amount of money (2 bytes)`},
		{"PLB without provider", []string{bpr, trn, clp, "PLB**20241231*L6:X*1"},
			`x12: segment 7 (PLB) element 1: required element is empty`},
	}
	for _, c := range cases {
		_, err := decodeOne(t, build(c.body...))
		var se *x12.SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%s: got %v, want a *SyntaxError", c.name, err)
			continue
		}
		if err.Error() != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, err, c.want)
		}
	}
}

// Six reason/amount/quantity triples in one CAS all become adjustments;
// segments the decoder does not read are skipped.
func TestCASExpandsAllTriples(t *testing.T) {
	t.Parallel()
	rem, err := decodeOne(t, build(bpr, trn, "FOO*1*2", "CLP*PCN1*1*100*79*21*12*ICN1", "MIA*1",
		"CAS*PR*1*1*1*2*2*2*3*3*3*4*4*4*5*5*5*6*6*6"))
	if err != nil {
		t.Fatal(err)
	}
	adj := rem.Claims[0].Adjustments
	if len(adj) != 6 {
		t.Fatalf("%d adjustments: %+v", len(adj), adj)
	}
	for i, a := range adj {
		n := fmt.Sprint(i + 1)
		if a.Group != "PR" || a.Reason != n || a.AmountCents != int64(i+1)*100 || a.Quantity != n {
			t.Errorf("triple %d: %+v", i+1, a)
		}
	}
	if !rem.Claims[0].Balanced() {
		t.Error("claim does not balance")
	}
}
