package statement_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/backdesk/backdesk/pkg/statement"
	"github.com/backdesk/backdesk/pkg/statement/pdftext"
	"github.com/stretchr/testify/require"
)

func TestStatementSaysWhatItMust(t *testing.T) {
	pdf := renderPDF(t, sample())
	runs := readRuns(t, pdf)
	all := texts(runs)
	for _, want := range []string{
		// Letterhead, remit-to and mailing address.
		"Lakeview Family Dental", "410 Harbor Street", "Sandusky, OH 44870",
		"PO Box 7781", "Columbus, OH 43215-7781",
		"Maria L. Gomez", "1187 Elm Avenue", "Apt 3B", "Huron, OH 44839-1021",
		// Dates and account.
		"Mar 4, 2026", "Apr 3, 2026", "LV-004417", "Account LV-004417", "Statement date Mar 4, 2026",
		// The lines, with insurance and adjustments negative.
		"D0120 Periodic oral evaluation", "$65.00", "D2740 Crown – porcelain/ceramic", "$1,234.56",
		"Delta Dental payment", "-$45.00", "Contractual adjustment", "-$20.00", "Payment – thank you", "-$50.00",
		"Feb 10, 2026", "Feb 24, 2026", "Feb 27, 2026",
		// Summary.
		"Previous balance", "$120.00", "New charges", "$1,299.56", "-$65.00", "$1,304.56", "-$617.28", "$687.28",
		// Aging.
		"Current (0–30 days)", "$1,184.56", "31–60 days", "$0.00", "61–90 days", "$70.00", "Over 90 days",
		// Pay online.
		"Pay online", "https://pay.backdesk.example/s/7QK2M9XH",
		// Phone and hours.
		"Phone (419) 555-0142", "Hours Mon–Thu 8am–5pm, Fri 8am–noon",
		"Questions? Call (419) 555-0142, Mon–Thu 8am–5pm, Fri 8am–noon.",
		"Page 1 of 1",
	} {
		require.Contains(t, all, want)
	}
	n, err := pdftext.PageCount(pdf)
	require.NoError(t, err)
	require.Equal(t, 1, n)

	// The same statement makes the same bytes: its dates are the
	// statement's, not the clock's.
	require.Equal(t, pdf, renderPDF(t, sample()))
}

// The amount due is the balance less what the insurance is expected to
// pay, and the pending claims are a section of their own that says they
// are not due now and never shows the amount due.
func TestInsurancePendingIsApartFromTheAmountDue(t *testing.T) {
	runs := readRuns(t, renderPDF(t, sample()))

	due := one(t, runs, 1, "Amount due now")
	dueAmount := sameLine(runs, due)
	require.Equal(t, []string{"Amount due now", "$687.28"}, dueAmount)
	require.Equal(t, []string{"Amount due", "$687.28"}, sameLine(runs, one(t, runs, 1, "Amount due")))
	require.Equal(t, []string{"Less insurance pending (not due from you now)", "-$617.28"},
		sameLine(runs, one(t, runs, 1, "Less insurance pending (not due from you now)")))

	heading := one(t, runs, 1, "Insurance pending")
	activity := one(t, runs, 1, "Account activity")
	require.Less(t, heading.Y, activity.Y, "the pending claims come after the activity")
	var section []string
	for _, r := range onPage(runs, 1) {
		if r.Y < heading.Y && r.Y > 72*0.5 { // below the heading, above the footer
			section = append(section, r.Text)
		}
	}
	require.Equal(t, []string{
		"Claims sent to your insurance and not yet paid. These amounts are not part of the amount due now.",
		"Date of service", "Insurance", "Expected from insurance",
		"Feb 10, 2026", "Delta Dental of Ohio", "$617.28",
		"Total insurance pending", "$617.28",
	}, section)
}

// sameLine is the texts of the runs on r's baseline, left to right.
func sameLine(runs []pdftext.Run, r pdftext.Run) []string {
	var line []pdftext.Run
	for _, o := range runs {
		if o.Page == r.Page && o.Y == r.Y {
			line = append(line, o)
		}
	}
	for i := range line { // few runs: insertion sort by x
		for j := i; j > 0 && line[j].X < line[j-1].X; j-- {
			line[j], line[j-1] = line[j-1], line[j]
		}
	}
	return texts(line)
}

