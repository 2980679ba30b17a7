package x276_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/x12"
	"github.com/backdesk/backdesk/pkg/x12/codes"
	"github.com/backdesk/backdesk/pkg/x12/x12write"
	"github.com/backdesk/backdesk/pkg/x12/x270"
	"github.com/backdesk/backdesk/pkg/x12/x276"
	"github.com/backdesk/backdesk/pkg/x12/x277"
	"github.com/stretchr/testify/require"
)

func day(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

var (
	summit    = x270.Party{Name: "SUMMIT DENTAL BENEFITS", ID: "62308"}
	lakeshore = x270.Party{Name: "LAKESHORE MUTUAL", ID: "LKM01"}
	bright    = x270.Provider{Name: "BRIGHT SMILES DENTAL GROUP", NPI: "1234567893"}
)

// testBatch is the batch of testdata/batch.edi: a claim for a subscriber,
// one for a dependent over two days, and one at a second payer.
func testBatch() x276.Batch {
	return x276.Batch{
		Envelope: x12write.Envelope{
			SenderQualifier: "ZZ", SenderID: "BACKDESK", ReceiverQualifier: "ZZ", ReceiverID: "CLEARHOUSE01",
			InterchangeControl: 1301, GroupControl: 1301, At: time.Date(2024, 3, 20, 14, 0, 0, 0, time.UTC),
		},
		Receiver: x270.Party{Name: "BACKDESK BILLING", ID: "BD0001"},
		Requests: []x276.Request{
			{
				Payer: summit, Provider: bright,
				Subscriber: x270.Person{First: "ANA", Last: "RIVERA", MemberID: "SDB900112", BirthDate: day(1985, 4, 12), Gender: "F"},
				Claim:      x276.Claim{ClaimID: "BSD-10001", PayerClaimNumber: "2024074000101", ChargeCents: 24500, From: day(2024, 3, 1)},
			},
			{
				Payer: summit, Provider: bright,
				Subscriber: x270.Person{First: "LINDA", Last: "NGUYEN", MemberID: "SDB771230", BirthDate: day(1979, 11, 2), Gender: "F"},
				Patient:    &x270.Person{First: "THOMAS", Last: "NGUYEN", BirthDate: day(2012, 6, 30), Gender: "M"},
				Claim:      x276.Claim{ClaimID: "BSD-10050", ChargeCents: 86000, From: day(2024, 3, 11), To: day(2024, 3, 12)},
			},
			{
				Payer: lakeshore, Provider: bright,
				Subscriber: x270.Person{First: "DAVID", Last: "OKAFOR", MemberID: "LM5521907", Gender: "M"},
				Claim:      x276.Claim{TraceNumber: "BSD-10077", ClaimID: "BSD-10077", ChargeCents: 120050, From: day(2024, 2, 27), To: day(2024, 2, 27)},
			},
		},
	}
}

// tb is what the read-back helpers need of a *testing.T or a *rapid.T.
type tb interface {
	require.TestingT
	Helper()
}

// sent is what a written 276 says about one claim, found by its trace
// number.
type sent struct {
	set, payerID, npi, member, level, last string
	claimID, payerClaim, amount, period    string
}

// readBack reads a written 276 through pkg/x12, which checks every
// envelope count and control number, checks the HL tree of each set, and
// returns what is asked about each trace number, with the ST02s in order.
func readBack(t tb, data []byte, env x12write.Envelope) (map[string]sent, []string) {
	t.Helper()
	got := map[string]sent{}
	var controls []string
	for tr, err := range x12.NewReader(bytes.NewReader(data)).Transactions() {
		require.NoError(t, err)
		require.Equal(t, "276", tr.Code)
		require.Equal(t, x276.Version, tr.ImplementationRef)
		require.Equal(t, x276.FunctionalID, tr.Group.FunctionalID)
		require.Equal(t, strconv.FormatInt(env.GroupControl, 10), tr.Group.ControlNumber)
		require.Equal(t, strconv.FormatInt(env.InterchangeControl, 10), strings.TrimLeft(tr.Interchange.ControlNumber, "0"))
		require.Len(t, tr.Interchange.ControlNumber, 9)
		require.Equal(t, strconv.Itoa(len(controls)+1), strings.TrimLeft(tr.ControlNumber, "0"))
		controls = append(controls, tr.ControlNumber)
		readSet(t, tr, got)
	}
	return got, controls
}

func readSet(t tb, tr *x12.Transaction, got map[string]sent) {
	t.Helper()
	segs := tr.Segments
	require.Equal(t, []string{"0010", "13"}, segs[1].Elements[:2])
	parentOf := map[string]string{"21": "20", "19": "21", "22": "19", "23": "22"}
	levels := map[string]string{}
	var hls []x12.Segment
	var payerID, npi, member, last, trace string
	for _, s := range segs[2 : len(segs)-1] {
		switch s.ID {
		case "HL":
			require.Equal(t, strconv.Itoa(len(hls)+1), s.Element(1))
			level := s.Element(3)
			if level != "20" {
				require.Equal(t, parentOf[level], levels[s.Element(2)], "HL %s under the right level", s.Element(1))
			}
			levels[s.Element(1)] = level
			hls = append(hls, s)
			trace = ""
		case "NM1":
			switch s.Element(1) {
			case "PR":
				payerID = s.Element(9)
			case "41":
				require.Equal(t, "46", s.Element(8))
			case "1P":
				require.Equal(t, "XX", s.Element(8))
				npi = s.Element(9)
			case "IL":
				require.Equal(t, "MI", s.Element(8))
				member, last = s.Element(9), s.Element(3)
			case "QC":
				require.LessOrEqual(t, len(s.Elements), 4, "a dependent has no member ID")
				last = s.Element(3)
			}
		case "TRN":
			require.Len(t, s.Elements, 2)
			trace = s.Element(2)
			_, dup := got[trace]
			require.False(t, dup, "each trace number once")
			got[trace] = sent{set: tr.ControlNumber, payerID: payerID, npi: npi, member: member,
				level: hls[len(hls)-1].Element(3), last: last}
		case "DMG":
			require.NotEqual(t, "1", hls[len(hls)-1].Element(4), "demographics only on the patient's level")
		case "REF", "AMT", "DTP":
			require.NotEmpty(t, trace, "%s belongs to a claim", s.ID)
			c := got[trace]
			switch s.ID + "*" + s.Element(1) {
			case "REF*1K":
				c.payerClaim = s.Element(2)
			case "REF*EJ":
				c.claimID = s.Element(2)
			case "AMT*T3":
				c.amount = s.Element(2)
			case "DTP*472":
				c.period = s.Element(2) + " " + s.Element(3)
			}
			got[trace] = c
		}
	}
	for i, h := range hls {
		if h.Element(3) == "23" {
			require.Len(t, h.Elements, 3, "no HL04 on the dependent level")
			continue
		}
		want := "0"
		for _, later := range hls[i+1:] {
			if later.Element(2) == h.Element(1) {
				want = "1"
			}
		}
		require.Equal(t, want, h.Element(4), "HL %s child code", h.Element(1))
	}
}

func TestWriteMatchesHandWrittenBatch(t *testing.T) {
	t.Parallel()
	want, err := os.ReadFile(filepath.Join("testdata", "batch.edi"))
	require.NoError(t, err)
	var buf bytes.Buffer
	written, err := x276.Write(&buf, testBatch())
	require.NoError(t, err)
	require.Equal(t, string(want), buf.String())
	require.Equal(t, x270.Written{Sets: 2, Requests: 3, Bytes: int64(len(want)), SetControls: []string{"0001", "0002"}}, written)

	got, controls := readBack(t, buf.Bytes(), testBatch().Envelope)
	require.Equal(t, []string{"0001", "0002"}, controls)
	require.Equal(t, map[string]sent{
		"BSD-10001": {set: "0001", payerID: "62308", npi: "1234567893", member: "SDB900112", level: "22", last: "RIVERA",
			claimID: "BSD-10001", payerClaim: "2024074000101", amount: "245", period: "D8 20240301"},
		"BSD-10050": {set: "0001", payerID: "62308", npi: "1234567893", member: "SDB771230", level: "23", last: "NGUYEN",
			claimID: "BSD-10050", amount: "860", period: "RD8 20240311-20240312"},
		"BSD-10077": {set: "0002", payerID: "LKM01", npi: "1234567893", member: "LM5521907", level: "22", last: "OKAFOR",
			claimID: "BSD-10077", amount: "1200.5", period: "D8 20240227"},
	}, got)
}

// TestAnswerFindsItsClaims reads the 277 a payer sends back to
// testdata/batch.edi, written by hand from the 005010X212 guide's layout,
// and checks that pkg/x12/x277 ties every answer to the claim that asked:
// its TRN*2 echoes the 276's TRN02, which is the office's claim ID.
func TestAnswerFindsItsClaims(t *testing.T) {
	t.Parallel()
	b := testBatch()
	var buf bytes.Buffer
	_, err := x276.Write(&buf, b)
	require.NoError(t, err)
	asked, _ := readBack(t, buf.Bytes(), b.Envelope)

	answer, err := os.ReadFile(filepath.Join("testdata", "277-answer.edi"))
	require.NoError(t, err)
	var claims []x277.ClaimStatus
	for tr, err := range x12.NewReader(bytes.NewReader(answer)).Transactions() {
		require.NoError(t, err)
		rep, err := x277.Decode(tr)
		require.NoError(t, err)
		claims = append(claims, rep.Claims...)
	}
	require.Len(t, claims, len(b.Requests))
	for i, r := range b.Requests {
		c := claims[i]
		require.Equal(t, r.Claim.ClaimID, c.PatientControlNumber, "claim %d", i)
		_, ok := asked[c.PatientControlNumber]
		require.True(t, ok, "the answer's TRN*2 is a trace number the request sent")
		require.Equal(t, r.Subscriber.MemberID, c.MemberID)
		require.Equal(t, r.Provider.NPI, c.ProviderNPI)
		require.Equal(t, r.Claim.ChargeCents, c.BilledCents)
		require.True(t, r.Claim.From.Equal(c.ServiceFrom))
		to := r.Claim.To
		if to.IsZero() {
			to = r.Claim.From
		}
		require.True(t, to.Equal(c.ServiceTo))
	}
	require.Equal(t, "2024074000101", claims[0].PayerClaimControlNumber)
	require.Equal(t, codes.Finalized, claims[0].Class())
	require.Equal(t, int64(24500), claims[0].PaidCents)
	require.Equal(t, "THOMAS", claims[1].PatientFirstName, "the dependent's claim names the dependent")
	require.Equal(t, codes.Pending, claims[1].Class())
	require.Equal(t, "A4", claims[2].Statuses[0].Category)
}

func TestEnvelopeDefaultsAndMismatch(t *testing.T) {
	t.Parallel()
	b := testBatch()
	b.Envelope.FunctionalID = "HS"
	var buf bytes.Buffer
	_, err := x276.Write(&buf, b)
	require.ErrorContains(t, err, "this transaction set goes in \"HR\"")
	require.Zero(t, buf.Len())

	b = testBatch()
	b.Envelope.FunctionalID, b.Envelope.Version = "HR", "005010X212"
	var explicit, defaulted bytes.Buffer
	_, err = x276.Write(&explicit, b)
	require.NoError(t, err)
	_, err = x276.Write(&defaulted, testBatch())
	require.NoError(t, err)
	require.Equal(t, defaulted.String(), explicit.String())
}

func TestBatchLevelErrors(t *testing.T) {
	t.Parallel()
	b := testBatch()
	b.Receiver.ID = ""
	var buf bytes.Buffer
	_, err := x276.Write(&buf, b)
	require.EqualError(t, err, "x276: information receiver ID is empty")
	b = testBatch()
	b.Receiver.Name = "BACKDESK~BILLING"
	_, err = x276.Write(&buf, b)
	require.ErrorContains(t, err, "information receiver name contains the segment terminator")
	b = testBatch()
	b.Requests = nil
	_, err = x276.Write(&buf, b)
	require.ErrorContains(t, err, "no requests")
	require.Zero(t, buf.Len())
}

func TestBadRequestsAreRefused(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		edit    func(*x276.Request)
		field   string
		problem string
	}{
		{"no payer ID", func(r *x276.Request) { r.Payer.ID = "" }, "payer ID", "is empty"},
		{"bad NPI", func(r *x276.Request) { r.Provider.NPI = "1234567890" }, "provider NPI", "check digit"},
		{"no member ID", func(r *x276.Request) { r.Subscriber.MemberID = " " }, "subscriber member ID", "is empty"},
		{"no last name", func(r *x276.Request) { r.Subscriber.Last = "" }, "subscriber last name", "is empty"},
		{"dependent without birth date", func(r *x276.Request) { r.Patient.BirthDate = time.Time{} }, "patient birth date", "is not set"},
		{"dependent name with separator", func(r *x276.Request) { r.Patient.Last = "NGUYEN^TRAN" }, "patient last name", "repetition separator"},
		{"no claim ID", func(r *x276.Request) { r.Claim.ClaimID = "" }, "claim ID", "is empty"},
		{"long claim ID", func(r *x276.Request) { r.Claim.ClaimID = strings.Repeat("9", 51) }, "claim ID", "more than 50"},
		{"trace with control character", func(r *x276.Request) { r.Claim.TraceNumber = "BSD\t10050" }, "trace number", "control character"},
		{"payer claim number", func(r *x276.Request) { r.Claim.PayerClaimNumber = "2024*07" }, "payer claim number", "element separator"},
		{"negative charge", func(r *x276.Request) { r.Claim.ChargeCents = -1 }, "claim charge", "is negative"},
		{"no service date", func(r *x276.Request) { r.Claim.From = time.Time{} }, "claim service date", "is not set"},
		{"service date year", func(r *x276.Request) { r.Claim.From = day(20240, 3, 11) }, "claim service date", "four-digit year"},
		{"range backwards", func(r *x276.Request) { r.Claim.To = day(2024, 3, 10) }, "claim last service date", "before the first"},
		{"range end year", func(r *x276.Request) { r.Claim.To = day(999, 3, 10) }, "claim last service date", "four-digit year"},
		{"repeated trace", func(r *x276.Request) { r.Claim.ClaimID, r.Claim.TraceNumber = "X", "BSD-10001" }, "trace number", "same as request 0's"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := testBatch()
			c.edit(&b.Requests[1])
			var buf bytes.Buffer
			written, err := x276.Write(&buf, b)
			var re *x270.RequestError
			require.ErrorAs(t, err, &re)
			require.Equal(t, x270.RequestError{Index: 1, Field: c.field, Problem: re.Problem}, *re)
			require.Contains(t, re.Problem, c.problem)
			require.True(t, strings.HasPrefix(err.Error(), "x276: request 1: "+c.field+" "), err.Error())
			for _, secret := range []string{"NGUYEN", "SDB771230", "THOMAS", "BSD", "2024*07"} {
				require.NotContains(t, err.Error(), secret)
			}
			require.Zero(t, buf.Len())
			require.Zero(t, written)
		})
	}
}

func TestGenderOutsideTheGuideIsLeftOut(t *testing.T) {
	t.Parallel()
	b := testBatch()
	b.Requests = b.Requests[:1]
	b.Requests[0].Subscriber.Gender = "U"
	var buf bytes.Buffer
	_, err := x276.Write(&buf, b)
	require.NoError(t, err)
	require.Contains(t, buf.String(), "\nDMG*D8*19850412~\n")
}
