package demohouse_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/clearinghouse/demohouse"
	"github.com/backdesk/backdesk/pkg/x12"
	"github.com/backdesk/backdesk/pkg/x12/x12write"
	"github.com/backdesk/backdesk/pkg/x12/x270"
	"github.com/backdesk/backdesk/pkg/x12/x271"
	"github.com/backdesk/backdesk/pkg/x12/x999"
	"github.com/stretchr/testify/require"
)

// now is when the demo clearinghouse answers in these tests: Monday
// 2026-12-07, 9:30.
var now = time.Date(2026, 12, 7, 9, 30, 0, 0, time.UTC)

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

// answers decodes a file of 271s into its answers by trace number, and
// fails the test unless every answer has exactly one trace.
func answers(t *testing.T, body []byte) map[string]x271.Answer {
	t.Helper()
	out := map[string]x271.Answer{}
	for tr, err := range x12.NewReader(bytes.NewReader(body)).Transactions() {
		require.NoError(t, err)
		r, err := x271.Decode(tr)
		require.NoError(t, err)
		for _, a := range r.Answers {
			require.Len(t, a.TraceNumbers, 1)
			_, twice := out[a.TraceNumbers[0]]
			require.False(t, twice, "trace %s answered twice", a.TraceNumbers[0])
			out[a.TraceNumbers[0]] = a
		}
	}
	return out
}

// visit is what the office planned for the visit a request asked about.
type visit struct {
	planned []string
	day     time.Time
}

// The visits of testdata/270-batch.edi, whose EQ segments ask about the
// service types of these procedures.
var batchVisits = map[string]visit{
	"BD0001": {[]string{"D0120", "D1110"}, time.Date(2026, 12, 9, 0, 0, 0, 0, time.UTC)},
	"BD0002": {[]string{"D2740"}, time.Date(2026, 12, 9, 0, 0, 0, 0, time.UTC)},
	"BD0003": {[]string{"D0120", "D1120"}, time.Date(2026, 12, 10, 0, 0, 0, 0, time.UTC)},
	"BD0004": {[]string{"D4910"}, time.Date(2026, 12, 10, 0, 0, 0, 0, time.UTC)},
	"BD0005": {[]string{"D0150"}, time.Date(2026, 12, 10, 0, 0, 0, 0, time.UTC)},
	"BD0006": {[]string{"D2391"}, time.Date(2026, 12, 11, 0, 0, 0, 0, time.UTC)},
}

// The batch of six is answered in full: a 999 accepting both sets of the
// group its AK1 names, and a 271 answer per request under its trace, of
// which three are clear and three need a person, each for its own reason.
func TestABatchIsAcknowledgedAndEveryRequestAnswered(t *testing.T) {
	t.Parallel()
	ack, answer, err := demohouse.Answer270(readFile(t, "270-batch.edi"), now)
	require.NoError(t, err)

	acks, err := x999.Read(bytes.NewReader(ack))
	require.NoError(t, err)
	require.Empty(t, acks.Rejected())
	require.Len(t, acks.Groups, 1)
	g := acks.Groups[0]
	require.Equal(t, "HS", g.FunctionalID)
	require.Equal(t, "42", g.Control, "AK1 names the batch's GS06")
	require.Equal(t, 2, g.Received)
	require.Equal(t, 2, g.Accepted)
	require.Equal(t, []string{"0001", "0002"}, []string{g.Sets[0].Control, g.Sets[1].Control})

	got := answers(t, answer)
	require.Len(t, got, len(batchVisits), "one answer per request, under its trace")
	problems := map[string][]string{}
	for trace, v := range batchVisits {
		a, ok := got[trace]
		require.True(t, ok, "no answer to %s", trace)
		problems[trace] = a.Summary().Problems(v.planned, v.day)
	}
	require.Equal(t, []string{"Coverage inactive", "Plan ends 2026-11-30, before the visit"}, problems["BD0001"])
	require.Len(t, problems["BD0003"], 1)
	require.Contains(t, problems["BD0003"][0], "2 of 2 cleanings used this year", "the dependent asked about preventive care")
	require.Equal(t, []string{"Coverage not confirmed: the payer sent no coverage status",
		"Rejected at the subscriber level: Member ID missing or not valid (AAA 72); Correct the request and send it again"}, problems["BD0004"])
	for _, clear := range []string{"BD0002", "BD0005", "BD0006"} {
		require.Empty(t, problems[clear], clear)
	}

	dependent := got["BD0003"]
	require.True(t, dependent.Dependent)
	require.Equal(t, "M1003", dependent.MemberID, "the dependent is answered under the subscriber's member id")
	require.Equal(t, "ELI", dependent.FirstName)

	s := got["BD0002"].Summary()
	require.Equal(t, x271.Active, s.Coverage)
	require.NotEmpty(t, s.Plan)
	require.True(t, s.Deductible.Known && s.DeductibleRemaining.Known)
	require.True(t, s.AnnualMax.Known && s.AnnualMaxRemaining.Known)
	require.Positive(t, s.AnnualMaxRemaining.Cents)
	require.LessOrEqual(t, s.AnnualMaxRemaining.Cents, s.AnnualMax.Cents)
	var shares []string
	for _, c := range s.Coinsurance {
		shares = append(shares, strings.Join(c.ServiceTypes, "^")+" "+c.PatientPays.String())
	}
	require.Equal(t, []string{"23^41 0%", "25 20%", "36 50%"}, shares)
	require.Equal(t, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), s.PlanBegin)
	require.Equal(t, now.Truncate(24*time.Hour), s.AsOf)
}

