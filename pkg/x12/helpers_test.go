package x12_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/backdesk/backdesk/pkg/x12"
)

// isa is a valid ISA header with control number 000000001, '*' elements,
// '^' repetitions, ':' components and the '~' terminator.
const isa = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240101*1200*^*00501*000000001*0*P*:~"

// minimal builds a small valid 835 interchange, one segment per line,
// whose segments are numbered:
//
//	1 ISA, 2 GS, 3 ST, 4 BPR, 5 TRN, 6 SE, 7 GE, 8 IEA
func minimal() string {
	return isa + "\n" + strings.Join([]string{
		"GS*HP*SENDER*RECEIVER*20240101*1200*1*X*005010X221A1",
		"ST*835*0001",
		"BPR*I*10*C*CHK************20240101",
		"TRN*1*123*1999999999",
		"SE*4*0001",
		"GE*1*1",
		"IEA*1*000000001",
	}, "~\n") + "~\n"
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readAll reads every segment of input and returns them with the error
// that stopped the reading (nil at a clean end).
func readAll(input string) ([]x12.Segment, error) {
	r := x12.NewReader(strings.NewReader(input))
	var segs []x12.Segment
	for {
		s, err := r.Next()
		if errors.Is(err, io.EOF) {
			return segs, nil
		}
		if err != nil {
			return segs, err
		}
		segs = append(segs, s)
	}
}

// samples lists the committed sample files.
func samples(t *testing.T) []string {
	t.Helper()
	names, err := sampleNames()
	if err != nil || len(names) == 0 {
		t.Fatalf("no samples: %v", err)
	}
	return names
}

func sampleNames() ([]string, error) {
	names, err := filepath.Glob(filepath.Join("testdata", "*.edi"))
	for i, n := range names {
		names[i] = filepath.Base(n)
	}
	return names, err
}

func readSample(name string) ([]byte, error) {
	return os.ReadFile(filepath.Join("testdata", name))
}
