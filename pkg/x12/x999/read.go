package x999

import (
	"io"

	"github.com/backdesk/backdesk/pkg/x12"
)

// Read reads a file holding TA1s, 999 transaction sets or both. Every
// problem in the input, in the envelopes or in the acknowledgments, is a
// *x12.SyntaxError, and so is a transaction set other than a 999; an
// error from r comes back wrapped.
func Read(r io.Reader) (*Acks, error) {
	rd := x12.NewReader(r)
	acks := &Acks{}
	// TA1s come before the groups of their interchange, so the ones read
	// on the way to a set, or to the reader's error, are decoded first,
	// and problems are reported in file order.
	takeTA1s := func() error {
		all := rd.InterchangeAcks()
		for _, a := range all[len(acks.Interchanges):] {
			ic, err := DecodeTA1(a)
			if err != nil {
				return err
			}
			acks.Interchanges = append(acks.Interchanges, ic)
		}
		return nil
	}
	for {
		t, err := rd.NextTransaction()
		if err := takeTA1s(); err != nil {
			return nil, err
		}
		if err == io.EOF {
			return acks, nil
		}
		if err != nil {
			return nil, err
		}
		g, err := Decode(t)
		if err != nil {
			return nil, err
		}
		acks.Groups = append(acks.Groups, *g)
	}
}
