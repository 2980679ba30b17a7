package x270_test

import (
	"bytes"
	"strconv"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/x12"
	"github.com/backdesk/backdesk/pkg/x12/codes"
	"github.com/backdesk/backdesk/pkg/x12/x12write"
	"github.com/backdesk/backdesk/pkg/x12/x270"
	"github.com/stretchr/testify/require"
)

func day(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

var (
	summit    = x270.Party{Name: "SUMMIT DENTAL BENEFITS", ID: "62308"}
	lakeshore = x270.Party{Name: "LAKESHORE MUTUAL", ID: "LKM01"}
	bright    = x270.Provider{Name: "BRIGHT SMILES DENTAL GROUP", NPI: "1234567893"}
	lakeview  = x270.Provider{Name: "LAKEVIEW ORAL SURGERY", NPI: "1672390451"}
)

func testEnvelope() x12write.Envelope {
	return x12write.Envelope{
		SenderQualifier: "ZZ", SenderID: "BACKDESK", ReceiverQualifier: "ZZ", ReceiverID: "CLEARHOUSE01",
		InterchangeControl: 1201, GroupControl: 1201, At: time.Date(2024, 3, 18, 9, 5, 0, 0, time.UTC),
	}
}

// testBatch is the batch of testdata/batch.edi: two payers, two providers
// at the first, and a dependent.
func testBatch() x270.Batch {
	return x270.Batch{
		Envelope:        testEnvelope(),
		TraceOriginator: "1999999999",
		Requests: []x270.Request{
			{
				TraceNumber: "WI-000417", Payer: summit, Provider: bright,
				Subscriber:  x270.Person{First: "ANA", Last: "RIVERA", MemberID: "SDB900112", BirthDate: day(1985, 4, 12), Gender: "F"},
				GroupNumber: "GRP4471", ServiceDate: day(2024, 3, 20),
				ServiceTypes: codes.DentalServiceTypes([]string{"D0120", "D1110"}),
			},
			{
				TraceNumber: "WI-000418", Payer: lakeshore, Provider: bright,
				Subscriber: x270.Person{First: "DAVID", Last: "OKAFOR", MemberID: "LM5521907"},
			},
			{
				TraceNumber: "WI-000420", Payer: summit, Provider: bright,
				Subscriber:   x270.Person{First: "LINDA", Last: "NGUYEN", MemberID: "SDB771230", BirthDate: day(1979, 11, 2), Gender: "F"},
				Patient:      &x270.Person{First: "THOMAS", Last: "NGUYEN", BirthDate: day(2012, 6, 30), Gender: "M"},
				ServiceDate:  day(2024, 3, 21),
				ServiceTypes: codes.DentalServiceTypes([]string{"D2740", "D8080"}),
			},
			{
				TraceNumber: "WI-000421", Payer: summit, Provider: lakeview,
				Subscriber:   x270.Person{First: "MARIA", Last: "LOPEZ", MemberID: "SDB456001", BirthDate: day(1990, 1, 5), Gender: "F"},
				ServiceDate:  day(2024, 3, 22),
				ServiceTypes: []string{"35", "40"},
			},
		},
	}
}

// tb is what the read-back helpers need of a *testing.T or a *rapid.T.
type tb interface {
	require.TestingT
	Helper()
}

// asked is what the file says about one request, found by its trace
// number.
type asked struct {
	set        string // ST02
	payerID    string
	npi        string
	originator string
	level      string   // HL03 of the patient's level: 22 or 23
	member     string   // NM109 of the subscriber
	last       string   // NM103 of the patient
	types      []string // EQ01 repetitions
	date       string   // DTP*291
}

// readBack reads a written 270 interchange through pkg/x12, which checks
// every envelope count and control number, checks the HL tree of each set
// and returns what each trace number asks.
func readBack(t tb, data []byte, env x12write.Envelope) (map[string]asked, []string) {
	t.Helper()
	r := x12.NewReader(bytes.NewReader(data))
	got := map[string]asked{}
	var controls []string
	for tr, err := range r.Transactions() {
		require.NoError(t, err)
		require.Equal(t, "270", tr.Code)
		require.Equal(t, x270.Version, tr.ImplementationRef)
		require.Equal(t, x270.FunctionalID, tr.Group.FunctionalID)
		require.Equal(t, strconv.FormatInt(env.GroupControl, 10), tr.Group.ControlNumber)
		require.Equal(t, padControl(env.InterchangeControl), tr.Interchange.ControlNumber)
		require.Equal(t, strconv.Itoa(len(controls)+1), strings.TrimLeft(tr.ControlNumber, "0"))
		require.Len(t, tr.ControlNumber, 4)
		controls = append(controls, tr.ControlNumber)
		readSet(t, tr, got)
	}
	return got, controls
}

func padControl(n int64) string {
	s := strconv.FormatInt(n, 10)
	return strings.Repeat("0", 9-len(s)) + s
}

// readSet checks one transaction set's hierarchy and adds its requests to
// got.
func readSet(t tb, tr *x12.Transaction, got map[string]asked) {
	t.Helper()
	segs := tr.Segments
	bht := segs[1]
	require.Equal(t, "BHT", bht.ID)
	require.Equal(t, []string{"0022", "13"}, bht.Elements[:2])
	require.True(t, strings.HasSuffix(bht.Element(3), "-"+tr.ControlNumber))

	levels := map[string]string{} // HL01 -> HL03
	parentOf := map[string]string{"21": "20", "22": "21", "23": "22"}
	var hls []x12.Segment
	var payerID, npi, member string
	var cur *asked
	var trace string
	for _, s := range segs[2 : len(segs)-1] {
		switch s.ID {
		case "HL":
			require.Equal(t, strconv.Itoa(len(hls)+1), s.Element(1), "HL IDs count up from 1")
			level := s.Element(3)
			if level == "20" {
				require.Empty(t, s.Element(2))
			} else {
				require.Equal(t, parentOf[level], levels[s.Element(2)], "HL %s under the right level", s.Element(1))
			}
			levels[s.Element(1)] = level
			hls = append(hls, s)
			cur, trace = nil, ""
		case "NM1":
			switch s.Element(1) {
			case "PR":
				require.Equal(t, "PI", s.Element(8))
				payerID = s.Element(9)
			case "1P":
				require.Equal(t, "XX", s.Element(8))
				npi = s.Element(9)
			case "IL":
				require.Equal(t, "MI", s.Element(8))
				member = s.Element(9)
				if cur != nil {
					cur.last, cur.member = s.Element(3), member
				}
			case "03":
				require.LessOrEqual(t, len(s.Elements), 4, "a dependent has no member ID")
				require.NotNil(t, cur)
				cur.last = s.Element(3)
			}
		case "TRN":
			require.Equal(t, "1", s.Element(1))
			trace = s.Element(2)
			_, dup := got[trace]
			require.False(t, dup, "each trace number once")
			cur = &asked{set: tr.ControlNumber, payerID: payerID, npi: npi, originator: s.Element(3),
				level: hls[len(hls)-1].Element(3), member: member}
		case "DMG":
			require.NotNil(t, cur, "demographics only on the patient's level")
		case "DTP":
			require.Equal(t, "291", s.Element(1))
			require.NotNil(t, cur, "the date is on the patient's level")
			cur.date = s.Element(3)
		case "EQ":
			require.NotNil(t, cur, "EQ is on the patient's level")
			cur.types = s.Repetitions(1)
			got[trace] = *cur
		}
	}
	// HL04 says whether a level has children.
	for i, h := range hls {
		hasChild := false
		for _, later := range hls[i+1:] {
			if later.Element(2) == h.Element(1) {
				hasChild = true
			}
		}
		want := "0"
		if hasChild {
			want = "1"
		}
		require.Equal(t, want, h.Element(4), "HL %s child code", h.Element(1))
	}
}
