package x276_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/x12"
	"github.com/backdesk/backdesk/pkg/x12/x12write"
	"github.com/backdesk/backdesk/pkg/x12/x270"
	"github.com/backdesk/backdesk/pkg/x12/x276"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

var (
	npis      = []string{"1234567893", "1672390451", "1456789027", "1987654328"}
	nameChars = []rune("ABCDEFGHIJKLMNOPQRSTUVWXYZabcxyz0123456789 -'.,&#/()")
)

func text(rt *rapid.T, label string, min, max int) string {
	s := rapid.StringOfN(rapid.RuneFrom(nameChars), min, max, -1).Draw(rt, label)
	if strings.TrimSpace(s) == "" && min > 0 {
		return "X" + s
	}
	return s
}

func date(rt *rapid.T, label string) time.Time {
	return time.Date(rapid.IntRange(1900, 2030).Draw(rt, label+" year"), time.Month(rapid.IntRange(1, 12).Draw(rt, label+" month")),
		rapid.IntRange(1, 28).Draw(rt, label+" day"), 0, 0, 0, 0, time.UTC)
}

func randomBatch(rt *rapid.T) x276.Batch {
	b := testBatch()
	b.Envelope.InterchangeControl = rapid.Int64Range(1, x12write.MaxControl).Draw(rt, "ISA13")
	b.Envelope.GroupControl = rapid.Int64Range(1, x12write.MaxControl).Draw(rt, "GS06")
	b.Requests = nil
	payers := rapid.IntRange(1, 5).Draw(rt, "payers")
	n := rapid.IntRange(1, 40).Draw(rt, "requests")
	for i := range n {
		p := rapid.IntRange(0, payers-1).Draw(rt, "payer")
		r := x276.Request{
			Payer:    x270.Party{Name: fmt.Sprintf("PAYER %d", p), ID: fmt.Sprintf("PY%03d", p)},
			Provider: x270.Provider{Name: "OFFICE", NPI: rapid.SampledFrom(npis).Draw(rt, "npi")},
			Subscriber: x270.Person{
				First: text(rt, "first", 0, 35), Last: text(rt, "last", 1, 60),
				MemberID: fmt.Sprintf("M%d", rapid.IntRange(10, 1e9).Draw(rt, "member")),
				Gender:   rapid.SampledFrom([]string{"", "F", "M", "U"}).Draw(rt, "gender"),
			},
			Claim: x276.Claim{
				ClaimID:     fmt.Sprintf("C%d-%s", i, strings.TrimSpace(text(rt, "claim", 1, 20))),
				ChargeCents: rapid.Int64Range(0, 10_000_000).Draw(rt, "charge"),
				From:        date(rt, "from"),
			},
		}
		if rapid.Bool().Draw(rt, "own trace") {
			r.Claim.TraceNumber = fmt.Sprintf("T%d", i)
		}
		if rapid.Bool().Draw(rt, "payer claim number known") {
			r.Claim.PayerClaimNumber = text(rt, "payer claim", 1, 50)
		}
		if rapid.Bool().Draw(rt, "range") {
			r.Claim.To = r.Claim.From.AddDate(0, 0, rapid.IntRange(0, 30).Draw(rt, "days"))
		}
		if rapid.Bool().Draw(rt, "birth date known") {
			r.Subscriber.BirthDate = date(rt, "birth")
		}
		if rapid.Bool().Draw(rt, "dependent") {
			r.Patient = &x270.Person{Last: text(rt, "dependent last", 1, 60), BirthDate: date(rt, "dependent birth")}
		}
		b.Requests = append(b.Requests, r)
	}
	return b
}

// TestRandomBatchesReadBack writes random batches and reads them back
// through pkg/x12: every count and control number checks, there is one set
// per payer, and every claim is asked about once, at the right level,
// with its claim ID, charge and dates.
func TestRandomBatchesReadBack(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(rt *rapid.T) {
		b := randomBatch(rt)
		var buf bytes.Buffer
		written, err := x276.Write(&buf, b)
		require.NoError(rt, err)
		require.Equal(rt, int64(buf.Len()), written.Bytes)
		require.Equal(rt, len(b.Requests), written.Requests)
		got, controls := readBack(rt, buf.Bytes(), b.Envelope)
		require.Equal(rt, written.SetControls, controls)
		payers := map[string]bool{}
		for _, r := range b.Requests {
			payers[r.Payer.ID] = true
		}
		require.Len(rt, controls, len(payers), "one set per payer")
		require.Len(rt, got, len(b.Requests), "every claim asked about once")
		for _, r := range b.Requests {
			trace := r.Claim.TraceNumber
			if trace == "" {
				trace = r.Claim.ClaimID
			}
			c, ok := got[trace]
			require.True(rt, ok)
			require.Equal(rt, r.Payer.ID, c.payerID)
			require.Equal(rt, r.Provider.NPI, c.npi)
			require.Equal(rt, r.Subscriber.MemberID, c.member)
			require.Equal(rt, r.Claim.ClaimID, c.claimID)
			require.Equal(rt, strings.TrimSpace(r.Claim.PayerClaimNumber), c.payerClaim)
			cents, ok := x12.ParseCents(c.amount)
			require.True(rt, ok)
			require.Equal(rt, r.Claim.ChargeCents, cents)
			q, v, _ := strings.Cut(c.period, " ")
			from, to, ok := x12.ParseDateRange(v)
			require.True(rt, ok)
			require.True(rt, from.Equal(r.Claim.From))
			wantTo := r.Claim.To
			if wantTo.IsZero() {
				wantTo = r.Claim.From
			}
			require.True(rt, to.Equal(wantTo))
			require.Equal(rt, from.Equal(to), q == "D8")
			if r.Patient != nil {
				require.Equal(rt, "23", c.level)
				require.Equal(rt, strings.TrimSpace(r.Patient.Last), c.last)
			} else {
				require.Equal(rt, "22", c.level)
				require.Equal(rt, strings.TrimSpace(r.Subscriber.Last), c.last)
			}
		}
	})
}
