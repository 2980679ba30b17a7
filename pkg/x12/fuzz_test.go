package x12_test

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/backdesk/backdesk/pkg/x12"
)

// FuzzReader feeds arbitrary bytes to the reader. It must not panic, must
// stop, and must report problems as *SyntaxError at a position inside the
// input.
func FuzzReader(f *testing.F) {
	names, _ := sampleNames()
	for _, n := range names {
		b, err := readSample(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(minimal()))
	f.Add([]byte(isa + "TA1*000000123*240315*1015*R*018~IEA*0*000000001~"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := x12.NewReader(bytes.NewReader(data))
		// Each segment takes at least three bytes, so a reader that keeps
		// returning segments past that is stuck.
		for i := 0; ; i++ {
			if i > len(data)/3+2 {
				t.Fatalf("more than %d segments from %d bytes", i, len(data))
			}
			s, err := r.Next()
			if err == io.EOF {
				break
			}
			var se *x12.SyntaxError
			if errors.As(err, &se) {
				if se.Pos.Segment < 1 || se.Pos.Offset > int64(len(data)) {
					t.Fatalf("error position %+v outside %d bytes: %v", se.Pos, len(data), err)
				}
				break
			}
			if err != nil {
				t.Fatalf("unexpected error type: %v", err)
			}
			if s.Pos.Offset >= int64(len(data)) || len(s.ID) < 2 {
				t.Fatalf("segment %q at %+v outside %d bytes", s.ID, s.Pos, len(data))
			}
		}
		// The transaction view of the same input must stop too.
		tr := x12.NewReader(bytes.NewReader(data))
		for i := 0; ; i++ {
			if i > len(data) {
				t.Fatal("NextTransaction does not stop")
			}
			if _, err := tr.NextTransaction(); err != nil {
				break
			}
		}
	})
}
