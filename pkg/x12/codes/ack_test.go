package codes

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Each acknowledgment table holds every code the 999 and TA1 guides list
// for its element, once, with words for each.
func TestAckTablesHoldTheGuidesCodes(t *testing.T) {
	t.Parallel()
	notes := make([]string, 32)
	for i := range notes {
		notes[i] = fmt.Sprintf("%03d", i)
	}
	cases := []struct {
		name   string
		table  []entry
		lookup func(string) (string, bool)
		want   []string
	}{
		{"TA105", interchangeNotes, InterchangeNote, notes},
		{"TA104, IK501, AK901", ackStatuses, AckStatus, strings.Fields("A E M P R W X")},
		{"IK304", segmentErrors, SegmentError, strings.Fields("1 2 3 4 5 6 7 8 I4 I6 I7 I8 I9")},
		{"IK403", elementErrors, ElementError, strings.Fields("1 2 3 4 5 6 7 8 9 10 12 13 I6 I9 I10 I11 I12 I13")},
		{"IK502", setErrors, SetError,
			strings.Fields("1 2 3 4 5 6 7 8 9 10 11 12 13 15 16 17 18 19 23 24 25 26 27 I5 I6")},
		{"AK905", groupErrors, GroupError,
			strings.Fields("1 2 3 4 5 6 10 11 12 13 14 15 16 17 18 19 23 24 25 26")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var codes []string
			for _, e := range c.table {
				require.NotEmpty(t, strings.TrimSpace(e.meaning), "code %s", e.code)
				require.Equal(t, strings.ToLower(e.meaning[:1]), e.meaning[:1],
					"code %s: words follow a colon in messages, so they start in lower case", e.code)
				codes = append(codes, e.code)
			}
			require.Equal(t, c.want, codes)
			for _, code := range c.want {
				words, ok := c.lookup(code)
				require.True(t, ok, code)
				require.NotEmpty(t, words, code)
			}
		})
	}
}

func TestAckLookups(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		lookup func(string) (string, bool)
		code   string
		want   string // "" when the code is unknown
	}{
		{"note 018", InterchangeNote, "018", "invalid interchange control number value"},
		{"note 000", InterchangeNote, "000", "no error"},
		{"note without its zeros", InterchangeNote, "18", ""},
		{"note past the list", InterchangeNote, "032", ""},
		{"status P", AckStatus, "P", "partially accepted: at least one transaction set was rejected"},
		{"status lower case", AckStatus, "r", ""},
		{"segment 8", SegmentError, "8", "segment has data element errors"},
		{"segment I5 is not a segment code", SegmentError, "I5", ""},
		{"element I9", ElementError, "I9", "data element the implementation guide requires here is missing"},
		{"element 11 is not in the list", ElementError, "11", ""},
		{"set I5", SetError, "I5", "one or more segments in error against the implementation guide"},
		{"set 14 is not in the list", SetError, "14", ""},
		{"group 2", GroupError, "2", "functional group version not supported"},
		{"group empty", GroupError, "", ""},
	}
	for _, c := range cases {
		words, ok := c.lookup(c.code)
		if ok != (c.want != "") || words != c.want {
			t.Errorf("%s: got (%q, %v), want %q", c.name, words, ok, c.want)
		}
	}
}

func TestAckRejects(t *testing.T) {
	t.Parallel()
	for _, e := range ackStatuses {
		want := strings.HasPrefix(e.meaning, "rejected")
		require.Equal(t, want, AckRejects(e.code), "code %s (%s)", e.code, e.meaning)
	}
	require.False(t, AckRejects(""))
	require.False(t, AckRejects("Z"))
}
