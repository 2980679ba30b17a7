package x999_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/backdesk/backdesk/pkg/x12"
	"github.com/backdesk/backdesk/pkg/x12/x999"
)

// FuzzRead reads arbitrary bytes as an acknowledgment file. It must not
// panic; its errors must be *x12.SyntaxError, and what it accepts must
// explain itself without quoting an IK404 copy of bad data.
func FuzzRead(f *testing.F) {
	names, _ := filepath.Glob(filepath.Join("testdata", "*.edi"))
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(build(ak1, ak2, ik3, "CTX*SITUATIONAL TRIGGER*NM1*9*2100C*8:1", "IK4*9:1:2*67*I9*BADVALUE", "IK5*R*I5", "AK9*R*1*1*0*5")))
	f.Fuzz(func(t *testing.T, data []byte) {
		acks, err := x999.Read(bytes.NewReader(data))
		if err != nil {
			var se *x12.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		for _, line := range acks.Rejected() {
			if strings.Contains(line, "BADVALUE") {
				t.Fatalf("rejection quotes IK404: %s", line)
			}
		}
	})
}
