package x270

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/backdesk/backdesk/pkg/x12/codes"
	"github.com/backdesk/backdesk/pkg/x12/x12write"
)

// The envelope values of a 270.
const (
	FunctionalID = "HS"
	Version      = "005010X279A1"
)

// Write checks every request of b, then writes them as one interchange:
// one transaction set per payer. A request that cannot be sent is a
// *RequestError, and then nothing is written. An error from w ends the
// writing, and Written says how far it got.
func Write(w io.Writer, b Batch) (Written, error) {
	env, err := EnvelopeFor(b.Envelope, FunctionalID, Version)
	if err != nil {
		return Written{}, fmt.Errorf("x270: %w", err)
	}
	if err := checkOriginator(b.TraceOriginator); err != nil {
		return Written{}, err
	}
	if len(b.Requests) == 0 {
		return Written{}, errors.New("x270: the batch has no requests")
	}
	traces := make(map[string]int, len(b.Requests))
	for i, r := range b.Requests {
		e := r.Check()
		if e == nil {
			e = RepeatedTrace(traces, i, r.TraceNumber)
		}
		if e != nil {
			e.Index = i
			return Written{}, fmt.Errorf("x270: %w", e)
		}
	}
	ww, err := x12write.NewWriter(w, env)
	if err != nil {
		return Written{}, fmt.Errorf("x270: %w", err)
	}
	var out Written
	for _, g := range Group(b.Requests, func(r Request) (Party, Provider) { return r.Payer, r.Provider }) {
		control := fmt.Sprintf("%04d", out.Sets+1)
		if err := writeSet(ww, b, control, g); err != nil {
			out.Bytes = ww.Bytes()
			return out, fmt.Errorf("x270: %w", err)
		}
		out.Sets++
		out.SetControls = append(out.SetControls, control)
		for _, p := range g.Providers {
			out.Requests += len(p.Requests)
		}
	}
	err = ww.Close()
	out.Bytes = ww.Bytes()
	if err != nil {
		return out, fmt.Errorf("x270: %w", err)
	}
	return out, nil
}

// EnvelopeFor returns env with an empty functional identifier and version
// filled in, or an error if env names others. x276 uses it too.
func EnvelopeFor(env x12write.Envelope, functionalID, version string) (x12write.Envelope, error) {
	if env.FunctionalID == "" {
		env.FunctionalID = functionalID
	}
	if env.Version == "" {
		env.Version = version
	}
	if env.FunctionalID != functionalID || env.Version != version {
		return env, fmt.Errorf("envelope is for functional group %q version %q; this transaction set goes in %q version %q",
			env.FunctionalID, env.Version, functionalID, version)
	}
	return env, nil
}

// PayerSet is the requests that go in one transaction set: those for one
// payer, by provider.
type PayerSet struct {
	Payer     Party // as named by its first request
	Providers []ProviderRequests
}

// ProviderRequests is the requests of one provider in a PayerSet, as
// indexes into the batch in the batch's order.
type ProviderRequests struct {
	Provider Provider // as named by its first request
	Requests []int
}

// Group sorts the requests of a batch into transaction sets: one per payer
// ID, in the order the payers first appear, and within it one group per
// provider NPI, in the same way. x276 groups its requests with it too.
func Group[R any](requests []R, key func(R) (Party, Provider)) []PayerSet {
	var sets []PayerSet
	payerAt := map[string]int{}
	for i, r := range requests {
		payer, provider := key(r)
		pid := strings.TrimSpace(payer.ID)
		k, ok := payerAt[pid]
		if !ok {
			k = len(sets)
			payerAt[pid] = k
			sets = append(sets, PayerSet{Payer: payer})
		}
		s := &sets[k]
		npi := strings.TrimSpace(provider.NPI)
		j := 0
		for j < len(s.Providers) && strings.TrimSpace(s.Providers[j].Provider.NPI) != npi {
			j++
		}
		if j == len(s.Providers) {
			s.Providers = append(s.Providers, ProviderRequests{Provider: provider})
		}
		s.Providers[j].Requests = append(s.Providers[j].Requests, i)
	}
	return sets
}

