package x835_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/x12"
	"github.com/backdesk/backdesk/pkg/x12/x835"
)

func sample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// decodeAll decodes every transaction set of input.
func decodeAll(t testing.TB, input []byte) []*x835.Remittance {
	t.Helper()
	var out []*x835.Remittance
	for tr, err := range x12.NewReader(bytes.NewReader(input)).Transactions() {
		if err != nil {
			t.Fatal(err)
		}
		rem, err := x835.Decode(tr)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rem)
	}
	return out
}

// decodeOne decodes input that must hold exactly one transaction set and
// returns the decoder's error.
func decodeOne(t *testing.T, input string) (*x835.Remittance, error) {
	t.Helper()
	r := x12.NewReader(bytes.NewReader([]byte(input)))
	tr, err := r.NextTransaction()
	if err != nil {
		t.Fatalf("reading: %v", err)
	}
	return x835.Decode(tr)
}

func day(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
