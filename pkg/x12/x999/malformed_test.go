package x999_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/backdesk/backdesk/pkg/x12"
	"github.com/backdesk/backdesk/pkg/x12/x999"
	"github.com/stretchr/testify/require"
)

const header = "ISA*00*          *00*          *ZZ*CLEARHOUSE     *ZZ*SMILEDENTAL    *240315*1022*^*00501*000000901*0*P*:"

// build wraps 999 body segments in valid envelopes. ISA, GS and ST are
// segments 1 to 3, so body segment i is segment i+4.
func build(body ...string) string {
	segs := []string{header, "GS*FA*CLEARHOUSE*SMILEDENTAL*20240315*1030*3001*X*005010X231A1", "ST*999*0001*005010X231A1"}
	segs = append(segs, body...)
	segs = append(segs, fmt.Sprintf("SE*%d*0001", len(body)+2), "GE*1*3001", "IEA*1*000000901")
	return strings.Join(segs, "~\n") + "~\n"
}

// ta1 wraps one TA1 in an interchange of its own; it is segment 2.
func ta1(seg string) string {
	return header + "~\n" + seg + "~\nIEA*0*000000901~\n"
}

const (
	ak1 = "AK1*HS*1001*005010X279A1"
	ak2 = "AK2*270*0001*005010X279A1"
	ik5 = "IK5*A"
	ak9 = "AK9*A*1*1*1"
	ik3 = "IK3*NM1*9*2100C*8"
)

