package x271_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/backdesk/backdesk/pkg/x12"
)

// Malformed input is a *x12.SyntaxError that names the segment's ordinal,
// its ID and the element, and never quotes what was in it.
func TestMalformed271(t *testing.T) {
	t.Parallel()
	// In answer(...), the person's HL is segment 9, TRN 10, NM1 11, so the
	// first body segment is segment 12.
	cases := []struct {
		name  string
		body  []string
		want  string
		value string // the offending value, which must not be quoted
	}{
		{"bad amount", answer("EB*C*IND*35***23*5O"),
			`x12: segment 12 (EB) element 7: not an amount of money (2 bytes)`, "5O"},
		{"fraction of a cent", answer("EB*F*IND*35***23*1500.005"),
			`x12: segment 12 (EB) element 7: not an amount of money (8 bytes)`, "1500.005"},
		{"bad percentage", answer("EB*A*IND*25*****.2.5"),
			`x12: segment 12 (EB) element 8: not a percentage from 0 to 1 (4 bytes)`, ".2.5"},
		{"percentage over 100", answer("EB*A*IND*25*****150"),
			`x12: segment 12 (EB) element 8: not a percentage from 0 to 1 (3 bytes)`, "150"},
		{"negative percentage", answer("EB*A*IND*25*****-.2"),
			`x12: segment 12 (EB) element 8: not a percentage from 0 to 1 (3 bytes)`, "-.2"},
		{"bad quantity", answer("EB*F*IND*41******VS*two"),
			`x12: segment 12 (EB) element 10: not a decimal number (3 bytes)`, "two"},
		{"procedure without a code", answer("EB*F*IND*41**********AD"),
			`x12: segment 12 (EB) element 13: procedure must be a qualifier and a code, such as AD and D1110`, ""},
		{"no benefit code", answer("EB**IND*35"),
			`x12: segment 12 (EB) element 1: required element is empty`, ""},
		{"bad person date", answer("DTP*346*D8*20261301"),
			`x12: segment 12 (DTP) element 3: not a date or date range in the format DTP02 names (8 bytes)`, "20261301"},
		{"D8 with a range", answer("DTP*291*D8*20260101-20261231"),
			`x12: segment 12 (DTP) element 3: not a date or date range in the format DTP02 names (17 bytes)`, "20260101-20261231"},
		{"range backwards", answer("DTP*291*RD8*20261231-20260101"),
			`x12: segment 12 (DTP) element 3: not a date or date range in the format DTP02 names (17 bytes)`, "20261231-20260101"},
		{"bad benefit date", answer("EB*F*IND*41", "HSD*VS*2***23", "DTP*304*D8*2026082"),
			`x12: segment 14 (DTP) element 3: not a date or date range in the format DTP02 names (7 bytes)`, "2026082"},
		{"date missing", answer("DTP*357*D8"),
			`x12: segment 12 (DTP) element 3: required element is empty`, ""},
		{"bad answer date", []string{"BHT*0022*11*REF1*2026091"},
			`x12: segment 4 (BHT) element 4: not a CCYYMMDD date (7 bytes)`, "2026091"},
		{"EB outside any HL", []string{bht, "EB*1*IND*35"},
			`x12: segment 5 (EB): EB outside a subscriber or dependent level`, ""},
		{"EB at the payer's level", append([]string{bht}, append(source, "EB*1*IND*35")...),
			`x12: segment 7 (EB): EB outside a subscriber or dependent level`, ""},
		{"HSD before any EB", answer("HSD*VS*2***23"),
			`x12: segment 12 (HSD): HSD outside a benefit (EB)`, ""},
		{"MSG before any EB", answer("MSG*CALL THE PLAN"),
			`x12: segment 12 (MSG): MSG outside a benefit (EB)`, ""},
		{"III before any EB", answer("III*ZZ*11"),
			`x12: segment 12 (III): III outside a benefit (EB)`, ""},
		{"bad HSD quantity", answer("EB*F*IND*41", "HSD*VS*2x***23"),
			`x12: segment 13 (HSD) element 2: not a decimal number (2 bytes)`, "2x"},
		{"bad HSD periods", answer("EB*F*IND*41", "HSD*VS*1***34*six"),
			`x12: segment 13 (HSD) element 6: not a decimal number (3 bytes)`, "six"},
		{"bad HSD modulus", answer("EB*F*IND*41", "HSD*VS*1*MO*6m"),
			`x12: segment 13 (HSD) element 4: not a decimal number (2 bytes)`, "6m"},
		{"HL without a level", []string{bht, "HL*1**"},
			`x12: segment 5 (HL) element 3: required element is empty`, ""},
		{"trace without a number", []string{bht, "HL*1**20*1", "HL*2*1*21*1", "HL*3*2*22*0", "TRN*2"},
			`x12: segment 8 (TRN) element 2: required element is empty`, ""},
		{"AAA before any HL", []string{bht, "AAA*N**42*R"},
			`x12: segment 5 (AAA): AAA before any HL level`, ""},
	}
	patient := []string{"DOE", "JANE", "M123456"}
	for _, c := range cases {
		_, err := decodeOne(t, build(c.body...))
		var se *x12.SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%s: got %v, want a *SyntaxError", c.name, err)
			continue
		}
		if err.Error() != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, err, c.want)
		}
		quoted := patient
		if c.value != "" {
			quoted = append(quoted, c.value)
		}
		for _, q := range quoted {
			if strings.Contains(err.Error(), q) {
				t.Errorf("%s: error quotes %q: %s", c.name, q, err)
			}
		}
	}
}

func TestNotA271(t *testing.T) {
	t.Parallel()
	input := strings.Replace(build(bht), "ST*271*0001", "ST*270*0001", 1)
	_, err := decodeOne(t, input)
	if err == nil || err.Error() != `x12: segment 3 (ST) element 1: transaction set "270" is not a 271` {
		t.Fatalf("got %v", err)
	}
}