// request is one subscriber's eligibility question, as Backdesk asks it.
func request(i int, types ...string) x270.Request {
	return x270.Request{
		TraceNumber: fmt.Sprintf("TR%04d", i),
		Payer:       x270.Party{Name: "DELTA DENTAL OF TEXAS", ID: "DDTX1"},
		Provider:    x270.Provider{Name: "LAKESIDE FAMILY DENTAL", NPI: "1962500017"},
		Subscriber: x270.Person{First: "PAT", Last: fmt.Sprintf("DEMO%d", i), MemberID: fmt.Sprintf("SUB%07d", 4001+i*7919),
			BirthDate: time.Date(1980, 1, 1+i, 0, 0, 0, 0, time.UTC)},
		ServiceDate:  time.Date(2026, 12, 9, 0, 0, 0, 0, time.UTC),
		ServiceTypes: types,
	}
}

// batch270 writes requests as Backdesk does.
func batch270(t *testing.T, group int64, requests ...x270.Request) []byte {
	t.Helper()
	var buf bytes.Buffer
	_, err := x270.Write(&buf, x270.Batch{
		Envelope: x12write.Envelope{SenderQualifier: "ZZ", SenderID: "BACKDESK", ReceiverQualifier: "ZZ", ReceiverID: "DEMOHOUSE",
			InterchangeControl: 7, GroupControl: group, AckRequested: true, At: now.Add(-time.Hour)},
		TraceOriginator: "9BACKDESK0",
		Requests:        requests,
	})
	require.NoError(t, err)
	return buf.Bytes()
}

// outcome names what an answer says, in a word.
func outcome(a x271.Answer) string {
	s := a.Summary()
	switch {
	case len(s.Rejections) > 0:
		return "unknown member"
	case s.Coverage == x271.Inactive:
		return "inactive"
	}
	for _, f := range s.Frequencies {
		if f.UsedUp() {
			return "cleanings used"
		}
	}
	return "clear"
}

func outcomes(t *testing.T, answer []byte) map[string]string {
	t.Helper()
	out := map[string]string{}
	for trace, a := range answers(t, answer) {
		out[trace] = outcome(a)
	}
	return out
}

func count(m map[string]string, v string) int {
	n := 0
	for _, o := range m {
		if o == v {
			n++
		}
	}
	return n
}

// However many requests a batch holds, at least two stay clear (or all,
// when fewer), and each answer that needs a person comes at most once;
// cleanings are used up only for a request about preventive care.
func TestABatchKeepsTwoClearAnswers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		n          int
		preventive bool
		want       map[string]int
	}{
		{1, true, map[string]int{"clear": 1}},
		{2, true, map[string]int{"clear": 2}},
		{3, true, map[string]int{"clear": 2, "cleanings used": 1}},
		{4, true, map[string]int{"clear": 2, "cleanings used": 1, "inactive": 1}},
		{5, true, map[string]int{"clear": 2, "cleanings used": 1, "inactive": 1, "unknown member": 1}},
		{12, true, map[string]int{"clear": 9, "cleanings used": 1, "inactive": 1, "unknown member": 1}},
		{3, false, map[string]int{"clear": 2, "inactive": 1}},
		{5, false, map[string]int{"clear": 3, "inactive": 1, "unknown member": 1}},
	} {
		t.Run(fmt.Sprintf("%d preventive=%v", tc.n, tc.preventive), func(t *testing.T) {
			t.Parallel()
			types := []string{"35", "36"}
			if tc.preventive {
				types = []string{"35", "23", "41"}
			}
			var reqs []x270.Request
			for i := range tc.n {
				reqs = append(reqs, request(i, types...))
			}
			_, answer, err := demohouse.Answer270(batch270(t, 7, reqs...), now)
			require.NoError(t, err)
			got := outcomes(t, answer)
			require.Len(t, got, tc.n)
			for _, v := range []string{"clear", "cleanings used", "inactive", "unknown member"} {
				require.Equal(t, tc.want[v], count(got, v), "%s in %v", v, got)
			}
		})
	}
}

