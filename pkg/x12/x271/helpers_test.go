package x271_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/x12"
	"github.com/backdesk/backdesk/pkg/x12/x271"
)

// decodeFile decodes every transaction set of a file in testdata.
func decodeFile(t *testing.T, name string) []*x271.Response {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var out []*x271.Response
	for tr, err := range x12.NewReader(bytes.NewReader(b)).Transactions() {
		if err != nil {
			t.Fatal(err)
		}
		rep, err := x271.Decode(tr)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rep)
	}
	return out
}

// onlyAnswer decodes a file of one transaction set with one answer.
func onlyAnswer(t *testing.T, name string) (*x271.Response, x271.Answer) {
	t.Helper()
	reps := decodeFile(t, name)
	if len(reps) != 1 || len(reps[0].Answers) != 1 {
		t.Fatalf("%s: want one set with one answer, got %d sets", name, len(reps))
	}
	return reps[0], reps[0].Answers[0]
}

// build wraps body segments in valid envelopes around a 271. ISA, GS and
// ST are segments 1 to 3, so body segment i is segment i+3.
func build(body ...string) string {
	segs := []string{
		"ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *260101*1200*^*00501*000000001*0*P*:",
		"GS*HB*SENDER*RECEIVER*20260101*1200*1*X*005010X279A1",
		"ST*271*0001*005010X279A1",
	}
	segs = append(segs, body...)
	segs = append(segs, fmt.Sprintf("SE*%d*0001", len(body)+2), "GE*1*1", "IEA*1*000000001")
	return strings.Join(segs, "~\n") + "~\n"
}

// decodeOne decodes input that holds one transaction set and returns the
// decoder's error.
func decodeOne(t *testing.T, input string) (*x271.Response, error) {
	t.Helper()
	tr, err := x12.NewReader(strings.NewReader(input)).NextTransaction()
	if err != nil {
		t.Fatalf("reading: %v", err)
	}
	return x271.Decode(tr)
}

// summaryOf decodes body segments that make one answer and sums it up.
func summaryOf(t *testing.T, body ...string) x271.Summary {
	t.Helper()
	rep, err := decodeOne(t, build(body...))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Answers) != 1 {
		t.Fatalf("%d answers", len(rep.Answers))
	}
	return rep.Answers[0].Summary()
}

// The levels above a subscriber, for build.
var (
	bht      = "BHT*0022*11*REF1*20260915*0815"
	source   = []string{"HL*1**20*1", "NM1*PR*2*TEST PAYER*****PI*99999"}
	receiver = []string{"HL*2*1*21*1", "NM1*1P*2*TEST OFFICE*****XX*1234567893"}
	person   = []string{"HL*3*2*22*0", "TRN*2*T1*9BACKDESK1", "NM1*IL*1*DOE*JANE****MI*M123456"}
)

// answer is the segments of a subscriber answer, then body.
func answer(body ...string) []string {
	out := append([]string{bht}, source...)
	out = append(out, receiver...)
	out = append(out, person...)
	return append(out, body...)
}

func day(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
