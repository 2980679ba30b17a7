package x270_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/x12/x12write"
	"github.com/backdesk/backdesk/pkg/x12/x270"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// The pools random batches draw from: valid NPIs, and the characters of
// names as offices type them.
var (
	npis      = []string{"1234567893", "1672390451", "1456789027", "1987654328"}
	nameChars = []rune("ABCDEFGHIJKLMNOPQRSTUVWXYZabcxyz0123456789 -'.,&#/()")
	stcs      = []string{"35", "23", "24", "25", "26", "27", "28", "36", "37", "38", "39", "40", "41", "30", "A7"}
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

func randomBatch(rt *rapid.T) x270.Batch {
	env := testEnvelope()
	env.InterchangeControl = rapid.Int64Range(1, x12write.MaxControl).Draw(rt, "ISA13")
	env.GroupControl = rapid.Int64Range(1, x12write.MaxControl).Draw(rt, "GS06")
	env.Production = rapid.Bool().Draw(rt, "production")
	b := x270.Batch{Envelope: env, TraceOriginator: rapid.SampledFrom([]string{"1999999999", "3123456789", "9BACKDESK1"}).Draw(rt, "TRN03")}
	payers := rapid.IntRange(1, 5).Draw(rt, "payers")
	n := rapid.IntRange(1, 40).Draw(rt, "requests")
	for i := range n {
		p := rapid.IntRange(0, payers-1).Draw(rt, "payer")
		r := x270.Request{
			TraceNumber: fmt.Sprintf("%s-%d", text(rt, "trace", 1, 20), i),
			Payer:       x270.Party{Name: fmt.Sprintf("PAYER %d", p), ID: fmt.Sprintf("PY%03d", p)},
			Provider:    x270.Provider{Name: "OFFICE", NPI: rapid.SampledFrom(npis).Draw(rt, "npi")},
			Subscriber: x270.Person{
				First: text(rt, "first", 0, 35), Last: text(rt, "last", 1, 60),
				MemberID: fmt.Sprintf("M%d%s", i, strings.ReplaceAll(text(rt, "member", 1, 20), " ", "")),
				Gender:   rapid.SampledFrom([]string{"", "F", "M", "U"}).Draw(rt, "gender"),
			},
		}
		if rapid.Bool().Draw(rt, "birth date known") {
			r.Subscriber.BirthDate = date(rt, "birth")
		}
		if rapid.Bool().Draw(rt, "dependent") {
			r.Patient = &x270.Person{First: text(rt, "dependent first", 0, 35), Last: text(rt, "dependent last", 1, 60),
				BirthDate: date(rt, "dependent birth")}
		}
		if rapid.Bool().Draw(rt, "group known") {
			r.GroupNumber = text(rt, "group", 1, 50)
		}
		if rapid.Bool().Draw(rt, "dated") {
			r.ServiceDate = date(rt, "service")
		}
		r.ServiceTypes = rapid.SliceOfNDistinct(rapid.SampledFrom(stcs), 0, 8, func(s string) string { return s }).Draw(rt, "types")
		b.Requests = append(b.Requests, r)
	}
	return b
}

// TestRandomBatchesReadBack writes random batches and reads them back
// through pkg/x12: every count and control number checks, there is one set
// per payer, and every request is asked once, under its payer and
// provider, at the right level, about the right service types.
func TestRandomBatchesReadBack(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(rt *rapid.T) {
		b := randomBatch(rt)
		var buf bytes.Buffer
		written, err := x270.Write(&buf, b)
		require.NoError(rt, err)
		require.Equal(rt, int64(buf.Len()), written.Bytes)
		require.Equal(rt, len(b.Requests), written.Requests)

		got, controls := readBack(rt, buf.Bytes(), b.Envelope)
		require.Equal(rt, written.SetControls, controls)
		require.Equal(rt, written.Sets, len(controls))
		payers := map[string]bool{}
		for _, r := range b.Requests {
			payers[r.Payer.ID] = true
		}
		require.Len(rt, controls, len(payers), "one set per payer")
		require.Len(rt, got, len(b.Requests), "every request asked once")

		setOf := map[string]string{}
		for _, r := range b.Requests {
			a, ok := got[strings.TrimSpace(r.TraceNumber)]
			require.True(rt, ok)
			require.Equal(rt, r.Payer.ID, a.payerID)
			require.Equal(rt, r.Provider.NPI, a.npi)
			require.Equal(rt, b.TraceOriginator, a.originator)
			require.Equal(rt, strings.TrimSpace(r.Subscriber.MemberID), a.member)
			patient, level := r.Subscriber, "22"
			if r.Patient != nil {
				patient, level = *r.Patient, "23"
			}
			require.Equal(rt, level, a.level)
			require.Equal(rt, strings.TrimSpace(patient.Last), a.last)
			want := r.ServiceTypes
			if len(want) == 0 {
				want = []string{"35"}
			}
			require.Equal(rt, want, a.types)
			if r.ServiceDate.IsZero() {
				require.Empty(rt, a.date)
			} else {
				require.Equal(rt, x12write.Date(r.ServiceDate), a.date)
			}
			if s, seen := setOf[r.Payer.ID]; seen {
				require.Equal(rt, s, a.set, "a payer's requests share its set")
			}
			setOf[r.Payer.ID] = a.set
		}
	})
}
