package demohouse

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/backdesk/backdesk/pkg/x12/codes"
	"github.com/backdesk/backdesk/pkg/x12/x12write"
)

// Answer270 answers a 270 batch as a clearinghouse would: ack999 accepts
// its functional group (AK1 names the batch's GS06) and each transaction
// set, and answer271 answers every request, one 271 set per 270 set,
// echoing each request's trace number as TRN*2. The same body and now
// give the same bytes. A body that is not a readable 270 is an error
// naming the segment and element at fault, never their values.
func Answer270(body []byte, now time.Time) (ack999, answer271 []byte, err error) {
	b, err := read(body, "270")
	if err != nil {
		return nil, nil, fmt.Errorf("demohouse: read the 270: %w", err)
	}
	ack, err := accept(b, "270", now)
	if err != nil {
		return nil, nil, fmt.Errorf("demohouse: write the 999: %w", err)
	}
	answer, err := write271(b, now)
	if err != nil {
		return nil, nil, fmt.Errorf("demohouse: write the 271: %w", err)
	}
	return ack, answer, nil
}

// preventive is the service type of preventive care (EQ01, EB03), which
// a 270 asks about when a cleaning is planned.
const preventive = "41"

// verdict is the kind of answer a request gets.
type verdict int

const (
	clear         verdict = iota // active coverage, nothing in the way
	cleaningsUsed                // active, but this year's cleanings are used up
	inactive                     // coverage ended before the date of service
	unknownMember                // AAA 72: the payer does not know the member id
)

// verdicts chooses the answers that need a person: in the order of a hash
// of the member id, the first request asking about preventive care has
// its cleanings used up, the next is inactive, the next has an unknown
// member id; each only while two requests of the batch stay clear. A
// request without a member id is always unknown. Every other request is
// clear.
func verdicts(b *batch) map[*request]verdict {
	var all []*request
	for i := range b.sets {
		for j := range b.sets[i].providers {
			for k := range b.sets[i].providers[j].requests {
				all = append(all, &b.sets[i].providers[j].requests[k])
			}
		}
	}
	slices.SortStableFunc(all, func(x, y *request) int {
		return cmp.Or(cmp.Compare(hash(x.subscriber.memberID), hash(y.subscriber.memberID)), cmp.Compare(x.trace, y.trace))
	})
	out := map[*request]verdict{}
	clears := 0
	for _, r := range all {
		if r.subscriber.memberID == "" {
			out[r] = unknownMember
		} else {
			clears++
		}
	}
	take := func(v verdict, fits func(*request) bool) {
		if clears <= 2 {
			return
		}
		for _, r := range all {
			if _, taken := out[r]; !taken && fits(r) {
				out[r] = v
				clears--
				return
			}
		}
	}
	take(cleaningsUsed, func(r *request) bool { return slices.Contains(r.serviceTypes, preventive) })
	take(inactive, func(*request) bool { return true })
	take(unknownMember, func(*request) bool { return true })
	return out
}

