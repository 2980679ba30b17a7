package x12write_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/x12"
	"github.com/backdesk/backdesk/pkg/x12/x12write"
	"github.com/stretchr/testify/require"
)

func testEnvelope() x12write.Envelope {
	return x12write.Envelope{
		SenderQualifier:    "ZZ",
		SenderID:           "BACKDESK",
		ReceiverQualifier:  "ZZ",
		ReceiverID:         "CLEARHOUSE01",
		FunctionalID:       "HS",
		Version:            "005010X279A1",
		InterchangeControl: 1201,
		GroupControl:       1201,
		AckRequested:       true,
		At:                 time.Date(2024, 3, 18, 9, 5, 0, 0, time.UTC),
	}
}

// readAll reads every segment of data, failing the test on any error the
// reader finds, envelope counts and control numbers included.
func readAll(t *testing.T, data []byte) []x12.Segment {
	t.Helper()
	r := x12.NewReader(bytes.NewReader(data))
	var out []x12.Segment
	for {
		seg, err := r.Next()
		if err == io.EOF {
			return out
		}
		require.NoError(t, err)
		out = append(out, seg)
	}
}

// writeTwoSets writes, through the Writer, the interchange of
// testdata/two-sets.edi.
func writeTwoSets(w io.Writer) (*x12write.Writer, error) {
	ww, err := x12write.NewWriter(w, testEnvelope())
	if err != nil {
		return nil, err
	}
	steps := []func() error{
		func() error { return ww.Begin("270", "0001") },
		func() error { return ww.Segment("BHT", "0022", "13", "000001201-0001", "20240318", "0905", "") },
		func() error { return ww.Segment("HL", "1", "", "20", "1") },
		func() error {
			return ww.Segment("NM1", "PR", "2", "SUMMIT DENTAL BENEFITS", "", "", "", "", "PI", "62308")
		},
		func() error { return ww.Segment("HL", "2", "1", "21", "1") },
		func() error {
			return ww.Segment("NM1", "1P", "2", "BRIGHT SMILES DENTAL GROUP", "", "", "", "", "XX", "1234567893", "", "", "")
		},
		func() error { return ww.Segment("HL", "3", "2", "22", "0") },
		func() error { return ww.Segment("TRN", "1", "WI-000417", "1999999999") },
		func() error { return ww.Segment("NM1", "IL", "1", "RIVERA", "ANA", "", "", "", "MI", "SDB900112") },
		func() error { return ww.Segment("DMG", "D8", "19850412", "F") },
		func() error { return ww.Segment("DTP", "291", "D8", "20240320") },
		func() error { return ww.Segment("EQ", x12write.Repeat("35", "23", "", "41")) },
		ww.End,
		func() error { return ww.Begin("270", "0002") },
		func() error { return ww.Segment("BHT", "0022", "13", "000001201-0002", "20240318", "0905") },
		func() error { return ww.Segment("HL", "1", "", "20", "1") },
		func() error { return ww.Segment("NM1", "PR", "2", "LAKESHORE MUTUAL", "", "", "", "", "PI", "LKM01") },
		func() error { return ww.Segment("HL", "2", "1", "21", "1") },
		func() error {
			return ww.Segment("NM1", "1P", "2", "BRIGHT SMILES DENTAL GROUP", "", "", "", "", "XX", "1234567893")
		},
		func() error { return ww.Segment("HL", "3", "2", "22", "0") },
		func() error { return ww.Segment("TRN", "1", "WI-000418", "1999999999") },
		func() error { return ww.Segment("NM1", "IL", "1", "OKAFOR", "DAVID", "", "", "", "MI", "LM5521907") },
		func() error { return ww.Segment("EQ", "", x12write.Composite("AD", "D2740", "", ""), "", "") },
		ww.End,
		ww.Close,
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return ww, err
		}
	}
	return ww, nil
}