// The same batch gets the same bytes every time, and who gets which
// answer does not depend on the order of the requests in the batch.
func TestAnswersAreTheSameEveryTime(t *testing.T) {
	t.Parallel()
	var reqs []x270.Request
	for i := range 7 {
		reqs = append(reqs, request(i, "35", "23", "41"))
	}
	body := batch270(t, 7, reqs...)
	ack1, ans1, err := demohouse.Answer270(body, now)
	require.NoError(t, err)
	ack2, ans2, err := demohouse.Answer270(body, now)
	require.NoError(t, err)
	require.Equal(t, ack1, ack2)
	require.Equal(t, ans1, ans2)

	reversed := slices.Clone(reqs)
	slices.Reverse(reversed)
	_, ans3, err := demohouse.Answer270(batch270(t, 7, reversed...), now)
	require.NoError(t, err)
	require.Equal(t, outcomes(t, ans1), outcomes(t, ans3))
}

// The 999 names the batch's group by GS06, whatever its ISA13, and the
// answers go back from the batch's receiver to its sender.
func TestTheAnswersTurnTheEnvelopeRound(t *testing.T) {
	t.Parallel()
	ack, answer, err := demohouse.Answer270(batch270(t, 31, request(1, "35")), now)
	require.NoError(t, err)
	acks, err := x999.Read(bytes.NewReader(ack))
	require.NoError(t, err)
	require.Equal(t, "31", acks.Groups[0].Control)
	for _, f := range [][]byte{ack, answer} {
		tr, err := x12.NewReader(bytes.NewReader(f)).NextTransaction()
		require.NoError(t, err)
		require.Equal(t, "DEMOHOUSE", tr.Interchange.SenderID)
		require.Equal(t, "BACKDESK", tr.Interchange.ReceiverID)
		require.Equal(t, "T", tr.Interchange.Usage, "a test batch is answered in test")
		require.NotEqual(t, "000000007", tr.Interchange.ControlNumber, "the clearinghouse numbers its own interchanges")
	}
}

// A batch that cannot be read is refused with where and what, never
// with the patient data in it.
func TestUnreadableBatchesAreRefused(t *testing.T) {
	t.Parallel()
	good := string(readFile(t, "270-batch.edi"))
	for _, tc := range []struct {
		name string
		body string
		want string
	}{
		{"not X12", "Dear clearinghouse, is Maya Okafor (M1001) covered?", "ISA"},
		{"empty", "", "ISA"},
		{"a 276", string(readFile(t, "276-batch.edi")), "transaction set 276 is not a 270"},
		{"a trace without its number", strings.Replace(good, "TRN*1*BD0002*9BACKDESK0~", "TRN*1**9BACKDESK0~", 1), "segment 16 (TRN) element 2"},
		{"a date of service that is no date", strings.Replace(good, "DTP*291*D8*20261209~", "DTP*291*D8*20261332~", 1), "segment 13 (DTP) element 3"},
		{"a question above any provider", strings.Replace(good, "HL*2*1*21*1~", "HL*2*1*99*1~", 1), "no provider level"},
		{"nothing asked", strings.ReplaceAll(good, "TRN*1*", "TRN*3*"), "asks nothing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := demohouse.Answer270([]byte(tc.body), now)
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.want)
			for _, phi := range []string{"OKAFOR", "Okafor", "M1001", "NAVARRO", "19800102"} {
				require.NotContains(t, err.Error(), phi)
			}
		})
	}
}

// A request without a member id cannot be answered with benefits: the
// payer does not know whom it is about.
func TestARequestWithoutAMemberIDIsUnknown(t *testing.T) {
	t.Parallel()
	body := strings.Replace(string(readFile(t, "270-batch.edi")), "NM1*IL*1*HADDAD*OMAR****MI*M2002~", "NM1*IL*1*HADDAD*OMAR~", 1)
	_, answer, err := demohouse.Answer270([]byte(body), now)
	require.NoError(t, err)
	require.Equal(t, "unknown member", outcomes(t, answer)["BD0005"])
}
