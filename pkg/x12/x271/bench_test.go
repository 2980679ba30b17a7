package x271_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"testing"

	"github.com/backdesk/backdesk/pkg/x12"
	"github.com/backdesk/backdesk/pkg/x12/x271"
)

const (
	benchAnswers  = 10000
	answersPerSet = 500
)

// generate271 writes one interchange of answers subscriber answers, in
// transaction sets of answersPerSet. Each answer looks like a dental PPO's:
// coverage, deductible, maximum, three coinsurance shares, two frequency
// limits with their last dates, and a downgrade; one in ten is a
// "subscriber not found" rejection instead. Names and IDs are made up.
func generate271(w io.Writer, answers int) error {
	bw := bufio.NewWriter(w)
	inSet := 0
	seg := func(format string, args ...any) {
		fmt.Fprintf(bw, format+"~\n", args...)
		inSet++
	}
	seg("ISA*00*          *00*          *ZZ*GENPAYER       *ZZ*BACKDESK       *260915*0815*^*00501*000000001*0*T*:")
	seg("GS*HB*GENPAYER*BACKDESK*20260915*0815*1*X*005010X279A1")
	sets := 0
	for done := 0; done < answers; {
		n := min(answersPerSet, answers-done)
		sets++
		inSet = 0
		seg("ST*271*%04d*005010X279A1", sets)
		seg("BHT*0022*11*GEN%04d*20260915*0815", sets)
		seg("HL*1**20*1")
		seg("NM1*PR*2*GENERATED DENTAL*****PI*99999")
		seg("HL*2*1*21*1")
		seg("NM1*1P*2*GENERATED OFFICE*****XX*1234567893")
		for i := done; i < done+n; i++ {
			seg("HL*%d*2*22*0", i-done+3)
			seg("TRN*2*BD%08d*9BACKDESK1", i)
			seg("TRN*1*GP%08d*9GENPAYER1", i)
			seg("NM1*IL*1*LAST%d*FIRST%d****MI*GM%09d", i%997, i%89, i)
			if i%10 == 9 {
				seg("AAA*N**75*C")
				continue
			}
			seg("REF*6P*G%05d", i%50)
			seg("DTP*346*D8*20260101")
			seg("DTP*347*D8*20261231")
			seg("EB*1*IND*35^23^41^25^36*PR*GENERATED PPO")
			seg("EB*C*IND*35***23*50")
			seg("EB*C*IND*35***29*%d", 25*(i%3))
			seg("EB*F*IND*35***23*1500")
			seg("EB*F*IND*35***29*%d.%02d", 1500-i%1500, i%100)
			seg("EB*A*IND*41*****0")
			seg("EB*A*IND*25*****.2")
			seg("EB*A*IND*36*****.5")
			seg("EB*F*IND*41***23***99*%d***AD:D1110", i%3)
			seg("HSD*VS*2***23")
			seg("DTP*304*D8*2026%02d%02d", 1+i%8, 1+i%28)
			seg("EB*F*IND*23**********AD:D0274")
			seg("HSD*VS*1***34*12")
			seg("DTP*304*D8*2025%02d%02d", 1+i%12, 1+i%28)
			seg("EB*D*IND*25")
			seg("MSG*POSTERIOR COMPOSITES DOWNGRADED TO AMALGAM")
		}
		seg("SE*%d*%04d", inSet+1, sets)
		done += n
	}
	seg("GE*%d*1", sets)
	seg("IEA*1*000000001")
	return bw.Flush()
}

// The generated file decodes, answer for answer, so the benchmark below
// measures real work.
func TestGenerated271Decodes(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := generate271(&buf, 1200); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	n, err := decode271(bytes.NewReader(data), false)
	if err != nil || n != 1200 {
		t.Fatalf("%d answers, %v", n, err)
	}
	n, err = readBaseline(bytes.NewReader(data))
	if err != nil || n != 1200 {
		t.Fatalf("baseline: %d answers, %v", n, err)
	}
	reps := decodeAllBytes(t, data)
	if len(reps) != 3 || len(reps[2].Answers) != 200 {
		t.Fatalf("%d sets", len(reps))
	}
	a := reps[0].Answers[3]
	if got := a.Summary().Problems([]string{"D1110", "D2392"}, day(2026, 10, 1)); len(got) != 1 {
		t.Fatalf("problems: %q", got)
	}
}

func decodeAllBytes(t *testing.T, b []byte) []*x271.Response {
	t.Helper()
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

// BenchmarkDecode271 decodes a generated file of 10,000 answers ("decode"),
// decodes and sums up every answer ("summary"), and, as the baseline,
// only reads the same bytes through x12.Reader.Transactions, counting the
// subscriber levels ("baseline"). Each reports answers/s.
func BenchmarkDecode271(b *testing.B) {
	var buf bytes.Buffer
	if err := generate271(&buf, benchAnswers); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	run := func(b *testing.B, pass func(io.Reader) (int, error)) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			n, err := pass(bytes.NewReader(data))
			if err != nil || n != benchAnswers {
				b.Fatalf("%d answers, %v", n, err)
			}
		}
		b.ReportMetric(float64(benchAnswers)*float64(b.N)/b.Elapsed().Seconds(), "answers/s")
	}
	b.Run("decode", func(b *testing.B) {
		run(b, func(r io.Reader) (int, error) { return decode271(r, false) })
	})
	b.Run("summary", func(b *testing.B) {
		run(b, func(r io.Reader) (int, error) { return decode271(r, true) })
	})
	b.Run("baseline", func(b *testing.B) {
		run(b, readBaseline)
	})
}

// decode271 decodes every transaction set and counts the answers; with
// summarize, it also sums up each answer and puts it in words.
func decode271(r io.Reader, summarize bool) (int, error) {
	n := 0
	for tr, err := range x12.NewReader(r).Transactions() {
		if err != nil {
			return n, err
		}
		rep, err := x271.Decode(tr)
		if err != nil {
			return n, err
		}
		n += len(rep.Answers)
		if summarize {
			for _, a := range rep.Answers {
				s := a.Summary()
				_ = s.Lines(rep.Created)
				_ = s.Problems([]string{"D1110", "D0274", "D2392"}, rep.Created)
			}
		}
	}
	return n, nil
}

// readBaseline reads the transaction sets and counts the subscriber and
// dependent levels, the least a decoder must do.
func readBaseline(r io.Reader) (int, error) {
	n := 0
	for tr, err := range x12.NewReader(r).Transactions() {
		if err != nil {
			return n, err
		}
		for _, s := range tr.Segments {
			if s.ID == "HL" && (s.Element(3) == "22" || s.Element(3) == "23") {
				n++
			}
		}
	}
	return n, nil
}