func TestWriterMatchesHandWrittenFile(t *testing.T) {
	t.Parallel()
	want, err := os.ReadFile(filepath.Join("testdata", "two-sets.edi"))
	require.NoError(t, err)
	var buf bytes.Buffer
	ww, err := writeTwoSets(&buf)
	require.NoError(t, err)
	require.Equal(t, string(want), buf.String())
	require.Equal(t, int64(len(want)), ww.Bytes())
	require.Equal(t, 2, ww.Sets())
	require.Equal(t, 28, ww.Segments())
}

func TestWrittenInterchangeReadsBack(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	_, err := writeTwoSets(&buf)
	require.NoError(t, err)

	// The reader checks every count and control number as it goes; the
	// trailers are also checked here by value.
	segs := readAll(t, buf.Bytes())
	require.Len(t, segs, 28)
	isa, gs, ge, iea := segs[0], segs[1], segs[len(segs)-2], segs[len(segs)-1]
	require.Equal(t, []string{"00", "          ", "00", "          ", "ZZ", "BACKDESK       ", "ZZ", "CLEARHOUSE01   ",
		"240318", "0905", "^", "00501", "000001201", "1", "T", ":"}, isa.Elements)
	require.Equal(t, []string{"HS", "BACKDESK", "CLEARHOUSE01", "20240318", "0905", "1201", "X", "005010X279A1"}, gs.Elements)
	require.Equal(t, []string{"2", "1201"}, ge.Elements)
	require.Equal(t, []string{"1", "000001201"}, iea.Elements)

	r := x12.NewReader(bytes.NewReader(buf.Bytes()))
	var controls []string
	for tr, err := range r.Transactions() {
		require.NoError(t, err)
		controls = append(controls, tr.ControlNumber)
		require.Equal(t, "270", tr.Code)
		require.Equal(t, "005010X279A1", tr.ImplementationRef)
		require.Equal(t, "BACKDESK", tr.Interchange.SenderID)
		require.Equal(t, "CLEARHOUSE01", tr.Interchange.ReceiverID)
		require.Equal(t, "000001201", tr.Interchange.ControlNumber)
		require.Equal(t, "T", tr.Interchange.Usage)
		require.Equal(t, "1201", tr.Group.ControlNumber)
		se := tr.Segments[len(tr.Segments)-1]
		require.Equal(t, []string{strconv.Itoa(len(tr.Segments)), tr.ControlNumber}, se.Elements)
		eq := tr.Segments[len(tr.Segments)-2]
		require.Equal(t, "EQ", eq.ID)
		if tr.ControlNumber == "0001" {
			require.Equal(t, []string{"35", "23", "41"}, eq.Repetitions(1))
		} else {
			require.Equal(t, []string{"AD", "D2740"}, eq.Components(2))
		}
	}
	require.Equal(t, []string{"0001", "0002"}, controls)
}

func TestEnvelopeOptions(t *testing.T) {
	t.Parallel()
	env := testEnvelope()
	env.Production, env.AckRequested = true, false
	env.GroupSender, env.GroupReceiver = "BD0001", "CH77"
	env.InterchangeControl, env.GroupControl = 999_999_999, 7
	var buf bytes.Buffer
	w, err := x12write.NewWriter(&buf, env)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	segs := readAll(t, buf.Bytes())
	require.Len(t, segs, 4)
	require.Equal(t, "P", segs[0].Element(15))
	require.Equal(t, "0", segs[0].Element(14))
	require.Equal(t, "999999999", segs[0].Element(13))
	require.Equal(t, []string{"BD0001", "CH77"}, segs[1].Elements[1:3])
	require.Equal(t, "7", segs[1].Element(6))
	require.Equal(t, []string{"0", "7"}, segs[2].Elements)
	require.Len(t, strings.SplitN(buf.String(), "\n", 2)[0], x12.ISALen)
}

