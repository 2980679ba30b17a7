package x12_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/backdesk/backdesk/pkg/x12"
)

// Every malformed input fails with a *SyntaxError whose message names the
// segment, its identifier and the element at fault.
func TestMalformedInput(t *testing.T) {
	t.Parallel()
	ok := minimal()
	replace := func(old, new string) string {
		if !strings.Contains(ok, old) {
			t.Fatalf("minimal() has no %q", old)
		}
		return strings.Replace(ok, old, new, 1)
	}
	cut := func(after string) string {
		i := strings.Index(ok, after)
		if i < 0 {
			t.Fatalf("minimal() has no %q", after)
		}
		return ok[:i+len(after)]
	}
	isaWith := func(at int, b byte) string {
		h := []byte(ok)
		h[at] = b
		return string(h)
	}
	cases := []struct {
		name  string
		input string
		want  string
		seg   int
	}{
		{"SE count", replace("SE*4*0001", "SE*5*0001"),
			`x12: segment 6 (SE) element 1: count 5 does not match the 4 segments from ST to SE`, 6},
		{"SE count not a number", replace("SE*4*0001", "SE*4a*0001"),
			`x12: segment 6 (SE) element 1: count "4a" is not a number`, 6},
		{"SE control", replace("SE*4*0001", "SE*4*0002"),
			`x12: segment 6 (SE) element 2: control number "0002" does not match ST02 "0001"`, 6},
		{"GE count", replace("GE*1*1", "GE*2*1"),
			`x12: segment 7 (GE) element 1: count 2 does not match the 1 transaction sets in the group`, 7},
		{"GE control", replace("GE*1*1", "GE*1*7"),
			`x12: segment 7 (GE) element 2: control number "7" does not match GS06 "1"`, 7},
		{"IEA count", replace("IEA*1*", "IEA*3*"),
			`x12: segment 8 (IEA) element 1: count 3 does not match the 1 functional groups in the interchange`, 8},
		{"IEA control", replace("IEA*1*000000001", "IEA*1*000000002"),
			`x12: segment 8 (IEA) element 2: control number "000000002" does not match ISA13 "000000001"`, 8},
		{"truncated mid-segment", cut("TRN*1*12"),
			`x12: segment 5 (TRN): input ends before the segment terminator "~": transaction set "0001" (ST at segment 3) is not closed by SE`, 5},
		{"truncated after SE", cut("SE*4*0001~\n"),
			`x12: segment 7: unexpected end of input: functional group "1" (GS at segment 2) is not closed by GE`, 7},
		{"truncated after GE", cut("GE*1*1~"),
			`x12: segment 8: unexpected end of input: interchange "000000001" (ISA at segment 1) is not closed by IEA`, 8},
		{"truncated in ISA", ok[:50],
			`x12: segment 1 (ISA): input ends inside the ISA segment after 50 of its 106 bytes`, 1},
		{"not ISA", strings.TrimPrefix(ok, isa+"\n"),
			`x12: segment 1: expected an ISA segment, found "GS*"`, 1},
		{"empty", "  \n",
			`x12: segment 1: input is empty; expected an ISA segment`, 1},
		{"garbage after IEA", ok + "HELLO",
			`x12: segment 9: expected an ISA segment, found "HEL"`, 9},
		{"alphanumeric element separator", strings.ReplaceAll(isa, "*", "X") + "\n",
			`x12: segment 1 (ISA): element separator "X" is a letter, digit or space`, 1},
		{"component collides with element", isaWith(104, '*'),
			`x12: segment 1 (ISA): delimiters collide: element separator and component separator are both "*"`, 1},
		{"terminator collides with component", isaWith(105, ':'),
			`x12: segment 1 (ISA): delimiters collide: component separator and segment terminator are both ":"`, 1},
		{"ISA field too short", strings.Replace(ok, "SENDER         *", "SENDER        *", 1),
			`x12: segment 1 (ISA) element 6: element is not its fixed width: separator expected at byte 50`, 1},
		{"ISA control not digits", strings.Replace(ok, "*000000001*0*P", "*00000000A*0*P", 1),
			`x12: segment 1 (ISA) element 13: interchange control number is not 9 digits`, 1},
		{"terminator other than declared", strings.ReplaceAll(ok, "~\n", "\n")[:len(isa)-1] + "~" + strings.ReplaceAll(ok, "~\n", "\n")[len(isa):],
			`x12: segment 2 (GS): input ends before the segment terminator "~": interchange "000000001" (ISA at segment 1) is not closed by IEA`, 2},
		{"segment between GS and ST", replace("ST*835*0001", "BPR*I*10"),
			`x12: segment 3 (BPR): segment outside any transaction set (expected ST or GE)`, 3},
		{"ST before GS", strings.Replace(ok, "GS*HP*SENDER*RECEIVER*20240101*1200*1*X*005010X221A1~\n", "", 1),
			`x12: segment 2 (ST): ST without a matching GS (expected GS or IEA)`, 2},
		{"GE before SE", replace("SE*4*0001~\n", ""),
			`x12: segment 6 (GE): unexpected GE: transaction set "0001" (ST at segment 3) is not closed by SE`, 6},
		{"IEA before GE", replace("GE*1*1~\n", ""),
			`x12: segment 7 (IEA): unexpected IEA: functional group "1" (GS at segment 2) is not closed by GE`, 7},
		{"ISA inside interchange", replace("GE*1*1~\n", "GE*1*1~\n"+isa+"\n"),
			`x12: segment 8 (ISA): ISA inside an open envelope: interchange "000000001" (ISA at segment 1) is not closed by IEA`, 8},
		{"ST without control number", replace("ST*835*0001", "ST*835"),
			`x12: segment 3 (ST) element 2: required element is empty`, 3},
		{"malformed segment id", replace("TRN*1*123", "trn*1*123"),
			`x12: segment 5: malformed segment identifier (3 bytes)`, 5},
		{"segment too long", replace("TRN*1*123", "TRN*1*"+strings.Repeat("9", x12.MaxSegmentLen)),
			`x12: segment 5 (TRN): segment is longer than 65536 bytes; does the file use the terminator "~" its ISA declares?`, 5},

		// TA1 stands in the interchange's envelope, before any GS.
		{"TA1 inside a transaction set", replace("TRN*1*123*1999999999", "TA1*000000007*240101*1200*A*000"),
			`x12: segment 5 (TA1): TA1 inside an open envelope: transaction set "0001" (ST at segment 3) is not closed by SE`, 5},
		{"TA1 between GS and ST", replace("ST*835*0001~\n", "TA1*000000007*240101*1200*A*000~\nST*835*0001~\n"),
			`x12: segment 3 (TA1): TA1 inside an open envelope: functional group "1" (GS at segment 2) is not closed by GE`, 3},
		{"TA1 between SE and GE", replace("GE*1*1", "TA1*000000007*240101*1200*A*000~\nGE*1*1"),
			`x12: segment 7 (TA1): TA1 inside an open envelope: functional group "1" (GS at segment 2) is not closed by GE`, 7},
		{"TA1 after GE", replace("IEA*1*", "TA1*000000007*240101*1200*A*000~\nIEA*1*"),
			`x12: segment 8 (TA1): TA1 after functional group "1" (GS at segment 2): TA1 segments come before the first GS`, 8},
		{"TA1 before ISA", "TA1*000000007*240101*1200*A*000~\n" + ok,
			`x12: segment 1: expected an ISA segment, found "TA1"`, 1},
		{"TA1-only interchange counting a group", isa + "\nTA1*000000007*240101*1200*R*018~\nIEA*1*000000001~\n",
			`x12: segment 3 (IEA) element 1: count 1 does not match the 0 functional groups in the interchange`, 3},
		{"TA1-only interchange cut after the TA1", isa + "\nTA1*000000007*240101*1200*R*018~\n",
			`x12: segment 3: unexpected end of input: interchange "000000001" (ISA at segment 1) is not closed by IEA`, 3},

		// The last IEA may lack its terminator only when it is whole.
		{"unterminated IEA cut inside IEA02", cut("IEA*1*0000"),
			`x12: segment 8 (IEA) element 2: the last segment has no segment terminator and is incomplete: the input ends inside IEA02, after 4 of its 9 digits`, 8},
		{"unterminated IEA cut inside IEA02, then padding", cut("IEA*1*0000000") + "\r\n\x1a\x00",
			`x12: segment 8 (IEA) element 2: the last segment has no segment terminator and is incomplete: the input ends inside IEA02, after 7 of its 9 digits`, 8},
		{"unterminated IEA with a control number without leading zeros", strings.Replace(cut("IEA*1*000000001"), "IEA*1*000000001", "IEA*1*1", 1),
			`x12: segment 8 (IEA) element 2: the last segment has no segment terminator and is incomplete: the input ends inside IEA02, after 1 of its 9 digits`, 8},
		{"unterminated IEA cut after IEA01", cut("IEA*1"),
			`x12: segment 8 (IEA) element 2: the last segment has no segment terminator and is incomplete: the input ends before IEA02`, 8},
		{"unterminated IEA cut after its separator", cut("IEA*"),
			`x12: segment 8 (IEA) element 2: the last segment has no segment terminator and is incomplete: the input ends before IEA02`, 8},
		{"unterminated IEA cut after its identifier", cut("IEA"),
			`x12: segment 8 (IEA) element 1: the last segment has no segment terminator and is incomplete: the input ends before IEA01`, 8},
		{"unterminated IEA control", strings.Replace(cut("IEA*1*000000001"), "IEA*1*000000001", "IEA*1*000000002", 1),
			`x12: segment 8 (IEA) element 2: control number "000000002" does not match ISA13 "000000001"`, 8},
		{"unterminated IEA count", strings.Replace(cut("IEA*1*000000001"), "IEA*1*", "IEA*2*", 1) + "\x1a",
			`x12: segment 8 (IEA) element 1: count 2 does not match the 1 functional groups in the interchange`, 8},
		{"unterminated IEA before GE", strings.Replace(cut("IEA*1*000000001"), "GE*1*1~\n", "", 1),
			`x12: segment 7 (IEA): input ends before the segment terminator "~": functional group "1" (GS at segment 2) is not closed by GE`, 7},

		// Padding is skipped after an IEA only, and only padding is.
		{"garbage after padding", ok + "\x00\x1a\r\nHELLO",
			`x12: segment 9: expected an ISA segment, found "HEL"`, 9},
		{"padding before IEA", replace("GE*1*1~\n", "GE*1*1~\n\x00"),
			`x12: segment 8: malformed segment identifier (4 bytes)`, 8},
		{"padding instead of IEA", cut("GE*1*1~\n") + "\x1a",
			`x12: segment 8: input ends before the segment terminator "~": interchange "000000001" (ISA at segment 1) is not closed by IEA`, 8},
	}
	for _, c := range cases {
		_, err := readAll(c.input)
		var se *x12.SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%s: got %v, want a *SyntaxError", c.name, err)
			continue
		}
		if err.Error() != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, err, c.want)
		}
		if se.Pos.Segment != c.seg {
			t.Errorf("%s: position %d, want %d", c.name, se.Pos.Segment, c.seg)
		}
	}
}

// Control numbers that differ only in leading zeros are the same number.
func TestControlNumbersIgnoreLeadingZeros(t *testing.T) {
	t.Parallel()
	input := strings.Replace(minimal(), "GE*1*1", "GE*1*000000001", 1)
	if _, err := readAll(input); err != nil {
		t.Fatal(err)
	}
}

// An error at the end of a set's group reaches NextTransaction on the call
// after the one that returned the set.
func TestNextTransactionReportsTrailerErrors(t *testing.T) {
	t.Parallel()
	r := x12.NewReader(strings.NewReader(strings.Replace(minimal(), "GE*1*1", "GE*1*2", 1)))
	tr, err := r.NextTransaction()
	if err != nil || tr.ControlNumber != "0001" || len(tr.Segments) != 4 {
		t.Fatalf("first call: %v, %v", tr, err)
	}
	_, err = r.NextTransaction()
	if err == nil || !strings.HasPrefix(err.Error(), "x12: segment 7 (GE) element 2:") {
		t.Fatalf("second call: %v", err)
	}
}
