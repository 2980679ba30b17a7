package demohouse

import (
	"bytes"
	"fmt"
	"time"

	"github.com/backdesk/backdesk/pkg/x12/x12write"
)

// Answer276 answers a 276 claim status batch: ack999 accepts it, and
// answer277 gives each claim a status under its trace number (TRN*2, which
// x277 reads as the claim): accepted into adjudication (A2:20) or
// finalized and paid (F1:65) with four fifths of the charge, by a hash of
// the claim id. The same body and now give the same bytes.
func Answer276(body []byte, now time.Time) (ack999, answer277 []byte, err error) {
	b, err := read(body, "276")
	if err != nil {
		return nil, nil, fmt.Errorf("demohouse: read the 276: %w", err)
	}
	ack, err := accept(b, "276", now)
	if err != nil {
		return nil, nil, fmt.Errorf("demohouse: write the 999: %w", err)
	}
	answer, err := write277(b, now)
	if err != nil {
		return nil, nil, fmt.Errorf("demohouse: write the 277: %w", err)
	}
	return ack, answer, nil
}

// write277 writes the statuses of a batch's claims, one 277 set per 276
// set.
func write277(b *batch, now time.Time) ([]byte, error) {
	var buf bytes.Buffer
	w, err := x12write.NewWriter(&buf, envelopeFor(b, "HN", "005010X212", answerControl(b.interchange.ControlNumber, statusRange), now))
	if err != nil {
		return nil, err
	}
	s := &segments{w: w}
	for i, st := range b.sets {
		if i > 0 {
			s.end()
		}
		s.begin("277", i+1)
		// 08 status, DG response.
		s.put("BHT", "0010", "08", st.reference, x12write.Date(now), x12write.Time(now), "DG")
		source := s.hl("", "20", "1")
		s.organization("PR", st.payer)
		receiver := s.hl(source, "21", "1")
		s.organization("41", st.receiver)
		for _, g := range st.providers {
			provider := s.hl(receiver, "19", "1")
			s.organization("1P", g.provider)
			for _, r := range g.requests {
				s.status(provider, r, now)
			}
		}
	}
	if err := s.finish(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// status writes the levels that answer one claim.
func (s *segments) status(parent string, r request, now time.Time) {
	child := "0"
	if r.dependent != nil {
		child = "1"
	}
	sub := s.hl(parent, "22", child)
	s.name("IL", r.subscriber)
	if r.dependent != nil {
		s.hl(sub, "23", "")
		s.name("QC", *r.dependent)
	}
	c := r.claim
	h := hash(c.id)
	s.put("TRN", "2", r.trace)
	today := x12write.Date(now)
	charge := x12write.Amount(c.chargeCents)
	if h%2 == 0 {
		s.put("STC", x12write.Composite("A2", "20"), today, "", charge)
	} else {
		paid := x12write.Amount(c.chargeCents * 4 / 5)
		s.put("STC", x12write.Composite("F1", "65"), today, "", charge, paid, today, "", today, fmt.Sprintf("EFT%09d", h%1_000_000_000))
	}
	number := c.payerNumber
	if number == "" {
		number = fmt.Sprintf("%013d", h%10_000_000_000_000)
	}
	s.put("REF", "1K", number)
	if c.id != "" {
		s.put("REF", "EJ", c.id)
	}
	if c.dates != "" {
		s.put("DTP", "472", c.dateQualifier, c.dates)
	}
}
