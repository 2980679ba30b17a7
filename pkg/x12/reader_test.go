package x12_test

import (
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/backdesk/backdesk/pkg/x12"
	"github.com/stretchr/testify/require"
)

func TestReadsEverySample(t *testing.T) {
	t.Parallel()
	for _, name := range samples(t) {
		segs, err := readAll(string(readFile(t, name)))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if segs[0].ID != "ISA" || segs[len(segs)-1].ID != "IEA" {
			t.Errorf("%s: starts with %s and ends with %s", name, segs[0].ID, segs[len(segs)-1].ID)
		}
		for i, s := range segs {
			if s.Pos.Segment != i+1 {
				t.Errorf("%s: segment %d has ordinal %d", name, i+1, s.Pos.Segment)
			}
		}
	}
}

// The same interchange written with other delimiters and line endings
// reads as the same segments.
func TestDelimiterVariantsReadAlike(t *testing.T) {
	t.Parallel()
	want, err := readAll(string(readFile(t, "835-check.edi")))
	if err != nil {
		t.Fatal(err)
	}
	variants := map[string]string{
		"compact": string(readFile(t, "835-check-compact.edi")),
		"crlf":    string(readFile(t, "835-check-crlf.edi")),
		"pipes":   string(readFile(t, "835-check-pipes.edi")),
		// A newline terminator with CRLF line ends: the ISA declares '\r',
		// and the '\n' after it is padding.
		"pipes-crlf": strings.ReplaceAll(string(readFile(t, "835-check-pipes.edi")), "\n", "\r\n"),
		// Wrapped at 80 columns, as some older systems send.
		"wrapped": wrap(string(readFile(t, "835-check-compact.edi")), 80),
	}
	for name, input := range variants {
		got, err := readAll(input)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d segments, want %d", name, len(got), len(want))
			continue
		}
		for i := range want {
			g, w := got[i], want[i]
			if g.ID != w.ID || len(g.Elements) != len(w.Elements) || g.Pos.Segment != w.Pos.Segment {
				t.Errorf("%s: segment %d is %s %q, want %s %q", name, i+1, g.ID, g.Elements, w.ID, w.Elements)
				continue
			}
			if g.ID == "ISA" {
				continue // ISA11 and ISA16 are the delimiters themselves
			}
			for e := 1; e <= len(w.Elements); e++ {
				if !reflect.DeepEqual(g.Components(e), w.Components(e)) {
					t.Errorf("%s: segment %d element %d is %q, want %q", name, i+1, e, g.Components(e), w.Components(e))
				}
			}
		}
	}
}

func wrap(s string, width int) string {
	var b strings.Builder
	for len(s) > width {
		b.WriteString(s[:width])
		b.WriteString("\n")
		s = s[width:]
	}
	b.WriteString(s)
	return b.String()
}

func TestOffsetsPointAtSegments(t *testing.T) {
	t.Parallel()
	input := string(readFile(t, "835-check-crlf.edi"))
	segs, err := readAll(input)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range segs {
		if !strings.HasPrefix(input[s.Pos.Offset:], s.ID) {
			t.Errorf("segment %d (%s) offset %d points at %q", s.Pos.Segment, s.ID, s.Pos.Offset, input[s.Pos.Offset:s.Pos.Offset+3])
		}
	}
}

func TestSegmentAccessors(t *testing.T) {
	t.Parallel()
	segs, err := readAll(isa + "GS*HP*S*R*20240101*1200*1*X*005010X221A1~ST*835*0001~" +
		"SVC*AD:D2740:XX*1200*475**1~NM1*QC*1*DOE~REF*ZZ*A^B^C~SE*5*0001~GE*1*1~IEA*1*000000001~")
	if err != nil {
		t.Fatal(err)
	}
	svc, nm1, ref := segs[3], segs[4], segs[5]
	if svc.Element(0) != "" || svc.Element(2) != "1200" || svc.Element(4) != "" || svc.Element(99) != "" {
		t.Errorf("Element: %q", svc.Elements)
	}
	if got := svc.Components(1); !reflect.DeepEqual(got, []string{"AD", "D2740", "XX"}) {
		t.Errorf("Components(1) = %q", got)
	}
	if svc.Component(1, 2) != "D2740" || svc.Component(1, 4) != "" || svc.Component(2, 1) != "1200" {
		t.Error("Component gives the wrong part")
	}
	if svc.Components(4) != nil || nm1.Components(9) != nil || nm1.Repetitions(9) != nil {
		t.Error("absent elements must give nil")
	}
	if got := ref.Repetitions(2); !reflect.DeepEqual(got, []string{"A", "B", "C"}) {
		t.Errorf("Repetitions(2) = %q", got)
	}
	if segs[0].Element(13) != "000000001" || segs[0].Element(16) != ":" {
		t.Errorf("ISA elements: %q", segs[0].Elements)
	}
}

