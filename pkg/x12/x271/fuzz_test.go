package x271_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/backdesk/backdesk/pkg/x12"
	"github.com/backdesk/backdesk/pkg/x12/x271"
)

// FuzzDecode271 decodes every transaction set the reader finds in
// arbitrary bytes and sums up every answer. Nothing may panic, and
// decoding errors must be *x12.SyntaxError.
func FuzzDecode271(f *testing.F) {
	names, _ := filepath.Glob(filepath.Join("testdata", "271-*.edi"))
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := x12.NewReader(bytes.NewReader(data))
		for range len(data) + 1 {
			tr, err := r.NextTransaction()
			if err != nil {
				return
			}
			rep, err := x271.Decode(tr)
			var se *x12.SyntaxError
			if err != nil && !errors.As(err, &se) {
				t.Fatalf("decode error of type %T: %v", err, err)
			}
			if err != nil {
				continue
			}
			for _, a := range rep.Answers {
				s := a.Summary()
				_ = s.Lines(rep.Created)
				_ = s.Problems([]string{"D1110", "D2740", "D6240", "D2392", "X"}, rep.Created)
			}
		}
		t.Fatal("NextTransaction does not stop")
	})
}
