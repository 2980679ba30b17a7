package x999_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/x12"
	"github.com/backdesk/backdesk/pkg/x12/x999"
	"github.com/stretchr/testify/require"
)

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

// at is a position by segment ordinal; offsets are cleared before
// comparing, as counting bytes by hand proves nothing.
func at(segment int) x12.Pos { return x12.Pos{Segment: segment} }

// clearOffsets zeroes every byte offset in a, keeping segment ordinals.
func clearOffsets(a *x999.Acks) {
	for i := range a.Interchanges {
		a.Interchanges[i].Pos.Offset = 0
	}
	for i := range a.Groups {
		g := &a.Groups[i]
		g.Pos.Offset = 0
		for j := range g.Sets {
			g.Sets[j].Pos.Offset = 0
		}
	}
}

func when(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

const (
	ref270  = "005010X279A1"
	noError = "no error"
)

func TestReadFiles(t *testing.T) {
	t.Parallel()
	cases := []struct {
		file     string
		want     x999.Acks
		rejected []string
	}{
		{"ta1-accepted.edi", x999.Acks{
			Interchanges: []x999.Interchange{{Control: "000000123", Date: when("2024-03-15 10:15"), Status: "A",
				Note: "000", NoteWords: noError, Pos: at(2)}},
		}, nil},
		{"ta1-rejected.edi", x999.Acks{
			Interchanges: []x999.Interchange{{Control: "000000124", Date: when("2024-03-15 11:00"), Status: "R",
				Note: "018", NoteWords: "invalid interchange control number value", Pos: at(2)}},
		}, []string{"interchange 000000124 rejected: invalid interchange control number value (code 018)"}},
		{"ta1-999.edi", x999.Acks{
			Interchanges: []x999.Interchange{{Control: "000000125", Date: when("2024-03-16 09:00"), Status: "A",
				Note: "000", NoteWords: noError, Pos: at(2)}},
			Groups: []x999.GroupAck{{FunctionalID: "HS", Control: "1003", Version: ref270, Status: "A",
				Included: 1, Received: 1, Accepted: 1, Pos: at(4),
				Sets: []x999.SetAck{{Code: "270", Control: "0001", ImplementationRef: ref270, Status: "A", Pos: at(6)}}}},
		}, nil},
		{"999-accepted.edi", x999.Acks{
			Groups: []x999.GroupAck{{FunctionalID: "HS", Control: "1001", Version: ref270, Status: "A",
				Included: 2, Received: 2, Accepted: 2, Pos: at(3),
				Sets: []x999.SetAck{
					{Code: "270", Control: "0001", ImplementationRef: ref270, Status: "A", Pos: at(5)},
					{Code: "270", Control: "0002", ImplementationRef: ref270, Status: "A", Pos: at(7)},
				}}},
		}, nil},
		{"999-partial.edi", x999.Acks{
			Groups: []x999.GroupAck{{FunctionalID: "HS", Control: "1002", Version: ref270, Status: "P",
				Included: 2, Received: 2, Accepted: 1, Pos: at(3),
				Sets: []x999.SetAck{
					{Code: "270", Control: "0001", ImplementationRef: ref270, Status: "A", Pos: at(5)},
					{Code: "270", Control: "0002", ImplementationRef: ref270, Status: "R", Reasons: []string{"I5"}, Pos: at(7),
						Errors: []x999.Problem{
							{Segment: "NM1", Position: 9, Loop: "2100C", Code: "8", Words: "segment has data element errors",
								Context: []x999.Context{{Name: "TRN02", Reference: "SMD7731X"}}},
							{Segment: "NM1", Position: 9, Loop: "2100C", Element: 9, Reference: "67", Code: "I9",
								Words:   "data element the implementation guide requires here is missing",
								Context: []x999.Context{{Name: x999.SituationalTrigger, Segment: "NM1", Position: 9, Loop: "2100C", Element: 8}}},
							{Segment: "CLM", Position: 10, Loop: "2100C", Code: "2", Words: "unexpected segment"},
							{Segment: "DMG", Position: 11, Loop: "2100C", Code: "8", Words: "segment has data element errors"},
							{Segment: "DMG", Position: 11, Loop: "2100C", Element: 2, Reference: "1251", Code: "8", Words: "invalid date"},
						}},
				}}},
		}, []string{"transaction set 270 0002 of functional group 1002 rejected: " +
			"one or more segments in error against the implementation guide (code I5); " +
			"NM109 at segment 9 of the set, loop 2100C: data element the implementation guide requires here is missing (code I9), triggered by NM108 at segment 9; " +
			"CLM at segment 10 of the set, loop 2100C: unexpected segment (code 2); " +
			"DMG02 at segment 11 of the set, loop 2100C: invalid date (code 8)"}},
		{"999-group-rejected.edi", x999.Acks{
			Groups: []x999.GroupAck{{FunctionalID: "HS", Control: "1004", Version: "004010X092A1", Status: "R",
				Included: 2, Received: 2, Accepted: 0, Errors: []string{"2"}, Pos: at(3),
				Sets: []x999.SetAck{
					{Code: "270", Control: "0001", ImplementationRef: "004010X092A1", Status: "R", Reasons: []string{"I6"}, Pos: at(5)},
					{Code: "270", Control: "0002", ImplementationRef: "004010X092A1", Status: "R", Reasons: []string{"I6"}, Pos: at(7)},
				}}},
		}, []string{
			"functional group 1004 (HS) rejected: functional group version not supported (code 2)",
			"transaction set 270 0001 of functional group 1004 rejected: implementation convention not supported (code I6)",
			"transaction set 270 0002 of functional group 1004 rejected: implementation convention not supported (code I6)",
		}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			t.Parallel()
			got, err := x999.Read(bytes.NewReader(readFile(t, c.file)))
			require.NoError(t, err)
			clearOffsets(got)
			require.Equal(t, c.want, *got)
			require.Equal(t, c.rejected, got.Rejected())
		})
	}
}

