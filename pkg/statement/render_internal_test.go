package statement

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// A window's lines that fit at no size are refused, not printed outside
// it, and the error does not quote them.
func TestWindowRefusesWhatDoesNotFit(t *testing.T) {
	s := sampleStatement()
	d := &drawer{s: s, t: s.Totals(), f: newPDF(s)}
	d.f.AddPage()
	d.window(lowerWindow, []string{"Zebulon " + strings.Repeat("W", 80)}, sizeName, "mailing address")
	require.EqualError(t, d.err, "statement: the mailing address does not fit the envelope's window")
}
