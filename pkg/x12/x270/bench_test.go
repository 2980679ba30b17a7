package x270_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/x12/codes"
	"github.com/backdesk/backdesk/pkg/x12/x270"
)

// benchPayers is how many payers bigBatch spreads its requests over.
const benchPayers = 20

// bigBatch makes n requests for one office, spread over benchPayers
// payers; every seventh patient is a dependent.
func bigBatch(n int, at time.Time) x270.Batch {
	b := x270.Batch{Envelope: testEnvelope(), TraceOriginator: "1999999999"}
	b.Envelope.At = at
	plans := [][]string{{"D0120", "D1110"}, {"D2740"}, {"D4341", "D0210"}, nil, {"D7140", "D9110"}}
	for i := range n {
		r := x270.Request{
			TraceNumber: fmt.Sprintf("WI-%07d", i),
			Payer:       x270.Party{Name: fmt.Sprintf("DENTAL PAYER %02d", i%benchPayers), ID: fmt.Sprintf("P%05d", i%benchPayers)},
			Provider:    bright,
			Subscriber: x270.Person{First: "PAT", Last: fmt.Sprintf("SUBSCRIBER%d", i%97), MemberID: fmt.Sprintf("M%09d", i),
				BirthDate: day(1950+i%50, time.Month(1+i%12), 1+i%28), Gender: "F"},
			GroupNumber:  "GRP" + strconv.Itoa(i%31),
			ServiceDate:  day(2024, 3, 20),
			ServiceTypes: codes.DentalServiceTypes(plans[i%len(plans)]),
		}
		if i%7 == 0 {
			r.Patient = &x270.Person{First: "KID", Last: r.Subscriber.Last, BirthDate: day(2010+i%10, 5, 5), Gender: "M"}
		}
		b.Requests = append(b.Requests, r)
	}
	return b
}

// BenchmarkWrite270 writes a batch of 10,000 requests ("write") beside its
// baseline ("baseline"): the same bytes built by plain string joins with
// no checks, the least any writer must do. Both report bytes/s and
// requests/s.
func BenchmarkWrite270(b *testing.B) {
	const n = 10_000
	batch := bigBatch(n, time.Date(2024, 3, 18, 9, 5, 0, 0, time.UTC))
	var want, got bytes.Buffer
	if _, err := x270.Write(&want, batch); err != nil {
		b.Fatal(err)
	}
	if err := naive270(&got, batch); err != nil || got.String() != want.String() {
		b.Fatalf("the baseline does not write the same bytes (%v)", err)
	}
	size := int64(want.Len())
	run := func(b *testing.B, write func(io.Writer) error) {
		b.SetBytes(size)
		b.ReportAllocs()
		for b.Loop() {
			if err := write(io.Discard); err != nil {
				b.Fatal(err)
			}
		}
		secs := b.Elapsed().Seconds()
		b.ReportMetric(float64(size)*float64(b.N)/secs, "bytes/s")
		b.ReportMetric(float64(n)*float64(b.N)/secs, "requests/s")
	}
	b.Run("write", func(b *testing.B) {
		run(b, func(w io.Writer) error { _, err := x270.Write(w, batch); return err })
	})
	b.Run("baseline", func(b *testing.B) {
		run(b, func(w io.Writer) error { return naive270(w, batch) })
	})
}

// naive270 writes the layout of x270.Write with string joins and no
// checks, for batches like bigBatch's, whose requests have a group number,
// birth dates and a service date. It is the benchmark's baseline and,
// since it shares only the grouping with the package, a second opinion on
// what Write writes.
func naive270(w io.Writer, b x270.Batch) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	env := b.Envelope
	date, clock := env.At.Format("20060102"), env.At.Format("1504")
	seg := func(el ...string) {
		for len(el) > 1 && el[len(el)-1] == "" {
			el = el[:len(el)-1]
		}
		bw.WriteString(strings.Join(el, "*"))
		bw.WriteString("~\n")
	}
	fmt.Fprintf(bw, "ISA*00*          *00*          *%s*%-15s*%s*%-15s*%s*%s*^*00501*%09d*0*T*:~\n",
		env.SenderQualifier, env.SenderID, env.ReceiverQualifier, env.ReceiverID, env.At.Format("060102"), clock, env.InterchangeControl)
	gc := strconv.FormatInt(env.GroupControl, 10)
	seg("GS", "HS", env.SenderID, env.ReceiverID, date, clock, gc, "X", x270.Version)
	sets := x270.Group(b.Requests, func(r x270.Request) (x270.Party, x270.Provider) { return r.Payer, r.Provider })
	for k, set := range sets {
		control := fmt.Sprintf("%04d", k+1)
		count, hl := 0, 0
		s := func(el ...string) { count++; seg(el...) }
		level := func(parent, code, child string) string {
			hl++
			id := strconv.Itoa(hl)
			s("HL", id, parent, code, child)
			return id
		}
		s("ST", "270", control, x270.Version)
		s("BHT", "0022", "13", fmt.Sprintf("%09d-%s", env.InterchangeControl, control), date, clock)
		src := level("", "20", "1")
		s("NM1", "PR", "2", set.Payer.Name, "", "", "", "", "PI", set.Payer.ID)
		for _, p := range set.Providers {
			rcv := level(src, "21", "1")
			s("NM1", "1P", "2", p.Provider.Name, "", "", "", "", "XX", p.Provider.NPI)
			for _, i := range p.Requests {
				r := b.Requests[i]
				ask := func() {
					s("DTP", "291", "D8", r.ServiceDate.Format("20060102"))
					s("EQ", strings.Join(r.ServiceTypes, "^"))
				}
				sub := r.Subscriber
				if r.Patient == nil {
					level(rcv, "22", "0")
					s("TRN", "1", r.TraceNumber, b.TraceOriginator)
				} else {
					level(rcv, "22", "1")
				}
				s("NM1", "IL", "1", sub.Last, sub.First, "", "", "", "MI", sub.MemberID)
				s("REF", "6P", r.GroupNumber)
				if r.Patient == nil {
					s("DMG", "D8", sub.BirthDate.Format("20060102"), sub.Gender)
				} else {
					p := r.Patient
					level(strconv.Itoa(hl), "23", "0")
					s("TRN", "1", r.TraceNumber, b.TraceOriginator)
					s("NM1", "03", "1", p.Last, p.First)
					s("DMG", "D8", p.BirthDate.Format("20060102"), p.Gender)
				}
				ask()
			}
		}
		seg("SE", strconv.Itoa(count+1), control)
	}
	seg("GE", strconv.Itoa(len(sets)), gc)
	fmt.Fprintf(bw, "IEA*1*%09d~\n", env.InterchangeControl)
	return bw.Flush()
}