func TestEnvelopeIsChecked(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		edit  func(*x12write.Envelope)
		field string
	}{
		{"sender qualifier length", func(e *x12write.Envelope) { e.SenderQualifier = "Z" }, "ISA05"},
		{"sender ID too long", func(e *x12write.Envelope) { e.SenderID = strings.Repeat("A", 16) }, "ISA06"},
		{"sender ID empty", func(e *x12write.Envelope) { e.SenderID = "" }, "ISA06"},
		{"receiver ID with separator", func(e *x12write.Envelope) { e.ReceiverID = "CH*01" }, "ISA08"},
		{"receiver qualifier", func(e *x12write.Envelope) { e.ReceiverQualifier = "" }, "ISA07"},
		{"group sender too short", func(e *x12write.Envelope) { e.GroupSender = "B" }, "GS02"},
		{"group receiver with terminator", func(e *x12write.Envelope) { e.GroupReceiver = "CH~77" }, "GS03"},
		{"functional ID", func(e *x12write.Envelope) { e.FunctionalID = "" }, "GS01"},
		{"version", func(e *x12write.Envelope) { e.Version = "" }, "GS08"},
		{"padded sender", func(e *x12write.Envelope) { e.SenderID = " BACKDESK" }, "ISA06"},
		{"interchange control zero", func(e *x12write.Envelope) { e.InterchangeControl = 0 }, "ISA13"},
		{"interchange control too big", func(e *x12write.Envelope) { e.InterchangeControl = 1_000_000_000 }, "ISA13"},
		{"group control negative", func(e *x12write.Envelope) { e.GroupControl = -1 }, "GS06"},
		{"no time", func(e *x12write.Envelope) { e.At = time.Time{} }, "time"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			env := testEnvelope()
			c.edit(&env)
			var buf bytes.Buffer
			_, err := x12write.NewWriter(&buf, env)
			require.Error(t, err)
			require.Contains(t, err.Error(), c.field)
			require.Zero(t, buf.Len(), "nothing is written for a bad envelope")
		})
	}
}

func TestSegmentDropsTrailingEmptyElements(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		elements []string
		want     string
	}{
		{[]string{"PR", "2", "X", "", "", "", "", "PI", "1", "", ""}, "NM1*PR*2*X*****PI*1~"},
		{[]string{"", "", ""}, "NM1~"},
		{nil, "NM1~"},
		{[]string{"", "A"}, "NM1**A~"},
		{[]string{x12write.Composite("", "", "")}, "NM1~"},
		{[]string{x12write.Composite("AD", "", "D2740", "")}, "NM1*AD::D2740~"},
		{[]string{x12write.Repeat("", "")}, "NM1~"},
		{[]string{x12write.Repeat(x12write.Composite("A", "B"), "C")}, "NM1*A:B^C~"},
	} {
		got := oneSegment(t, "NM1", c.elements...)
		require.Equal(t, c.want, got, "%q", c.elements)
	}
}

// oneSegment writes one segment inside a set and returns it as written.
func oneSegment(t *testing.T, id string, elements ...string) string {
	t.Helper()
	var buf bytes.Buffer
	w, err := x12write.NewWriter(&buf, testEnvelope())
	require.NoError(t, err)
	require.NoError(t, w.Begin("270", "0001"))
	require.NoError(t, w.Segment(id, elements...))
	require.NoError(t, w.End())
	require.NoError(t, w.Close())
	lines := strings.Split(buf.String(), "\n")
	readAll(t, buf.Bytes())
	return lines[3]
}