// writeSet writes the transaction set for one payer.
func writeSet(w *x12write.Writer, b Batch, control string, g PayerSet) error {
	env := b.Envelope
	seg := &segments{w: w}
	seg.err = w.Begin("270", control)
	seg.put("BHT", "0022", "13", fmt.Sprintf("%09d-%s", env.InterchangeControl, control),
		x12write.Date(env.At), x12write.Time(env.At))
	source := seg.hl("", "20", "1")
	seg.put("NM1", "PR", "2", trim(g.Payer.Name), "", "", "", "", "PI", trim(g.Payer.ID))
	for _, p := range g.Providers {
		receiver := seg.hl(source, "21", "1")
		seg.put("NM1", "1P", "2", trim(p.Provider.Name), "", "", "", "", "XX", trim(p.Provider.NPI))
		for _, i := range p.Requests {
			seg.request(receiver, b.Requests[i], b.TraceOriginator)
		}
	}
	if seg.err != nil {
		return seg.err
	}
	return w.End()
}

// segments writes segments until the first error, which it keeps, and
// numbers the HL levels of one transaction set.
type segments struct {
	w   *x12write.Writer
	err error
	hls int
}

func (s *segments) put(id string, elements ...string) {
	if s.err == nil {
		s.err = s.w.Segment(id, elements...)
	}
}

// hl writes an HL segment and returns its ID for the levels under it.
func (s *segments) hl(parent, level, child string) string {
	s.hls++
	id := strconv.Itoa(s.hls)
	s.put("HL", id, parent, level, child)
	return id
}

// request writes the subscriber level of one request and, when the
// patient is a dependent, the dependent level under it. The trace number,
// demographics, date and service types go on the patient's level only: a
// subscriber who is not the patient is named by member ID and name, and
// their birth date is not needed to ask about someone else.
func (s *segments) request(parent string, r Request, originator string) {
	sub := r.Subscriber
	child := "0"
	if r.Patient != nil {
		child = "1"
	}
	subscriber := s.hl(parent, "22", child)
	if r.Patient == nil {
		s.put("TRN", "1", trim(r.TraceNumber), originator)
	}
	s.put("NM1", "IL", "1", trim(sub.Last), trim(sub.First), "", "", "", "MI", trim(sub.MemberID))
	if g := trim(r.GroupNumber); g != "" {
		s.put("REF", "6P", g)
	}
	if r.Patient == nil {
		s.dmg(sub)
		s.inquiry(r)
		return
	}
	pat := *r.Patient
	s.hl(subscriber, "23", "0")
	s.put("TRN", "1", trim(r.TraceNumber), originator)
	s.put("NM1", "03", "1", trim(pat.Last), trim(pat.First))
	s.dmg(pat)
	s.inquiry(r)
}

// dmg writes a person's birth date and gender when the birth date is
// known.
func (s *segments) dmg(p Person) {
	if !p.BirthDate.IsZero() {
		s.put("DMG", "D8", x12write.Date(p.BirthDate), p.Gender)
	}
}

// inquiry writes the date of service and the EQ that asks about the
// service types.
func (s *segments) inquiry(r Request) {
	if !r.ServiceDate.IsZero() {
		s.put("DTP", "291", "D8", x12write.Date(r.ServiceDate))
	}
	types := r.ServiceTypes
	if len(types) == 0 {
		types = []string{codes.DentalCare}
	}
	s.put("EQ", x12write.Repeat(dedupe(types)...))
}

// dedupe drops repeated service types, keeping the first of each.
func dedupe(types []string) []string {
	out := make([]string, 0, len(types))
	for _, t := range types {
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

func trim(s string) string { return strings.TrimSpace(s) }