// A file of several interchanges gives every TA1 and every group in the
// order they came, and Rejected names the interchanges first.
func TestReadSeveralInterchanges(t *testing.T) {
	t.Parallel()
	var input []byte
	for _, name := range []string{"999-partial.edi", "ta1-accepted.edi", "ta1-999.edi", "ta1-rejected.edi"} {
		input = append(input, readFile(t, name)...)
	}
	acks, err := x999.Read(bytes.NewReader(input))
	require.NoError(t, err)
	var controls []string
	for _, ic := range acks.Interchanges {
		controls = append(controls, ic.Control)
	}
	require.Equal(t, []string{"000000123", "000000125", "000000124"}, controls)
	var groups []string
	for _, g := range acks.Groups {
		groups = append(groups, g.Control)
	}
	require.Equal(t, []string{"1002", "1003"}, groups)
	rejected := acks.Rejected()
	require.Len(t, rejected, 2)
	require.True(t, strings.HasPrefix(rejected[0], "interchange 000000124 rejected"), rejected[0])
	require.True(t, strings.HasPrefix(rejected[1], "transaction set 270 0002 of functional group 1002 rejected"), rejected[1])
}

// IK404 copies the bad value, which may be a patient's date of birth or
// member ID: it is never kept. A business unit's identifier is kept but
// never written into a rejection.
func TestPatientDataStaysOut(t *testing.T) {
	t.Parallel()
	input := readFile(t, "999-partial.edi")
	require.Contains(t, string(input), "19850230")
	acks, err := x999.Read(bytes.NewReader(input))
	require.NoError(t, err)
	require.NotContains(t, fmt.Sprintf("%#v", acks), "19850230")
	for _, line := range acks.Rejected() {
		require.NotContains(t, line, "SMD7731X")
	}
}

// Rejected explains codes it knows and names the ones it does not, and
// lists nothing that was accepted, with or without noted errors.
func TestRejectedLines(t *testing.T) {
	t.Parallel()
	set := func(status string, reasons []string, problems ...x999.Problem) x999.GroupAck {
		return x999.GroupAck{FunctionalID: "HC", Control: "77", Status: "E",
			Sets: []x999.SetAck{{Code: "837", Control: "0001", Status: status, Reasons: reasons, Errors: problems}}}
	}
	cases := []struct {
		name string
		acks x999.Acks
		want []string
	}{
		{"accepted with errors noted", x999.Acks{
			Interchanges: []x999.Interchange{{Control: "000000001", Status: "E", Note: "024"}},
			Groups:       []x999.GroupAck{set("E", []string{"5"})},
		}, nil},
		{"interchange rejected with note 000", x999.Acks{
			Interchanges: []x999.Interchange{{Control: "000000001", Status: "R", Note: "000", NoteWords: noError}},
		}, []string{"interchange 000000001 rejected"}},
		{"unknown note", x999.Acks{
			Interchanges: []x999.Interchange{{Control: "000000001", Status: "R", Note: "099"}},
		}, []string{"interchange 000000001 rejected: code 099"}},
		{"group rejected by a security check, unknown group code", x999.Acks{
			Groups: []x999.GroupAck{{FunctionalID: "HC", Control: "77", Status: "W", Errors: []string{"99"}}},
		}, []string{"functional group 77 (HC) rejected: failed the assurance validity tests (code W); code 99"}},
		{"set rejected with nothing more said", x999.Acks{Groups: []x999.GroupAck{set("R", nil)}},
			[]string{"transaction set 837 0001 of functional group 77 rejected"}},
		{"component, repetition and a segment code 8 without elements", x999.Acks{Groups: []x999.GroupAck{set("M", nil,
			x999.Problem{Segment: "SV3", Position: 24, Loop: "2400", Code: "8", Words: "segment has data element errors"},
			x999.Problem{Segment: "HI", Position: 30, Loop: "2300", Element: 1, Component: 2, Repeat: 3, Code: "I12"},
		)}}, []string{"transaction set 837 0001 of functional group 77 rejected: " +
			"the message authentication code failed (code M); " +
			"SV3 at segment 24 of the set, loop 2400: segment has data element errors (code 8); " +
			"HI01-2 (repetition 3) at segment 30 of the set, loop 2300: code I12"}},
		{"segment missing, no loop", x999.Acks{Groups: []x999.GroupAck{set("R", nil,
			x999.Problem{Segment: "DTP", Position: 12, Code: "I6", Words: "segment the implementation guide requires here is missing",
				Context: []x999.Context{{Name: x999.SituationalTrigger, Segment: "CLM", Position: 10, Element: 5, Component: 3}}},
		)}}, []string{"transaction set 837 0001 of functional group 77 rejected: " +
			"DTP at segment 12 of the set: segment the implementation guide requires here is missing (code I6), triggered by CLM05-3 at segment 10"}},
	}
	for _, c := range cases {
		require.Equal(t, c.want, c.acks.Rejected(), c.name)
	}
}
