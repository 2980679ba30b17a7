package x270_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/x12/x270"
	"github.com/stretchr/testify/require"
)

func TestWriteMatchesHandWrittenBatch(t *testing.T) {
	t.Parallel()
	want, err := os.ReadFile(filepath.Join("testdata", "batch.edi"))
	require.NoError(t, err)
	var buf bytes.Buffer
	written, err := x270.Write(&buf, testBatch())
	require.NoError(t, err)
	require.Equal(t, string(want), buf.String())
	require.Equal(t, x270.Written{Sets: 2, Requests: 4, Bytes: int64(len(want)), SetControls: []string{"0001", "0002"}}, written)
}

func TestWrittenBatchReadsBack(t *testing.T) {
	t.Parallel()
	b := testBatch()
	var buf bytes.Buffer
	_, err := x270.Write(&buf, b)
	require.NoError(t, err)
	got, controls := readBack(t, buf.Bytes(), b.Envelope)
	require.Equal(t, []string{"0001", "0002"}, controls)
	require.Equal(t, map[string]asked{
		"WI-000417": {set: "0001", payerID: "62308", npi: "1234567893", originator: "1999999999", level: "22",
			member: "SDB900112", last: "RIVERA", types: []string{"35", "23", "41"}, date: "20240320"},
		"WI-000418": {set: "0002", payerID: "LKM01", npi: "1234567893", originator: "1999999999", level: "22",
			member: "LM5521907", last: "OKAFOR", types: []string{"35"}},
		"WI-000420": {set: "0001", payerID: "62308", npi: "1234567893", originator: "1999999999", level: "23",
			member: "SDB771230", last: "NGUYEN", types: []string{"35", "36", "38"}, date: "20240321"},
		"WI-000421": {set: "0001", payerID: "62308", npi: "1672390451", originator: "1999999999", level: "22",
			member: "SDB456001", last: "LOPEZ", types: []string{"35", "40"}, date: "20240322"},
	}, got)
}

func TestEnvelopeDefaultsAndMismatch(t *testing.T) {
	t.Parallel()
	b := testBatch()
	b.Envelope.FunctionalID, b.Envelope.Version = "HS", "005010X279A1"
	var explicit, defaulted bytes.Buffer
	_, err := x270.Write(&explicit, b)
	require.NoError(t, err)
	_, err = x270.Write(&defaulted, testBatch())
	require.NoError(t, err)
	require.Equal(t, defaulted.String(), explicit.String())

	for _, edit := range []func(*x270.Batch){
		func(b *x270.Batch) { b.Envelope.FunctionalID = "HR" },
		func(b *x270.Batch) { b.Envelope.Version = "004010X092A1" },
	} {
		b := testBatch()
		edit(&b)
		var buf bytes.Buffer
		_, err := x270.Write(&buf, b)
		require.ErrorContains(t, err, "this transaction set goes in")
		require.Zero(t, buf.Len())
	}

	b = testBatch()
	b.Envelope.SenderID = ""
	_, err = x270.Write(&bytes.Buffer{}, b)
	require.ErrorContains(t, err, "ISA06")
}

func TestBatchLevelErrors(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, originator, want string
	}{
		{"empty originator", "", "is empty"},
		{"short originator", "199999999", "fewer than 10"},
		{"long originator", "19999999999", "more than 10"},
		{"originator kind", "2999999999", "must start with 1"},
		{"originator separator", "1999*99999", "element separator"},
	} {
		b := testBatch()
		b.TraceOriginator = c.originator
		var buf bytes.Buffer
		_, err := x270.Write(&buf, b)
		require.ErrorContains(t, err, "TRN03", c.name)
		require.ErrorContains(t, err, c.want, c.name)
		require.Zero(t, buf.Len())
	}
	b := testBatch()
	b.Requests = nil
	_, err := x270.Write(&bytes.Buffer{}, b)
	require.ErrorContains(t, err, "no requests")
}

