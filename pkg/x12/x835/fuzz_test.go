package x835_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/backdesk/backdesk/pkg/x12"
	"github.com/backdesk/backdesk/pkg/x12/x835"
)

// FuzzDecode835 decodes every transaction set the reader finds in
// arbitrary bytes. Decoding must not panic, and its errors must be
// *x12.SyntaxError.
func FuzzDecode835(f *testing.F) {
	names, _ := filepath.Glob(filepath.Join("..", "testdata", "835-*.edi"))
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(build(bpr, trn, clp, svc, "CAS*CO*45*10*1*PR*2*5", "PLB*1*20241231*WO:X*1")))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := x12.NewReader(bytes.NewReader(data))
		for range len(data) + 1 {
			tr, err := r.NextTransaction()
			if err != nil {
				return
			}
			rem, err := x835.Decode(tr)
			var se *x12.SyntaxError
			if err != nil && !errors.As(err, &se) {
				t.Fatalf("decode error of type %T: %v", err, err)
			}
			if err == nil {
				for _, c := range rem.Claims {
					_ = c.Balanced()
				}
				_ = rem.Balanced()
			}
		}
		t.Fatal("NextTransaction does not stop")
	})
}
