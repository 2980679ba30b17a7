package demohouse_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/clearinghouse/demohouse"
	"github.com/backdesk/backdesk/pkg/x12"
	"github.com/backdesk/backdesk/pkg/x12/x12write"
	"github.com/backdesk/backdesk/pkg/x12/x270"
	"github.com/backdesk/backdesk/pkg/x12/x276"
	"github.com/backdesk/backdesk/pkg/x12/x277"
	"github.com/backdesk/backdesk/pkg/x12/x999"
	"github.com/stretchr/testify/require"
)

// statuses decodes a file of 277s into its claims by the trace x277
// reads from TRN*2.
func statuses(t *testing.T, body []byte) map[string]x277.ClaimStatus {
	t.Helper()
	out := map[string]x277.ClaimStatus{}
	for tr, err := range x12.NewReader(bytes.NewReader(body)).Transactions() {
		require.NoError(t, err)
		r, err := x277.Decode(tr)
		require.NoError(t, err)
		for _, c := range r.Claims {
			out[c.PatientControlNumber] = c
		}
	}
	return out
}

// Each claim of a 276 gets its status under its trace number, with its
// charge and dates of service; a paid one with the payment.
func TestAClaimStatusBatchIsAnswered(t *testing.T) {
	t.Parallel()
	ack, answer, err := demohouse.Answer276(readFile(t, "276-batch.edi"), now)
	require.NoError(t, err)
	acks, err := x999.Read(bytes.NewReader(ack))
	require.NoError(t, err)
	require.Empty(t, acks.Rejected())
	require.Equal(t, "HR", acks.Groups[0].FunctionalID)
	require.Equal(t, "43", acks.Groups[0].Control)
	require.Equal(t, "276", acks.Groups[0].Sets[0].Code)

	got := statuses(t, answer)
	require.Len(t, got, 2)
	day := func(d int, m time.Month) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, time.UTC) }

	paid := got["ST0001"]
	require.Len(t, paid.Statuses, 1)
	require.Equal(t, "F1", paid.Statuses[0].Category)
	require.Equal(t, "65", paid.Statuses[0].Code)
	require.EqualValues(t, 24500, paid.BilledCents)
	require.EqualValues(t, 19600, paid.PaidCents, "four fifths of the charge")
	require.Equal(t, "2026300000101", paid.PayerClaimControlNumber, "the payer's number as the 276 sent it")
	require.Equal(t, day(2, time.November), paid.ServiceFrom)
	require.NotEmpty(t, paid.CheckNumber)

	accepted := got["ST0002"]
	require.Equal(t, "A2", accepted.Statuses[0].Category)
	require.EqualValues(t, 86050, accepted.BilledCents)
	require.Zero(t, accepted.PaidCents)
	require.Equal(t, "ELI", accepted.PatientFirstName, "the dependent's claim")
	require.Equal(t, "M1003", accepted.MemberID)
	require.Equal(t, day(20, time.October), accepted.ServiceFrom)
	require.Equal(t, day(21, time.October), accepted.ServiceTo)
}

// A claim's status depends on its claim id alone: in another batch,
// among other claims, it is the same.
func TestAClaimsStatusIsTheSameInAnyBatch(t *testing.T) {
	t.Parallel()
	claim := func(id string) x276.Request {
		return x276.Request{
			Payer:      x270.Party{Name: "GUARDIAN", ID: "GRD01"},
			Provider:   x270.Provider{Name: "LAKESIDE FAMILY DENTAL", NPI: "1962500017"},
			Subscriber: x270.Person{First: "PAT", Last: "DEMO", MemberID: "SUB1234567"},
			Claim:      x276.Claim{ClaimID: id, ChargeCents: 10000, From: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)},
		}
	}
	write := func(control int64, ids ...string) []byte {
		var reqs []x276.Request
		for _, id := range ids {
			reqs = append(reqs, claim(id))
		}
		var buf bytes.Buffer
		_, err := x276.Write(&buf, x276.Batch{
			Envelope: x12write.Envelope{SenderQualifier: "ZZ", SenderID: "BACKDESK", ReceiverQualifier: "ZZ", ReceiverID: "DEMOHOUSE",
				InterchangeControl: control, GroupControl: control, At: now},
			Receiver: x270.Party{Name: "BACKDESK", ID: "BD0001"},
			Requests: reqs,
		})
		require.NoError(t, err)
		return buf.Bytes()
	}
	_, one, err := demohouse.Answer276(write(8, "CLM-1", "CLM-2", "CLM-3", "CLM-4"), now)
	require.NoError(t, err)
	_, other, err := demohouse.Answer276(write(9, "CLM-4", "CLM-9", "CLM-2"), now.Add(time.Hour))
	require.NoError(t, err)
	a, b := statuses(t, one), statuses(t, other)
	categories := map[string]bool{}
	for _, id := range []string{"CLM-1", "CLM-2", "CLM-3", "CLM-4"} {
		categories[a[id].Statuses[0].Category] = true
	}
	require.Equal(t, map[string]bool{"A2": true, "F1": true}, categories, "both statuses show among four claims")
	for _, id := range []string{"CLM-2", "CLM-4"} {
		require.Equal(t, a[id].Statuses[0].Category, b[id].Statuses[0].Category, id)
	}
}

func TestUnreadableStatusBatchesAreRefused(t *testing.T) {
	t.Parallel()
	good := string(readFile(t, "276-batch.edi"))
	for _, tc := range []struct {
		name, body, want string
	}{
		{"a 270", string(readFile(t, "270-batch.edi")), "transaction set 270 is not a 276"},
		{"a charge that is no amount", strings.Replace(good, "AMT*T3*245~", "AMT*T3*2X5~", 1), "(AMT) element 2"},
		{"dates of service that are no dates", strings.Replace(good, "DTP*472*D8*20261102~", "DTP*472*D8*2026110~", 1), "(DTP) element 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := demohouse.Answer276([]byte(tc.body), now)
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.want)
			require.NotContains(t, err.Error(), "OKAFOR")
		})
	}
}