func TestBadRequestsAreRefused(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		edit    func(*x270.Request)
		field   string
		problem string
	}{
		{"no trace number", func(r *x270.Request) { r.TraceNumber = " " }, "trace number", "is empty"},
		{"long trace number", func(r *x270.Request) { r.TraceNumber = strings.Repeat("7", 51) }, "trace number", "more than 50"},
		{"no payer ID", func(r *x270.Request) { r.Payer.ID = "" }, "payer ID", "is empty"},
		{"no payer name", func(r *x270.Request) { r.Payer.Name = "" }, "payer name", "is empty"},
		{"short payer ID", func(r *x270.Request) { r.Payer.ID = "6" }, "payer ID", "fewer than 2"},
		{"no NPI", func(r *x270.Request) { r.Provider.NPI = "" }, "provider NPI", "check digit"},
		{"NPI check digit", func(r *x270.Request) { r.Provider.NPI = "1234567890" }, "provider NPI", "check digit"},
		{"NPI letters", func(r *x270.Request) { r.Provider.NPI = "12345678X3" }, "provider NPI", "check digit"},
		{"no provider name", func(r *x270.Request) { r.Provider.Name = "" }, "provider name", "is empty"},
		{"no member ID", func(r *x270.Request) { r.Subscriber.MemberID = "" }, "subscriber member ID", "is empty"},
		{"no last name", func(r *x270.Request) { r.Subscriber.Last = "" }, "subscriber last name", "is empty"},
		{"long first name", func(r *x270.Request) { r.Subscriber.First = strings.Repeat("A", 36) }, "subscriber first name", "more than 35"},
		{"last name with separator", func(r *x270.Request) { r.Subscriber.Last = "RIVERA*GOMEZ" }, "subscriber last name", "element separator"},
		{"last name not ASCII", func(r *x270.Request) { r.Subscriber.Last = "PEÑA" }, "subscriber last name", "outside printable ASCII"},
		{"member ID with terminator", func(r *x270.Request) { r.Subscriber.MemberID = "SDB~900" }, "subscriber member ID", "segment terminator"},
		{"gender", func(r *x270.Request) { r.Subscriber.Gender = "X" }, "subscriber gender", "is not F, M or U"},
		{"birth year", func(r *x270.Request) { r.Subscriber.BirthDate = day(10000, 1, 1) }, "subscriber birth date", "four-digit year"},
		{"dependent without birth date", func(r *x270.Request) {
			r.Patient = &x270.Person{First: "THOMAS", Last: "NGUYEN"}
		}, "patient birth date", "is not set"},
		{"dependent without last name", func(r *x270.Request) {
			r.Patient = &x270.Person{First: "THOMAS", BirthDate: day(2012, 6, 30)}
		}, "patient last name", "is empty"},
		{"group number with component separator", func(r *x270.Request) { r.GroupNumber = "GRP:4471" }, "group number", "component separator"},
		{"service date year", func(r *x270.Request) { r.ServiceDate = day(999, 1, 1) }, "service date", "four-digit year"},
		{"service type lower case", func(r *x270.Request) { r.ServiceTypes = []string{"35", "a1"} }, "service type 2", "upper-case"},
		{"service type too long", func(r *x270.Request) { r.ServiceTypes = []string{"350"} }, "service type 1", "1 or 2"},
		{"service type empty", func(r *x270.Request) { r.ServiceTypes = []string{""} }, "service type 1", "1 or 2"},
		{"too many service types", func(r *x270.Request) { r.ServiceTypes = make([]string, 100) }, "service types", "more than 99"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := testBatch()
			c.edit(&b.Requests[2])
			var buf bytes.Buffer
			written, err := x270.Write(&buf, b)
			var re *x270.RequestError
			require.ErrorAs(t, err, &re)
			require.Equal(t, x270.RequestError{Index: 2, Field: c.field, Problem: re.Problem}, *re)
			require.Contains(t, re.Problem, c.problem)
			require.True(t, strings.HasPrefix(err.Error(), "x270: request 2: "+c.field+" "), err.Error())
			for _, secret := range []string{"NGUYEN", "SDB771230", "RIVERA", "PEÑA", "THOMAS", "GRP"} {
				require.NotContains(t, err.Error(), secret)
			}
			require.Zero(t, buf.Len(), "nothing is written for a bad batch")
			require.Zero(t, written)
		})
	}
}

