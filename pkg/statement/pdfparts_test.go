package statement

import (
	"testing"

	"github.com/backdesk/backdesk/pkg/records"
	"github.com/stretchr/testify/require"
)

func TestRenumberRewritesReferencesOnly(t *testing.T) {
	to := func(n int) (int, bool) { return n + 10, n < 9 }
	src := "\n<</A 1 0 R /B (1 0 R \\) 2 0 R (3 0 R)) /C <3120> /F1 2 0 R /D [3 0 R 4 0 R] /E 5 0 obj\n" +
		"/W 612.00 /X -1 0 R /N 12 0 Ruler /Len 6 0 R>>\nstream\n7 0 R binary \x00(\nendstream\nendobj\n"
	got, err := renumber(nil, []byte(src), to)
	require.NoError(t, err)
	require.Equal(t, "\n<</A 11 0 R /B (1 0 R \\) 2 0 R (3 0 R)) /C <3120> /F1 12 0 R /D [13 0 R 14 0 R] /E 5 0 obj\n"+
		"/W 612.00 /X -1 0 R /N 12 0 Ruler /Len 16 0 R>>\nstream\n7 0 R binary \x00(\nendstream\nendobj\n", string(got))

	_, err = renumber(nil, []byte("<</Parent 9 0 R>>"), to)
	require.ErrorIs(t, err, errParts, "a reference to an object left out")
	_, err = renumber(nil, []byte("<</T (unclosed>>"), to)
	require.ErrorIs(t, err, errParts)
}

func TestSplitPartsRefusesWhatItDoesNotKnow(t *testing.T) {
	pdf, _, err := render(sampleStatement())
	require.NoError(t, err)
	p, err := splitParts(pdf)
	require.NoError(t, err)
	require.NotZero(t, p.pages)
	require.Contains(t, string(p.object(p.pages)), "/Type /Pages")
	require.Contains(t, string(p.object(p.root)), "/Type /Catalog")

	for _, bad := range [][]byte{
		nil,
		[]byte("%PDF-1.7\n"),
		append([]byte("%PDF-1.5"), pdf[8:]...), // a version newer than the batch's header
		pdf[:len(pdf)-10],                      // no startxref
	} {
		_, err := splitParts(bad)
		require.ErrorIs(t, err, errParts)
	}
}

// sampleStatement is a small valid statement for the package's own
// tests.
func sampleStatement() Statement {
	addr := Address{Line1: "1 Main Street", City: "Huron", State: "OH", PostalCode: "44839"}
	d := records.Date{Year: 2026, Month: 3, Day: 4}
	return Statement{
		Practice:      Practice{Name: "Lakeview Family Dental", Address: addr, Phone: "(419) 555-0142", Hours: "Mon–Fri 8–5"},
		Guarantor:     Guarantor{Name: "Maria Gomez", Address: addr},
		AccountNumber: "LV-1",
		StatementDate: d,
		DueDate:       d,
		Lines:         []Line{{Date: d, Description: "Exam", ChargeCents: 6500}},
		Aging:         Aging{CurrentCents: 6500},
		PayURL:        "https://pay.backdesk.example/s/1",
	}
}
