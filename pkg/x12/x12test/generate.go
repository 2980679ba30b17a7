// Package x12test writes synthetic X12 files for tests and benchmarks,
// here and in packages that import remittances. The files are valid: their
// envelopes check, and every claim, line and payment balances. Names and
// member IDs are made up.
package x12test

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"

	"github.com/backdesk/backdesk/pkg/x12"
)

// ClaimsPerCheck is how many claims Generate835 puts in one transaction
// set (one check or EFT) before it starts the next.
const ClaimsPerCheck = 500

// Summary describes what Generate835 wrote, so tests can compare it with
// what a decoder reads back.
type Summary struct {
	Claims       int
	Transactions int
	ServiceLines int
	Denied       int   // claims with CLP02 4
	ChargeCents  int64 // sum of CLP03
	PaidCents    int64 // sum of CLP04, which is also the sum of BPR02
	Bytes        int64
}

// dentalProcedures are ADA codes with a typical fee in cents.
var dentalProcedures = []struct {
	code string
	fee  int64
}{
	{"D0120", 6500}, {"D0150", 9500}, {"D0210", 14000}, {"D0220", 3500}, {"D0274", 7000},
	{"D1110", 11000}, {"D1120", 8500}, {"D1206", 4500}, {"D2140", 18000}, {"D2392", 21000},
	{"D2740", 120000}, {"D2950", 30000}, {"D3330", 115000}, {"D4341", 26000}, {"D7140", 19500},
}

// Generate835 writes one interchange holding claims claim payments, split
// into transaction sets of at most ClaimsPerCheck claims. The same seed
// gives the same bytes. About half the claims are paid after a contractual
// write-off, a third leave coinsurance or a deductible to the patient, and
// the rest are denied; each has one to four service lines.
func Generate835(w io.Writer, claims int, seed int64) (Summary, error) {
	g := &gen{
		w:   bufio.NewWriterSize(w, 64<<10),
		rnd: rand.New(rand.NewPCG(uint64(seed), 0x835)),
	}
	g.seg("ISA*00*          *00*          *ZZ*GENPAYER       *ZZ*BACKDESK       *240101*1200*^*00501*000000001*0*T*:")
	g.seg("GS*HP*GENPAYER*BACKDESK*20240101*1200*1*X*005010X221A1")
	for done := 0; done < claims; {
		n := min(ClaimsPerCheck, claims-done)
		g.check(done, n)
		done += n
	}
	g.seg(fmt.Sprintf("GE*%d*1", g.sum.Transactions))
	g.seg("IEA*1*000000001")
	if err := g.w.Flush(); err != nil {
		return g.sum, err
	}
	return g.sum, g.err
}

type gen struct {
	w     *bufio.Writer
	rnd   *rand.Rand
	sum   Summary
	err   error
	inSet int // segments written in the open transaction set
}

func (g *gen) seg(s string) {
	if g.err != nil {
		return
	}
	n, err := g.w.WriteString(s + "~\n")
	g.sum.Bytes += int64(n)
	g.err = err
	g.inSet++
}

// check writes one transaction set paying claims first+1 to first+n.
func (g *gen) check(first, n int) {
	g.sum.Transactions++
	control := fmt.Sprintf("%04d", g.sum.Transactions)
	// The claims decide the payment, which BPR states before them, so they
	// are built first and written after the header.
	body := make([]string, 0, n*12)
	var paid int64
	for i := range n {
		lines, p := g.claim(first + i + 1)
		body = append(body, lines...)
		paid += p
	}
	g.inSet = 0
	g.seg("ST*835*" + control + "*005010X221A1")
	g.seg("BPR*I*" + x12.FormatCents(paid) + "*C*ACH*CCP*01*021000021*DA*123456789*1999999999**01*031100209*DA*987654321*20240101")
	g.seg(fmt.Sprintf("TRN*1*GEN%08d*1999999999", g.sum.Transactions))
	g.seg("N1*PR*GENERATED DENTAL PAYER*XV*GEN01")
	g.seg("N1*PE*GENERATED DENTAL OFFICE*XX*1234567893")
	g.seg("LX*1")
	for _, s := range body {
		g.seg(s)
	}
	g.seg(fmt.Sprintf("SE*%d*%s", g.inSet+1, control))
}

// claim builds the segments of claim number k and returns them with the
// amount paid.
func (g *gen) claim(k int) ([]string, int64) {
	kind := g.rnd.IntN(6) // 0-2 paid, 3-4 patient share, 5 denied
	status := "1"
	if kind == 5 {
		status = "4"
		g.sum.Denied++
	}
	nLines := 1 + g.rnd.IntN(4)
	var charge, paid, patient int64
	var lines []string
	for j := range nLines {
		p := dentalProcedures[g.rnd.IntN(len(dentalProcedures))]
		lc, lp, lpr, cas := g.adjudicate(p.fee, kind)
		charge, paid, patient = charge+lc, paid+lp, patient+lpr
		lines = append(lines,
			"SVC*AD:"+p.code+"*"+x12.FormatCents(lc)+"*"+x12.FormatCents(lp)+"**1",
			"DTM*472*20231215")
		lines = append(lines, cas...)
		lines = append(lines, fmt.Sprintf("REF*6R*%d-%d", k, j+1))
	}
	g.sum.Claims++
	g.sum.ServiceLines += nLines
	g.sum.ChargeCents += charge
	g.sum.PaidCents += paid
	head := []string{
		fmt.Sprintf("CLP*GEN-%07d*%s*%s*%s*%s*12*PCN%010d*11*1", k, status,
			x12.FormatCents(charge), x12.FormatCents(paid), x12.FormatCents(patient), k),
		fmt.Sprintf("NM1*QC*1*PATIENT*TEST%d****MI*M%09d", k%97, k),
		"DTM*232*20231215",
		"DTM*233*20231215",
	}
	return append(head, lines...), paid
}

// adjudicate decides one line: its charge, payment, patient share and
// the CAS segments that explain the difference.
func (g *gen) adjudicate(fee int64, kind int) (charge, paid, patient int64, cas []string) {
	charge = fee + int64(g.rnd.IntN(20))*100
	allowed := charge * int64(70+g.rnd.IntN(25)) / 100
	writeOff := charge - allowed
	switch {
	case kind == 5:
		return charge, 0, 0, []string{"CAS*CO*" + []string{"29", "197", "96"}[g.rnd.IntN(3)] + "*" + x12.FormatCents(charge)}
	case kind >= 3:
		deductible := min(allowed/4, 5000)
		coins := (allowed - deductible) / 5
		patient = deductible + coins
		paid = allowed - patient
		cas = []string{
			"CAS*CO*45*" + x12.FormatCents(writeOff),
			"CAS*PR*1*" + x12.FormatCents(deductible) + "**2*" + x12.FormatCents(coins) + "*1",
		}
		return charge, paid, patient, cas
	}
	return charge, allowed, 0, []string{"CAS*CO*45*" + x12.FormatCents(writeOff)}
}