// Every malformed acknowledgment fails with a *x12.SyntaxError naming the
// segment and element, and no message repeats IK404's copy of bad data.
func TestMalformedAcks(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		input string
		want  string
	}{
		{"not a 999", strings.Replace(build(ak1, ak9), "ST*999*0001*005010X231A1", "ST*270*0001*005010X279A1", 1),
			`x12: segment 3 (ST) element 1: transaction set "270" is not a 999`},
		{"empty 999", build(),
			`x12: segment 3 (ST): 999 has no AK1 segment`},
		{"AK2 before AK1", build(ak2, ik5, ak9),
			`x12: segment 4 (AK2): AK2 before AK1`},
		{"two AK1", build(ak1, ak1, ak9),
			`x12: segment 5 (AK1): second AK1 in one 999`},
		{"no AK9", build(ak1, ak2, ik5),
			`x12: segment 3 (ST): 999 has no AK9 segment`},
		{"AK2 after AK9", build(ak1, ak9, ak2, ik5),
			`x12: segment 6 (AK2): AK2 after AK9`},
		{"AK9 before IK5", build(ak1, ak2, ak9),
			`x12: segment 6 (AK9): AK9 before the IK5 of transaction set response "0001" (AK2 at segment 5)`},
		{"AK2 before IK5", build(ak1, ak2, "AK2*270*0002", ik5, ak9),
			`x12: segment 6 (AK2): AK2 before the IK5 of transaction set response "0001" (AK2 at segment 5)`},
		{"SE before IK5", build(ak1, ak2),
			`x12: segment 6 (SE): SE before the IK5 of transaction set response "0001" (AK2 at segment 5)`},
		{"IK3 after IK5", build(ak1, ak2, ik5, ik3, ak9),
			`x12: segment 7 (IK3): IK3 outside a transaction set response (AK2 to IK5)`},
		{"IK5 without AK2", build(ak1, ik5, ak9),
			`x12: segment 5 (IK5): IK5 without an AK2 before it`},
		{"IK4 without IK3", build(ak1, ak2, "IK4*9*67*1", "IK5*R*5", ak9),
			`x12: segment 6 (IK4): IK4 without an IK3 before it`},
		{"CTX without IK3", build(ak1, ak2, "CTX*CLM01:A1", "IK5*R*5", ak9),
			`x12: segment 6 (CTX): CTX without an IK3 or IK4 before it`},
		{"AK1 without control number", build("AK1*HS", ak9),
			`x12: segment 4 (AK1) element 2: required element is empty`},
		{"AK1 control number not a number", build("AK1*HS*10O1*005010X279A1", ak9),
			`x12: segment 4 (AK1) element 2: group control number is not a number of up to 9 digits (4 bytes)`},
		{"AK2 control number not a code", build(ak1, "AK2*270*00-01", ik5, ak9),
			`x12: segment 5 (AK2) element 2: transaction set control number is not 1 to 9 letters or digits (5 bytes)`},
		{"IK3 without error code", build(ak1, ak2, "IK3*NM1*9*2100C", "IK5*R*5", ak9),
			`x12: segment 6 (IK3) element 4: required element is empty`},
		{"IK3 position not a number", build(ak1, ak2, "IK3*NM1*9a*2100C*8", "IK5*R*5", ak9),
			`x12: segment 6 (IK3) element 2: not a whole number (2 bytes)`},
		{"IK3 position 0", build(ak1, ak2, "IK3*NM1*0*2100C*8", "IK5*R*5", ak9),
			`x12: segment 6 (IK3) element 2: 0 is below 1`},
		{"IK3 loop not a code", build(ak1, ak2, "IK3*NM1*9*2100 C*8", "IK5*R*5", ak9),
			`x12: segment 6 (IK3) element 3: loop identifier is not a code (6 bytes)`},
		{"IK4 without element position", build(ak1, ak2, ik3, "IK4*:2*67*1", "IK5*R*5", ak9),
			`x12: segment 7 (IK4) element 1: position in segment has no element position`},
		{"IK4 component 0", build(ak1, ak2, ik3, "IK4*9:0*67*1", "IK5*R*5", ak9),
			`x12: segment 7 (IK4) element 1: position in segment, component 2, is 0; positions count from 1`},
		{"IK4 element position too long", build(ak1, ak2, ik3, "IK4*100*67*1", "IK5*R*5", ak9),
			`x12: segment 7 (IK4) element 1: position in segment, component 1, is not a number (3 bytes)`},
		{"IK4 four components", build(ak1, ak2, ik3, "IK4*1:2:3:4*67*1", "IK5*R*5", ak9),
			`x12: segment 7 (IK4) element 1: position in segment has 4 components, want at most 3`},
		{"IK4 reference not a number", build(ak1, ak2, ik3, "IK4*9*N109*1", "IK5*R*5", ak9),
			`x12: segment 7 (IK4) element 2: data element reference number is not a number of up to 4 digits (4 bytes)`},
		{"IK4 without error code, bad value kept out", build(ak1, ak2, ik3, "IK4*2*1251**19850230", "IK5*R*5", ak9),
			`x12: segment 7 (IK4) element 3: required element is empty`},
		{"IK4 error code too long, bad value kept out", build(ak1, ak2, ik3, "IK4*2*1251*19850230*19850230", "IK5*R*5", ak9),
			`x12: segment 7 (IK4) element 3: data element error code is not a code (8 bytes)`},
		{"CTX without a name", build(ak1, ak2, ik3, "CTX*:A1", "IK5*R*5", ak9),
			`x12: segment 7 (CTX) element 1: context name (CTX01-1) is empty`},
		{"CTX position not a number", build(ak1, ak2, ik3, "CTX*SITUATIONAL TRIGGER*NM1*x*2100C*8", "IK5*R*5", ak9),
			`x12: segment 7 (CTX) element 3: not a whole number (1 bytes)`},
		{"IK5 status for a group", build(ak1, ak2, "IK5*P", ak9),
			`x12: segment 6 (IK5) element 1: transaction set acknowledgment code "P" is not A, E, M, R, W or X`},
		{"IK5 status not a code", build(ak1, ak2, "IK5*ACCEPTED", ak9),
			`x12: segment 6 (IK5) element 1: transaction set acknowledgment code of 8 bytes is not A, E, M, R, W or X`},
		{"IK5 error code too long", build(ak1, ak2, "IK5*R*5*I5555", ak9),
			`x12: segment 6 (IK5) element 3: error code is not a code (5 bytes)`},
		{"AK9 status unknown", build(ak1, "AK9*Q*1*1*1"),
			`x12: segment 5 (AK9) element 1: functional group acknowledgment code "Q" is not A, E, M, P, R, W or X`},
		{"AK9 count missing", build(ak1, "AK9*A*1*1"),
			`x12: segment 5 (AK9) element 4: required element is empty`},
		{"AK9 count not a number", build(ak1, "AK9*A*1*-1*1"),
			`x12: segment 5 (AK9) element 3: not a whole number (2 bytes)`},
		{"AK9 error code too long", build(ak1, "AK9*R*1*1*0*1*2222"),
			`x12: segment 5 (AK9) element 6: error code is not a code (4 bytes)`},

		{"TA1 control number not a number", ta1("TA1*00000012X*240315*1015*A*000"),
			`x12: segment 2 (TA1) element 1: interchange control number is not a number of up to 9 digits (9 bytes)`},
		{"TA1 date not a date", ta1("TA1*000000123*20240315*1015*A*000"),
			`x12: segment 2 (TA1) element 2: not a YYMMDD date (8 bytes)`},
		{"TA1 date not a real day", ta1("TA1*000000123*240230*1015*A*000"),
			`x12: segment 2 (TA1) element 2: not a real date and time`},
		{"TA1 time not a time", ta1("TA1*000000123*240315*10:15*A*000"),
			`x12: segment 2 (TA1) element 3: not an HHMM time (5 bytes)`},
		{"TA1 status unknown", ta1("TA1*000000123*240315*1015*P*000"),
			`x12: segment 2 (TA1) element 4: interchange acknowledgment code "P" is not A, E or R`},
		{"TA1 without note", ta1("TA1*000000123*240315*1015*R"),
			`x12: segment 2 (TA1) element 5: required element is empty`},
		{"TA1 note too long", ta1("TA1*000000123*240315*1015*R*0180"),
			`x12: segment 2 (TA1) element 5: interchange note code is not a code (4 bytes)`},

		// The reader's envelope checks still hold TA1 to its place.
		{"TA1 inside a 999", build(ak1, "TA1*000000123*240315*1015*A*000", ak9),
			`x12: segment 5 (TA1): TA1 inside an open envelope: transaction set "0001" (ST at segment 3) is not closed by SE`},
		{"TA1 after the group", strings.Replace(build(ak1, ak9), "IEA*1*", "TA1*000000123*240315*1015*A*000~\nIEA*1*", 1),
			`x12: segment 8 (TA1): TA1 after functional group "3001" (GS at segment 2): TA1 segments come before the first GS`},
		// A bad TA1 is reported before a bad 999 or envelope after it.
		{"bad SE count", strings.Replace(build(ak1, ak9), "SE*4*0001", "SE*5*0001", 1),
			`x12: segment 6 (SE) element 1: count 5 does not match the 4 segments from ST to SE`},
		{"bad TA1, then a bad SE", strings.Replace(strings.Replace(build(ak1, ak9), "SE*4*0001", "SE*5*0001", 1),
			header+"~\n", header+"~\nTA1*000000123*240315*1015*Q*000~\n", 1),
			`x12: segment 2 (TA1) element 4: interchange acknowledgment code "Q" is not A, E or R`},
		{"bad TA1, then a bad 999", strings.Replace(build(ak1), header+"~\n", header+"~\nTA1*000000123*240315*1015*Q*000~\n", 1),
			`x12: segment 2 (TA1) element 4: interchange acknowledgment code "Q" is not A, E or R`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			acks, err := x999.Read(strings.NewReader(c.input))
			require.Nil(t, acks)
			var se *x12.SyntaxError
			require.True(t, errors.As(err, &se), "got %v", err)
			require.Equal(t, c.want, err.Error())
			require.NotContains(t, err.Error(), "19850230")
		})
	}
}

// Decode and DecodeTA1 refuse what is not theirs to read.
func TestDecodersRefuseOtherSegments(t *testing.T) {
	t.Parallel()
	_, err := x999.Decode(&x12.Transaction{})
	var se *x12.SyntaxError
	require.True(t, errors.As(err, &se), "got %v", err)

	r := x12.NewReader(strings.NewReader(build(ak1, ak9)))
	tr, err := r.NextTransaction()
	require.NoError(t, err)
	_, err = x999.DecodeTA1(x12.InterchangeAck{Segment: tr.Segments[1]})
	require.EqualError(t, err, `x12: segment 4 (AK1): not a TA1 segment`)
}