func TestRepeatedTraceNumberIsRefused(t *testing.T) {
	t.Parallel()
	b := testBatch()
	b.Requests[3].TraceNumber = " WI-000418 "
	_, err := x270.Write(&bytes.Buffer{}, b)
	var re *x270.RequestError
	require.ErrorAs(t, err, &re)
	require.Equal(t, x270.RequestError{Index: 3, Field: "trace number", Problem: "is the same as request 1's"}, *re)
}

func TestSpacesAreTrimmedAndServiceTypesDefault(t *testing.T) {
	t.Parallel()
	b := testBatch()
	b.Requests = b.Requests[1:2]
	r := &b.Requests[0]
	r.Subscriber.Last, r.Subscriber.First, r.Subscriber.MemberID = " OKAFOR ", "DAVID  ", " LM5521907"
	r.Payer.Name = "LAKESHORE MUTUAL "
	r.ServiceTypes = []string{"35", "23", "35", "23"}
	var buf bytes.Buffer
	_, err := x270.Write(&buf, b)
	require.NoError(t, err)
	require.Contains(t, buf.String(), "\nNM1*IL*1*OKAFOR*DAVID****MI*LM5521907~\n")
	require.Contains(t, buf.String(), "\nNM1*PR*2*LAKESHORE MUTUAL*****PI*LKM01~\n")
	require.Contains(t, buf.String(), "\nEQ*35^23~\n", "repeated service types are asked once")
}

func TestGroupKeepsFirstAppearanceOrder(t *testing.T) {
	t.Parallel()
	reqs := []x270.Request{
		{Payer: lakeshore, Provider: lakeview},
		{Payer: summit, Provider: bright},
		{Payer: lakeshore, Provider: bright},
		{Payer: summit, Provider: bright},
		{Payer: lakeshore, Provider: lakeview},
	}
	sets := x270.Group(reqs, func(r x270.Request) (x270.Party, x270.Provider) { return r.Payer, r.Provider })
	require.Equal(t, []x270.PayerSet{
		{Payer: lakeshore, Providers: []x270.ProviderRequests{{Provider: lakeview, Requests: []int{0, 4}}, {Provider: bright, Requests: []int{2}}}},
		{Payer: summit, Providers: []x270.ProviderRequests{{Provider: bright, Requests: []int{1, 3}}}},
	}, sets)
}

func TestValidNPI(t *testing.T) {
	t.Parallel()
	for _, good := range []string{"1234567893", "1672390451", "1456789027", "1987654328"} {
		require.True(t, x270.ValidNPI(good), good)
	}
	for _, bad := range []string{"", "123456789", "12345678931", "1234567890", "1234567894", "123456789O", "-234567893"} {
		require.False(t, x270.ValidNPI(bad), bad)
	}
}

// failAfter accepts n bytes, then fails every write.
type failAfter struct{ n int }

var errDisk = errors.New("disk full")

func (f *failAfter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		n := f.n
		f.n = 0
		return n, errDisk
	}
	f.n -= len(p)
	return len(p), nil
}

func TestWriteErrorStopsTheBatch(t *testing.T) {
	t.Parallel()
	b := bigBatch(3000, time.Date(2024, 3, 18, 9, 5, 0, 0, time.UTC))
	written, err := x270.Write(&failAfter{n: 200 << 10}, b)
	require.ErrorIs(t, err, errDisk)
	require.Less(t, written.Sets, benchPayers, "the writing stopped early")
	require.Len(t, written.SetControls, written.Sets)
	require.Greater(t, written.Bytes, int64(200<<10))
}
