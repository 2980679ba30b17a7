package pdftext_test

import (
	"bytes"
	"strings"
	"testing"

	"codeberg.org/go-pdf/fpdf"
	"github.com/backdesk/backdesk/pkg/statement/pdftext"
	"github.com/stretchr/testify/require"
)

// twoPages is a PDF of two pages that fpdf writes, with text placed at
// known points, in two fonts, with the characters a PDF string escapes.
func twoPages(t *testing.T, compress bool) []byte {
	t.Helper()
	f := fpdf.New("P", "pt", "Letter", "")
	f.SetCompression(compress)
	tr := f.UnicodeTranslatorFromDescriptor("")
	f.AddPage()
	f.SetFont("Helvetica", "", 10)
	f.Text(72, 100, tr("Plain (with parens) and a \\ backslash"))
	f.SetFont("Helvetica", "B", 12)
	f.Text(300, 200, tr("Crème brûlée – 100%"))
	f.AddPage()
	f.SetFont("Helvetica", "", 8)
	f.SetXY(72, 300)
	f.Cell(200, 20, "A cell")
	var buf bytes.Buffer
	require.NoError(t, f.Output(&buf))
	return buf.Bytes()
}

func TestReadsTextPositionsAndFonts(t *testing.T) {
	for _, compress := range []bool{true, false} {
		pdf := twoPages(t, compress)
		runs, err := pdftext.Read(pdf)
		require.NoError(t, err)
		require.Len(t, runs, 3)

		require.Equal(t, pdftext.Run{Page: 1, X: 72, Y: 792 - 100, Font: "Helvetica", Size: 10,
			Text: "Plain (with parens) and a \\ backslash"}, runs[0])
		require.Equal(t, pdftext.Run{Page: 1, X: 300, Y: 792 - 200, Font: "Helvetica-Bold", Size: 12,
			Text: "Crème brûlée – 100%"}, runs[1])
		require.Equal(t, 2, runs[2].Page)
		require.Equal(t, "A cell", runs[2].Text)
		require.Equal(t, "Helvetica", runs[2].Font)
		require.InDelta(t, 8, runs[2].Size, 1e-9)

		text, err := pdftext.Text(pdf)
		require.NoError(t, err)
		require.Equal(t, "Plain (with parens) and a \\ backslash\nCrème brûlée – 100%\nA cell\n", text)
		n, err := pdftext.PageCount(pdf)
		require.NoError(t, err)
		require.Equal(t, 2, n)
	}
}

func TestRefusesAWrongOffset(t *testing.T) {
	pdf := twoPages(t, true)
	// Renumber the page tree's root where it stands: the table's offset
	// for object 1 no longer points at object 1.
	i := bytes.Index(pdf, []byte("\n1 0 obj")) + 1
	broken := append([]byte{}, pdf...)
	broken[i] = '9'
	_, err := pdftext.Read(broken)
	require.Error(t, err)
	require.Contains(t, err.Error(), "does not point at it")

	_, err = pdftext.Read([]byte("not a pdf"))
	require.Error(t, err)
	_, err = pdftext.Read(pdf[:len(pdf)-40])
	require.Error(t, err)
	require.True(t, strings.HasPrefix(err.Error(), "pdftext:"))
}