// Version 4010 headers carry "U" where later ones have the repetition
// separator; a caret is then plain data.
func TestVersion4010HasNoRepetitionSeparator(t *testing.T) {
	t.Parallel()
	header := strings.Replace(isa, "*^*00501*", "*U*00401*", 1)
	r := x12.NewReader(strings.NewReader(header + "GS*HP*S*R*20240101*1200*1*X*004010X091A1~ST*835*0001~REF*ZZ*A^B~SE*3*0001~GE*1*1~IEA*1*000000001~"))
	var ref x12.Segment
	for {
		s, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if s.ID == "REF" {
			ref = s
		}
	}
	if got := ref.Repetitions(2); !reflect.DeepEqual(got, []string{"A^B"}) {
		t.Errorf("Repetitions = %q", got)
	}
	if r.Delimiters().Repetition != 0 {
		t.Error("4010 header reported a repetition separator")
	}
}

// Two interchanges with different delimiters follow each other in one
// file.
func TestInterchangesWithDifferentDelimiters(t *testing.T) {
	t.Parallel()
	input := string(readFile(t, "835-paid.edi")) + string(readFile(t, "835-check-pipes.edi"))
	r := x12.NewReader(strings.NewReader(input))
	var checks []string
	for tr, err := range r.Transactions() {
		if err != nil {
			t.Fatal(err)
		}
		checks = append(checks, tr.Interchange.ControlNumber+"/"+string(tr.Interchange.Delimiters.Element))
	}
	if want := []string{"000004711/*", "000004712/|"}; !reflect.DeepEqual(checks, want) {
		t.Errorf("got %q, want %q", checks, want)
	}
}

func TestErrorsAreSticky(t *testing.T) {
	t.Parallel()
	r := x12.NewReader(strings.NewReader(strings.Replace(minimal(), "SE*4*0001", "SE*9*0001", 1)))
	var first error
	for range 20 {
		if _, err := r.Next(); err != nil {
			first = err
			break
		}
	}
	_, again := r.Next()
	var se *x12.SyntaxError
	if !errors.As(first, &se) || again != first {
		t.Fatalf("first %v, then %v", first, again)
	}
}

// Files may end untidily: padded after the last IEA, or with that IEA
// missing its segment terminator. Each reads as the same segments as the
// tidy file it comes from.
func TestUntidyEndsAreAccepted(t *testing.T) {
	t.Parallel()
	tidy := minimal()
	bare := strings.TrimSuffix(tidy, "~\n") // ends "IEA*1*000000001"
	compact := strings.ReplaceAll(tidy, "~\n", "~")
	pipes := string(readFile(t, "835-check-pipes.edi")) // newline terminator
	second := strings.ReplaceAll(tidy, "000000001", "000000002")
	cases := []struct {
		name  string
		input string
		like  string // the tidy input it must read like
	}{
		{"NUL padding", tidy + "\x00\x00\x00\x00", tidy},
		{"Ctrl-Z", tidy + "\x1a", tidy},
		{"spaces and tabs", tidy + "  \t \t", tidy},
		{"CRLF, Ctrl-Z and NULs", tidy + "\r\n\x1a\x00\x00", tidy},
		{"padding between interchanges", tidy + "\x00\x1a\r\n" + second, tidy + "  \r\n" + second},
		{"IEA without terminator", bare, tidy},
		{"IEA without terminator, then a newline", bare + "\n", tidy},
		{"IEA without terminator, then CRLF and Ctrl-Z", bare + "\r\n\x1a", tidy},
		{"IEA without terminator, then NULs", bare + "\x00\x00", tidy},
		{"IEA without terminator, then spaces", bare + "   ", tidy},
		{"compact file without the last terminator", strings.TrimSuffix(compact, "~"), compact},
		{"newline-terminated file without the last newline", strings.TrimSuffix(pipes, "\n"), pipes},
		{"sample file written by a DOS system", string(readFile(t, "835-paid-dos.edi")),
			strings.ReplaceAll(string(readFile(t, "835-paid.edi")), "~\n", "~\r\n")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			want, err := readAll(c.like)
			require.NoError(t, err)
			got, err := readAll(c.input)
			require.NoError(t, err)
			require.Equal(t, want, got)
			last := got[len(got)-1]
			require.Equal(t, "IEA", last.ID)
			require.Len(t, last.Elements, 2)
		})
	}
}

// NextTransaction reaches the end of input cleanly after an IEA without
// its terminator.
func TestTransactionsEndAfterUnterminatedIEA(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		input string
		sets  int
	}{
		{"one interchange", strings.TrimSuffix(minimal(), "~\n"), 1},
		{"padded", strings.TrimSuffix(minimal(), "~\n") + "\r\n\x1a\x00", 1},
		{"sample file written by a DOS system", string(readFile(t, "835-paid-dos.edi")), 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := x12.NewReader(strings.NewReader(c.input))
			sets := 0
			for tr, err := range r.Transactions() {
				require.NoError(t, err)
				require.Equal(t, "835", tr.Code)
				sets++
			}
			require.Equal(t, c.sets, sets)
			_, err := r.Next()
			require.ErrorIs(t, err, io.EOF)
		})
	}
}