// write271 writes the answers to a batch.
func write271(b *batch, now time.Time) ([]byte, error) {
	var buf bytes.Buffer
	w, err := x12write.NewWriter(&buf, envelopeFor(b, "HB", "005010X279A1", answerControl(b.interchange.ControlNumber, answerRange), now))
	if err != nil {
		return nil, err
	}
	v := verdicts(b)
	s := &segments{w: w}
	for i := range b.sets {
		st := &b.sets[i]
		if i > 0 {
			s.end()
		}
		s.begin("271", i+1)
		s.put("BHT", "0022", "11", st.reference, x12write.Date(now), x12write.Time(now))
		source := s.hl("", "20", "1")
		s.organization("PR", st.payer)
		for j := range st.providers {
			g := &st.providers[j]
			receiver := s.hl(source, "21", "1")
			s.organization("1P", g.provider)
			for k := range g.requests {
				r := &g.requests[k]
				s.answer(receiver, *r, v[r], now)
			}
		}
	}
	if err := s.finish(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// answer writes the levels that answer one request: the subscriber's,
// and the dependent's under it when the request was about a dependent.
func (s *segments) answer(parent string, r request, v verdict, now time.Time) {
	child := "0"
	if r.dependent != nil {
		child = "1"
	}
	sub := s.hl(parent, "22", child)
	if r.dependent != nil {
		s.name("IL", r.subscriber)
		s.hl(sub, "23", "0")
	}
	s.put("TRN", "2", r.trace, r.originator)
	s.put("TRN", "1", ourTrace(r.trace), originator)
	if r.dependent != nil {
		s.name("03", *r.dependent)
	} else {
		s.name("IL", r.subscriber)
	}
	h := hash(r.subscriber.memberID)
	switch v {
	case unknownMember:
		// Not valid, 72 member id missing or not valid, C please correct
		// and resubmit.
		s.put("AAA", "N", "", "72", "C")
	case inactive:
		s.dmg(r.patient())
		day := r.serviceDate
		if day.IsZero() {
			day = now
		}
		ended := time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1)
		s.put("DTP", "346", "D8", x12write.Date(time.Date(ended.Year(), time.January, 1, 0, 0, 0, 0, time.UTC)))
		s.put("DTP", "347", "D8", x12write.Date(ended))
		s.put("EB", "6", "IND", codes.DentalCare)
	default:
		s.put("REF", "6P", fmt.Sprintf("GRP%05d", h%100_000))
		s.dmg(r.patient())
		s.put("DTP", "346", "D8", x12write.Date(time.Date(now.Year(), time.January, 1, 0, 0, 0, 0, time.UTC)))
		s.benefits(h, v == cleaningsUsed, now)
	}
}

// Plans and amounts the demo's active coverage is drawn from.
var (
	plans       = []string{"PPO PLUS", "DENTAL PREMIER", "CORE DENTAL", "FAMILY CHOICE PPO"}
	deductibles = []int64{5000, 5000, 7500, 2500}
	maximums    = []int64{100000, 150000, 150000, 200000}
)

// benefits writes active coverage for the year, drawn from h: the plan,
// the deductible and annual maximum with what is left of them,
// coinsurance by category, and for two in three a limit of two cleanings
// a calendar year with those used so far (both, when usedUp).
func (s *segments) benefits(h uint64, usedUp bool, now time.Time) {
	ded, annual := deductibles[h>>8%4], maximums[h>>16%4]
	dedLeft := ded
	if h>>24%2 == 0 {
		dedLeft = 0 // met this year
	}
	annualLeft := annual - annual*int64(h>>32%9)/10
	s.put("EB", "1", "IND", codes.DentalCare, "", plans[h%4])
	s.put("EB", "C", "IND", codes.DentalCare, "", "", "23", x12write.Amount(ded))
	s.put("EB", "C", "IND", codes.DentalCare, "", "", "29", x12write.Amount(dedLeft))
	s.put("EB", "F", "IND", codes.DentalCare, "", "", "23", x12write.Amount(annual))
	s.put("EB", "F", "IND", codes.DentalCare, "", "", "29", x12write.Amount(annualLeft))
	// The patient's share: nothing for diagnostic and preventive care, a
	// fifth of restorative care, half of crowns.
	s.put("EB", "A", "IND", x12write.Repeat("23", preventive), "", "", "", "", "0")
	s.put("EB", "A", "IND", "25", "", "", "", "", "0.2")
	s.put("EB", "A", "IND", "36", "", "", "", "", "0.5")
	if !usedUp && h>>40%3 == 0 {
		return
	}
	used, last := 0, time.Time{}
	switch {
	case usedUp:
		used, last = 2, now.AddDate(0, 0, -30)
	case h>>48%2 == 1:
		used, last = 1, now.AddDate(0, -4, 0)
	}
	if jan1 := time.Date(now.Year(), time.January, 1, 0, 0, 0, 0, now.Location()); last.Before(jan1) {
		// The cleanings counted are this year's.
		if usedUp {
			last = jan1
		} else {
			used, last = 0, time.Time{}
		}
	}
	s.put("EB", "F", "IND", preventive, "", "", "23", "", "", "99", fmt.Sprint(used), "", "", x12write.Composite("AD", "D1110"))
	s.put("HSD", "VS", "2", "", "", "23")
	if !last.IsZero() {
		s.put("DTP", "304", "D8", x12write.Date(last))
	}
}
