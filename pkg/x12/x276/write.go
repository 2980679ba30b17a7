package x276

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/backdesk/backdesk/pkg/x12/x12write"
	"github.com/backdesk/backdesk/pkg/x12/x270"
)

// The envelope values of a 276.
const (
	FunctionalID = "HR"
	Version      = "005010X212"
)

// Write checks the receiver and every request of b, then writes them as
// one interchange: one transaction set per payer. A request that cannot
// be sent is an *x270.RequestError, and then nothing is written. An error
// from w ends the writing, and the x270.Written says how far it got.
func Write(w io.Writer, b Batch) (x270.Written, error) {
	env, err := x270.EnvelopeFor(b.Envelope, FunctionalID, Version)
	if err != nil {
		return x270.Written{}, fmt.Errorf("x276: %w", err)
	}
	if e := b.Receiver.Check("information receiver"); e != nil {
		return x270.Written{}, fmt.Errorf("x276: %s %s", e.Field, e.Problem)
	}
	if len(b.Requests) == 0 {
		return x270.Written{}, errors.New("x276: the batch has no requests")
	}
	traces := make(map[string]int, len(b.Requests))
	for i, r := range b.Requests {
		e := r.Check()
		if e == nil {
			e = x270.RepeatedTrace(traces, i, r.Claim.trace())
		}
		if e != nil {
			e.Index = i
			return x270.Written{}, fmt.Errorf("x276: %w", e)
		}
	}
	ww, err := x12write.NewWriter(w, env)
	if err != nil {
		return x270.Written{}, fmt.Errorf("x276: %w", err)
	}
	var out x270.Written
	for _, g := range x270.Group(b.Requests, func(r Request) (x270.Party, x270.Provider) { return r.Payer, r.Provider }) {
		control := fmt.Sprintf("%04d", out.Sets+1)
		if err := writeSet(ww, b, control, g); err != nil {
			out.Bytes = ww.Bytes()
			return out, fmt.Errorf("x276: %w", err)
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
		return out, fmt.Errorf("x276: %w", err)
	}
	return out, nil
}

// writeSet writes the transaction set for one payer.
func writeSet(w *x12write.Writer, b Batch, control string, g x270.PayerSet) error {
	env := b.Envelope
	s := &segments{w: w}
	s.err = w.Begin("276", control)
	s.put("BHT", "0010", "13", fmt.Sprintf("%09d-%s", env.InterchangeControl, control),
		x12write.Date(env.At), x12write.Time(env.At))
	source := s.hl("", "20", "1")
	s.put("NM1", "PR", "2", trim(g.Payer.Name), "", "", "", "", "PI", trim(g.Payer.ID))
	receiver := s.hl(source, "21", "1")
	s.put("NM1", "41", "2", trim(b.Receiver.Name), "", "", "", "", "46", trim(b.Receiver.ID))
	for _, p := range g.Providers {
		provider := s.hl(receiver, "19", "1")
		s.put("NM1", "1P", "2", trim(p.Provider.Name), "", "", "", "", "XX", trim(p.Provider.NPI))
		for _, i := range p.Requests {
			s.request(provider, b.Requests[i])
		}
	}
	if s.err != nil {
		return s.err
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
// patient is a dependent, the dependent level under it; the claim goes on
// the patient's level.
func (s *segments) request(parent string, r Request) {
	sub := r.Subscriber
	if r.Patient == nil {
		s.hl(parent, "22", "0")
		s.dmg(sub)
		s.put("NM1", "IL", "1", trim(sub.Last), trim(sub.First), "", "", "", "MI", trim(sub.MemberID))
		s.claim(r.Claim)
		return
	}
	subscriber := s.hl(parent, "22", "1")
	s.put("NM1", "IL", "1", trim(sub.Last), trim(sub.First), "", "", "", "MI", trim(sub.MemberID))
	pat := *r.Patient
	s.hl(subscriber, "23", "") // the guide does not use HL04 on the dependent level
	s.dmg(pat)
	s.put("NM1", "QC", "1", trim(pat.Last), trim(pat.First))
	s.claim(r.Claim)
}

// dmg writes a person's birth date, and gender when it is F or M, when
// the birth date is known.
func (s *segments) dmg(p x270.Person) {
	if p.BirthDate.IsZero() {
		return
	}
	gender := ""
	if p.Gender == "F" || p.Gender == "M" {
		gender = p.Gender
	}
	s.put("DMG", "D8", x12write.Date(p.BirthDate), gender)
}

// claim writes the claim status tracking loop of one claim.
func (s *segments) claim(c Claim) {
	s.put("TRN", "1", c.trace())
	if n := trim(c.PayerClaimNumber); n != "" {
		s.put("REF", "1K", n)
	}
	s.put("REF", "EJ", trim(c.ClaimID))
	s.put("AMT", "T3", x12write.Amount(c.ChargeCents))
	qualifier, period := x12write.Period(c.From, c.To)
	s.put("DTP", "472", qualifier, period)
}

func trim(s string) string { return strings.TrimSpace(s) }
