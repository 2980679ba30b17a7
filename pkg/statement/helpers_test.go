package statement_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/backdesk/backdesk/pkg/records"
	"github.com/backdesk/backdesk/pkg/statement"
	"github.com/backdesk/backdesk/pkg/statement/pdftext"
	"github.com/stretchr/testify/require"
)

// renderPDF renders s, failing the test on an error.
func renderPDF(t testing.TB, s statement.Statement) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, statement.Render(&buf, s))
	return buf.Bytes()
}

// readRuns reads the text runs of pdf, failing the test on an error.
func readRuns(t testing.TB, pdf []byte) []pdftext.Run {
	t.Helper()
	runs, err := pdftext.Read(pdf)
	require.NoError(t, err)
	return runs
}

// texts are the runs' texts.
func texts(runs []pdftext.Run) []string {
	out := make([]string, len(runs))
	for i, r := range runs {
		out[i] = r.Text
	}
	return out
}

// named returns the runs whose text is exactly s.
func named(runs []pdftext.Run, s string) []pdftext.Run {
	var out []pdftext.Run
	for _, r := range runs {
		if r.Text == s {
			out = append(out, r)
		}
	}
	return out
}

// one returns the only run whose text is s on page.
func one(t testing.TB, runs []pdftext.Run, page int, s string) pdftext.Run {
	t.Helper()
	var found []pdftext.Run
	for _, r := range named(runs, s) {
		if r.Page == page {
			found = append(found, r)
		}
	}
	require.Len(t, found, 1, "runs %q on page %d", s, page)
	return found[0]
}

// onPage returns the runs of one page.
func onPage(runs []pdftext.Run, page int) []pdftext.Run {
	var out []pdftext.Run
	for _, r := range runs {
		if r.Page == page {
			out = append(out, r)
		}
	}
	return out
}

// withLines is sample with n more charges of $1.00, numbered in their
// descriptions, and the aging kept in step.
func withLines(n int) statement.Statement {
	s := sample()
	for i := range n {
		s.Lines = append(s.Lines, statement.Line{
			Date:        records.Date{Year: 2026, Month: 3, Day: 1},
			Description: fmt.Sprintf("D1110 Prophylaxis – adult, item %03d", i+1),
			ChargeCents: 100,
		})
		s.Aging.CurrentCents += 100
	}
	return s
}