func TestNothingDueWhenInsuranceCoversTheBalance(t *testing.T) {
	s := sample()
	s.Pending[0].EstimateCents = 200000 // more than the balance
	runs := readRuns(t, renderPDF(t, s))
	require.Equal(t, []string{"Amount due now", "$0.00"}, sameLine(runs, one(t, runs, 1, "Amount due now")))
	require.Contains(t, texts(runs), "No payment is due now.")
	require.NotContains(t, texts(runs), "Please pay by Apr 3, 2026")
}

func TestLongStatementsRunOnWithAHeaderOnEachPage(t *testing.T) {
	s := withLines(25)
	pdf := renderPDF(t, s)
	n, err := pdftext.PageCount(pdf)
	require.NoError(t, err)
	require.Equal(t, 2, n)
	runs := readRuns(t, pdf)

	one(t, runs, 1, "Page 1 of 2")
	one(t, runs, 2, "Page 2 of 2")
	// Page 2's small header: the account number and the page, at its top.
	for _, h := range []string{"Lakeview Family Dental", "Account LV-004417 · Statement date Mar 4, 2026", "Page 2 of 2"} {
		r := one(t, runs, 2, h)
		require.Greater(t, r.Y, 72*10.0, "%q is in the header", h)
	}
	// The table's headings repeat; every line is printed once, in order;
	// the footer with the phone is on both pages.
	one(t, runs, 2, "Description")
	var items []string
	for _, r := range runs {
		if strings.Contains(r.Text, ", item ") {
			items = append(items, r.Text)
		}
	}
	require.Len(t, items, 25)
	for i, it := range items {
		require.True(t, strings.HasSuffix(it, fmt.Sprintf(", item %03d", i+1)), it)
	}
	for p := 1; p <= 2; p++ {
		one(t, runs, p, "Questions? Call (419) 555-0142, Mon–Thu 8am–5pm, Fri 8am–noon.")
	}
	// The totals and the pending claims follow the last line, on page 2.
	one(t, runs, 2, "Totals")
	one(t, runs, 2, "Insurance pending")
	require.Equal(t, []string{"Totals", "$1,324.56", "-$65.00", "-$50.00"}, sameLine(runs, one(t, runs, 2, "Totals")))

	// Many more lines make more pages, each numbered of the total.
	runs = readRuns(t, renderPDF(t, withLines(200)))
	last := runs[len(runs)-1].Page
	require.Greater(t, last, 3)
	for p := 1; p <= last; p++ {
		one(t, runs, p, fmt.Sprintf("Page %d of %d", p, last))
	}
}

func TestLongDescriptionsWrapInTheirColumn(t *testing.T) {
	s := sample()
	s.Lines[0].Description = strings.Repeat("W", statement.MaxDescription)
	runs := readRuns(t, renderPDF(t, s))
	var parts []string
	for _, r := range runs {
		if strings.Trim(r.Text, "W") == "" && r.Text != "" {
			parts = append(parts, r.Text)
			require.LessOrEqual(t, width(t, r), 2.95*72+0.01)
		}
	}
	require.Greater(t, len(parts), 1)
	require.Equal(t, s.Lines[0].Description, strings.Join(parts, ""))
}

func TestAccentsOutsideTheFontsCharacterSetAreDropped(t *testing.T) {
	s := sample()
	s.Guarantor.Name = "José Nguyễn"
	runs := readRuns(t, renderPDF(t, s))
	require.Contains(t, texts(runs), "José Nguyen")
}

func TestRenderReportsAWriteFailure(t *testing.T) {
	err := statement.Render(failingWriter{}, sample())
	require.ErrorContains(t, err, "statement: writing the PDF")
}

// failingWriter fails every write.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errDisk }

var errDisk = errors.New("disk full")

// Text is printed as given, whatever it holds that a PDF or fpdf gives a
// meaning to.
func TestTextIsPrintedAsGiven(t *testing.T) {
	s := sample()
	s.Lines[0].Description = `Exam {nb} (left) \ right {pages}`
	s.Guarantor.Name = "Renée O'Brien-(Smith)"
	all := texts(readRuns(t, renderPDF(t, s)))
	require.Contains(t, all, `Exam {nb} (left) \ right {pages}`)
	require.Contains(t, all, "Renée O'Brien-(Smith)")
}
