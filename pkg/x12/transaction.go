package x12

import (
	"io"
	"iter"
	"slices"
)

// Transaction is one transaction set, ST through SE, with the headers of
// the envelopes around it.
type Transaction struct {
	Interchange Interchange
	Group       Group
	// Code is ST01, the transaction set identifier: "835" or "277".
	Code string
	// ControlNumber is ST02.
	ControlNumber string
	// ImplementationRef is ST03 when present, such as "005010X221A1".
	ImplementationRef string
	// Segments holds the segments from ST to SE, both included.
	Segments []Segment
}

// Pos is where the transaction set's ST segment starts.
func (t *Transaction) Pos() Pos {
	if len(t.Segments) == 0 {
		return Pos{}
	}
	return t.Segments[0].Pos
}

// NextTransaction reads up to the end of the next transaction set and
// returns it, with its SE checked. Envelope segments between sets are
// read and checked but not returned; TA1 segments among them are kept for
// InterchangeAcks. It returns io.EOF after the last interchange. Only one
// transaction set is held in memory at a time.
//
// A problem in the GE or IEA after a set is reported by the call after the
// one that returned the set. Do not mix calls to Next and NextTransaction
// within one transaction set.
func (r *Reader) NextTransaction() (*Transaction, error) {
	var t *Transaction
	for {
		seg, err := r.Next()
		if err != nil {
			return nil, err
		}
		switch {
		case seg.ID == "ST":
			t = &Transaction{
				Interchange:       r.env.interchange,
				Group:             r.env.group,
				Code:              seg.Element(1),
				ControlNumber:     seg.Element(2),
				ImplementationRef: seg.Element(3),
				Segments:          make([]Segment, 1, max(r.lastSetLen, 16)),
			}
			t.Segments[0] = seg
		case t == nil:
			// ISA, GS, GE or IEA between sets; the reader checked them.
		default:
			t.Segments = append(t.Segments, seg)
			if seg.ID == "SE" {
				// Sets in one file tend to be alike in size; starting the
				// next one at this size saves regrowing it.
				r.lastSetLen = len(t.Segments)
				return t, nil
			}
		}
	}
}

// Transactions iterates over the transaction sets of the input. A final
// pair carries the error that stopped the reading, if it is not io.EOF.
func (r *Reader) Transactions() iter.Seq2[*Transaction, error] {
	return func(yield func(*Transaction, error) bool) {
		for {
			t, err := r.NextTransaction()
			if err == io.EOF {
				return
			}
			if !yield(t, err) || err != nil {
				return
			}
		}
	}
}

// InterchangeAck is a TA1 segment, an interchange acknowledgment: the
// answer to a whole interchange, which stands in an interchange's envelope
// outside any functional group.
type InterchangeAck struct {
	// Interchange is the ISA header of the interchange carrying the TA1,
	// not of the one it acknowledges: TA101 names that one.
	Interchange Interchange
	Segment     Segment
}

// InterchangeAcks returns the TA1 segments read so far, whether through
// Next, NextTransaction or Transactions, in the order they came. They are
// kept for the whole reading, as a file holds few of them: one for each
// interchange it acknowledges.
func (r *Reader) InterchangeAcks() []InterchangeAck {
	return slices.Clone(r.acks)
}
