package statement_test

import (
	"strings"
	"testing"

	"codeberg.org/go-pdf/fpdf"
	"github.com/backdesk/backdesk/pkg/statement"
	"github.com/backdesk/backdesk/pkg/statement/pdftext"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/charmap"
)

// box is an area of the page in inches from its top-left corner.
type box struct{ left, top, right, bottom float64 }

// The #10 double-window envelope's windows on the page, as the common
// envelope specification has them (not as the package's constants do).
var (
	upperWindow = box{left: 0.875, top: 0.5, right: 0.875 + 3.5, bottom: 0.5 + 1}
	lowerWindow = box{left: 0.875, top: 2.0, right: 0.875 + 4, bottom: 2.0 + 1}
)

// width is how wide a run is in points, measured by fpdf in its font.
func width(t testing.TB, r pdftext.Run) float64 {
	t.Helper()
	style := map[string]string{"Helvetica": "", "Helvetica-Bold": "B"}[r.Font]
	require.Contains(t, []string{"Helvetica", "Helvetica-Bold"}, r.Font)
	f := fpdf.New("P", "pt", "Letter", "")
	f.SetFont("Helvetica", style, r.Size)
	enc, err := charmap.Windows1252.NewEncoder().String(r.Text)
	require.NoError(t, err)
	return f.GetStringWidth(enc)
}

// inkBox is the area a run's glyphs may cover, in inches from the page's
// top-left corner: its measured width, and Helvetica's bounding box
// (0.931 em above the baseline, 0.225 below).
func inkBox(t testing.TB, r pdftext.Run) box {
	baseline := 11 - r.Y/72
	return box{
		left:   r.X / 72,
		right:  (r.X + width(t, r)) / 72,
		top:    baseline - r.Size*0.931/72,
		bottom: baseline + r.Size*0.225/72,
	}
}

func (b box) inside(o box) bool {
	return b.left >= o.left && b.right <= o.right && b.top >= o.top && b.bottom <= o.bottom
}

func (b box) overlaps(o box) bool {
	return b.left < o.right && o.left < b.right && b.top < o.bottom && o.top < b.bottom
}

// checkWindows requires the remit-to lines inside the upper window, the
// mailing address inside the lower one, and nothing else printed in
// either.
func checkWindows(t *testing.T, s statement.Statement) {
	t.Helper()
	runs := onPage(readRuns(t, renderPDF(t, s)), 1)
	remit := s.Practice.RemitTo
	upper := []string{s.Practice.Name, remit.Line1, remit.Line2, remit.City + ", " + remit.State + " " + remit.PostalCode}
	g := s.Guarantor.Address
	lower := []string{s.Guarantor.Name, g.Line1, g.Line2, g.City + ", " + g.State + " " + g.PostalCode}
	seen := map[string]bool{}
	for _, r := range runs {
		b := inkBox(t, r)
		switch {
		case b.overlaps(upperWindow):
			require.Contains(t, upper, r.Text, "printed in the upper window")
			require.True(t, b.inside(upperWindow), "%q reaches out of the upper window: %+v", r.Text, b)
			seen["upper "+r.Text] = true
		case b.overlaps(lowerWindow):
			require.Contains(t, lower, r.Text, "printed in the lower window")
			require.True(t, b.inside(lowerWindow), "%q reaches out of the lower window: %+v", r.Text, b)
			seen["lower "+r.Text] = true
		}
	}
	for _, l := range upper {
		if l == "" {
			continue
		}
		require.True(t, seen["upper "+l], "%q is not in the upper window", l)
	}
	for _, l := range lower {
		require.True(t, seen["lower "+l], "%q is not in the lower window", l)
	}
}

func TestAddressesShowInTheEnvelopeWindows(t *testing.T) {
	checkWindows(t, sample())
}

// Addresses as long as Problems allows, in the widest letters, shrink to
// stay inside.
func TestLongestAddressesStayInTheWindows(t *testing.T) {
	w := strings.Repeat("W", statement.MaxText)
	s := sample()
	s.Practice.Name = w
	city := strings.Repeat("W", statement.MaxCity)
	s.Practice.RemitTo = statement.Address{Line1: w, Line2: w, City: city, State: "OH", PostalCode: "43215-7781"}
	s.Guarantor.Name = w
	s.Guarantor.Address = statement.Address{Line1: w, Line2: w, City: city, State: "OH", PostalCode: "44839-1021"}
	require.Empty(t, s.Problems())
	checkWindows(t, s)
}

// The stub above the first fold holds what comes back with a payment; the
// detail is below it.
func TestStubAboveTheFoldDetailBelow(t *testing.T) {
	runs := onPage(readRuns(t, renderPDF(t, sample())), 1)
	fold := 11.0 / 3
	above := func(s string) bool { return inkBox(t, one(t, runs, 1, s)).bottom < fold }
	for _, s := range []string{"STATEMENT", "Account number", "LV-004417", "Amount due", "Amount enclosed", "Please pay by", "Apr 3, 2026"} {
		require.True(t, above(s), "%q is on the stub", s)
	}
	for _, s := range []string{"Account summary", "Account activity", "Insurance pending", "Pay online", "D0120 Periodic oral evaluation"} {
		require.False(t, above(s), "%q is below the fold", s)
	}
	// Nothing crosses the fold.
	for _, r := range runs {
		b := inkBox(t, r)
		require.False(t, b.top < fold && b.bottom > fold, "%q crosses the fold", r.Text)
	}
}

// Every run on every page stays on the paper, inside a quarter inch.
func TestEverythingOnThePage(t *testing.T) {
	for _, r := range readRuns(t, renderPDF(t, withLines(80))) {
		require.True(t, inkBox(t, r).inside(box{0.25, 0.25, 8.25, 10.75}), "%q on page %d", r.Text, r.Page)
	}
}