func TestSegmentRefusesBadValues(t *testing.T) {
	t.Parallel()
	const secret = "RIVERA"
	cases := []struct {
		name      string
		elements  []string
		element   int
		component int
		problem   string
	}{
		{"element separator", []string{"IL", "1", secret + "*ANA"}, 3, 0, "element separator"},
		{"component separator", []string{"IL", "1", secret + ":ANA"}, 3, 0, "component separator"},
		{"repetition separator", []string{"IL", "1", secret + "^"}, 3, 0, "repetition separator"},
		{"segment terminator", []string{"IL", "1", secret + "~"}, 3, 0, "segment terminator"},
		{"line break", []string{"IL", "1", secret + "\n"}, 3, 0, "control character"},
		{"carriage return", []string{"IL", secret + "\r"}, 2, 0, "control character"},
		{"tab", []string{secret + "\t"}, 1, 0, "control character"},
		{"NUL", []string{"IL", "1", "", "", "", "", "", "MI", secret + "\x00"}, 9, 0, "control character"},
		{"DEL", []string{"IL", "1", secret + "\x7f"}, 3, 0, "control character"},
		{"not ASCII", []string{"IL", "1", "PE\xc3\x91A" + secret}, 3, 0, "outside printable ASCII"},
		{"bad component", []string{"IL", x12write.Composite("AD", secret+"*")}, 2, 2, "element separator"},
		{"first component", []string{"IL", x12write.Composite(secret+"~", "D2740")}, 2, 1, "segment terminator"},
		{"separator inside a component", []string{x12write.Composite("AD", secret+":X")}, 1, 2, "component separator"},
		{"mark smuggled into a component", []string{x12write.Composite("AD", secret+"\x1fX")}, 1, 2, "control character"},
		{"mark smuggled into a repetition", []string{x12write.Repeat("35", secret+"\x1eX")}, 1, 0, "control character"},
		{"repetition mark in a component", []string{x12write.Composite("AD", secret+"\x1eX")}, 1, 2, "control character"},
		{"bad repetition", []string{x12write.Repeat("35", secret+"*")}, 1, 0, "element separator"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			w, err := x12write.NewWriter(&buf, testEnvelope())
			require.NoError(t, err)
			require.NoError(t, w.Begin("270", "0001"))
			require.NoError(t, w.Segment("BHT", "0022", "13"))
			before := w.Bytes()
			err = w.Segment("NM1", c.elements...)
			var ve *x12write.ValueError
			require.ErrorAs(t, err, &ve)
			require.Equal(t, x12write.ValueError{Segment: 5, SegmentID: "NM1", Element: c.element, Component: c.component, Problem: ve.Problem}, *ve)
			require.Contains(t, ve.Problem, c.problem)
			require.NotContains(t, err.Error(), secret, "the value is never quoted")
			require.Equal(t, before, w.Bytes(), "a refused segment is not written")

			// The writer goes on: the refused segment is not counted.
			require.NoError(t, w.Segment("NM1", "IL", "1", "OK"))
			require.NoError(t, w.End())
			require.NoError(t, w.Close())
			segs := readAll(t, buf.Bytes())
			require.Equal(t, "4", segs[len(segs)-3].Element(1), "SE counts ST, BHT, NM1 and SE")
		})
	}
}

func TestProblem(t *testing.T) {
	t.Parallel()
	require.Empty(t, x12write.Problem("O'BRIEN-SMITH, JR. #2 (A&B) @x"))
	require.Empty(t, x12write.Problem(""))
	for _, bad := range []string{"A*B", "A:B", "A^B", "A~B", "A\nB", "\x01", "caf\xc3\xa9"} {
		require.NotEmpty(t, x12write.Problem(bad), "%q", bad)
	}
	require.Equal(t, "is empty", x12write.TextProblem("", 1, 5))
	require.Equal(t, "is 6 bytes, more than 5", x12write.TextProblem("ABCDEF", 1, 5))
	require.Equal(t, "is 1 bytes, fewer than 2", x12write.TextProblem("A", 2, 5))
	require.Empty(t, x12write.TextProblem("", 0, 5))
}

func TestOrderOfCallsIsChecked(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	w, err := x12write.NewWriter(&buf, testEnvelope())
	require.NoError(t, err)

	require.ErrorContains(t, w.Segment("BHT", "0022"), "outside a transaction set")
	require.ErrorContains(t, w.End(), "without an open transaction set")
	var ve *x12write.ValueError
	require.ErrorAs(t, w.Begin("27", "0001"), &ve)
	require.Equal(t, 1, ve.Element)
	require.ErrorAs(t, w.Begin("270", "001"), &ve)
	require.Equal(t, 2, ve.Element)
	require.ErrorAs(t, w.Begin("270", "0001*"), &ve)
	require.Equal(t, 2, ve.Element)

	require.NoError(t, w.Begin("270", "0001"))
	require.ErrorContains(t, w.Begin("270", "0002"), `"0001" is open`)
	for _, id := range []string{"SE", "ST", "GE", "GS", "IEA", "ISA"} {
		require.ErrorContains(t, w.Segment(id, "1"), "envelope segments", id)
	}
	for _, id := range []string{"", "N", "nm1", "NM12", "1NM", "N-1"} {
		require.ErrorContains(t, w.Segment(id, "1"), "segment identifier", "%q", id)
	}
	require.ErrorContains(t, w.Close(), `"0001" is open`)
	require.NoError(t, w.End())
	require.NoError(t, w.Close())

	require.ErrorIs(t, w.Close(), x12write.ErrClosed)
	require.ErrorIs(t, w.Begin("270", "0003"), x12write.ErrClosed)
	require.ErrorIs(t, w.Segment("BHT", "0022"), x12write.ErrClosed)
	require.ErrorIs(t, w.End(), x12write.ErrClosed)

	segs := readAll(t, buf.Bytes())
	ids := make([]string, len(segs))
	for i, s := range segs {
		ids[i] = s.ID
	}
	require.Equal(t, []string{"ISA", "GS", "ST", "SE", "GE", "IEA"}, ids)
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

func TestWriteErrorsAreReturnedAndSticky(t *testing.T) {
	t.Parallel()
	// The buffer holds the small interchange until Close flushes it.
	w, err := x12write.NewWriter(&failAfter{n: 100}, testEnvelope())
	require.NoError(t, err)
	require.NoError(t, w.Begin("270", "0001"))
	require.NoError(t, w.End())
	require.ErrorIs(t, w.Close(), errDisk)
	require.ErrorIs(t, w.Close(), x12write.ErrClosed)

	// A large set overflows the buffer, so the error comes while writing
	// segments, and every later call returns it.
	w, err = x12write.NewWriter(&failAfter{n: 1000}, testEnvelope())
	require.NoError(t, err)
	require.NoError(t, w.Begin("270", "0001"))
	long := strings.Repeat("A", 60)
	for err == nil {
		err = w.Segment("NM1", "IL", "1", long)
	}
	require.ErrorIs(t, err, errDisk)
	require.ErrorIs(t, w.Segment("NM1", "IL"), errDisk)
	require.ErrorIs(t, w.End(), errDisk)
	require.ErrorIs(t, w.Close(), errDisk)
}

func TestFormats(t *testing.T) {
	t.Parallel()
	d := time.Date(2024, 3, 1, 14, 7, 0, 0, time.UTC)
	require.Equal(t, "20240301", x12write.Date(d))
	require.Equal(t, "1407", x12write.Time(d))
	q, v := x12write.Period(d, time.Time{})
	require.Equal(t, []string{"D8", "20240301"}, []string{q, v})
	q, v = x12write.Period(d, d.Add(2*time.Hour))
	require.Equal(t, []string{"D8", "20240301"}, []string{q, v})
	q, v = x12write.Period(d, d.AddDate(0, 0, 4))
	require.Equal(t, []string{"RD8", "20240301-20240305"}, []string{q, v})

	amounts := map[int64]string{0: "0", 24500: "245", 24550: "245.5", 24555: "245.55", 5: "0.05", 50: "0.5",
		-4000: "-40", -1: "-0.01", 123456789: "1234567.89"}
	for cents, want := range amounts {
		require.Equal(t, want, x12write.Amount(cents))
		back, ok := x12.ParseCents(want)
		require.True(t, ok)
		require.Equal(t, cents, back)
	}
}
