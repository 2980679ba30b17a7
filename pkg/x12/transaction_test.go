package x12_test

import (
	"bytes"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/backdesk/backdesk/pkg/x12"
	"github.com/stretchr/testify/require"
)

// Two interchanges, the first with two functional groups and three sets
// between them, come out as four transactions with their own headers.
func TestTransactionsAcrossEnvelopes(t *testing.T) {
	t.Parallel()
	r := x12.NewReader(bytes.NewReader(readFile(t, "835-multi.edi")))
	type key struct{ isa, gs, fid, version, code, st string }
	var got []key
	var firstSegs []x12.Segment
	for tr, err := range r.Transactions() {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, key{tr.Interchange.ControlNumber, tr.Group.ControlNumber, tr.Group.FunctionalID,
			tr.Group.Version, tr.Code, tr.ControlNumber})
		if firstSegs == nil {
			firstSegs = tr.Segments
		}
		if tr.Segments[0].ID != "ST" || tr.Segments[len(tr.Segments)-1].ID != "SE" || tr.Pos() != tr.Segments[0].Pos {
			t.Errorf("set %s does not run from ST to SE", tr.ControlNumber)
		}
		if tr.ImplementationRef != "005010X221A1" || tr.Interchange.SenderID != "SUMMITDB" || tr.Interchange.Usage != "P" {
			t.Errorf("set %s headers: %+v", tr.ControlNumber, tr.Interchange)
		}
	}
	want := []key{
		{"000005001", "5001", "HP", "005010X221A1", "835", "0001"},
		{"000005001", "5001", "HP", "005010X221A1", "835", "0002"},
		{"000005001", "5002", "HP", "005010X221A1", "835", "0003"},
		{"000005002", "5003", "HP", "005010X221A1", "835", "0001"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
	if firstSegs[0].Pos.Segment != 3 || len(firstSegs) != 11 {
		t.Errorf("first set: starts at %v with %d segments", firstSegs[0].Pos, len(firstSegs))
	}
	if _, err := r.NextTransaction(); err != io.EOF {
		t.Errorf("after the last set: %v", err)
	}
}

func TestTransactionsStopsAtError(t *testing.T) {
	t.Parallel()
	input := append(readFile(t, "835-paid.edi"), "ISA*bad"...)
	var sets, errs int
	for _, err := range x12.NewReader(bytes.NewReader(input)).Transactions() {
		if err != nil {
			errs++
		} else {
			sets++
		}
	}
	if sets != 1 || errs != 1 {
		t.Errorf("%d sets and %d errors, want 1 and 1", sets, errs)
	}
}

// TA1 segments stand between the ISA and the first GS, or alone in their
// interchange. NextTransaction passes over them and InterchangeAcks keeps
// each with the header of the interchange that carried it.
func TestInterchangeAcks(t *testing.T) {
	t.Parallel()
	second := strings.ReplaceAll(isa, "000000001", "000000002")
	cases := []struct {
		name  string
		input string
		sets  []string // ST02 of each set NextTransaction returns
		acks  []string // carrier ISA13/TA101/TA104/TA105 and segment ordinal of each TA1
	}{
		{"interchange with only a TA1",
			isa + "\nTA1*000000123*240315*1015*R*018~\nIEA*0*000000001~\n",
			nil, []string{"000000001/000000123/R/018@2"}},
		{"TA1 before a functional group",
			strings.Replace(minimal(), isa+"\n", isa+"\nTA1*000000123*240315*1015*A*000~\n", 1),
			[]string{"0001"}, []string{"000000001/000000123/A/000@2"}},
		{"TA1s in two interchanges",
			isa + "TA1*000000123*240315*1015*A*000~TA1*000000124*240315*1016*E*024~IEA*0*000000001~" +
				second + "TA1*000000125*240316*0800*A*000~IEA*0*000000002~",
			nil, []string{"000000001/000000123/A/000@2", "000000001/000000124/E/024@3", "000000002/000000125/A/000@6"}},
		{"no TA1", minimal(), []string{"0001"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := x12.NewReader(strings.NewReader(c.input))
			var sets []string
			for tr, err := range r.Transactions() {
				require.NoError(t, err)
				sets = append(sets, tr.ControlNumber)
			}
			require.Equal(t, c.sets, sets)
			_, err := r.NextTransaction()
			require.ErrorIs(t, err, io.EOF)
			var acks []string
			for _, a := range r.InterchangeAcks() {
				require.Equal(t, "TA1", a.Segment.ID)
				acks = append(acks, fmt.Sprintf("%s/%s/%s/%s@%d", a.Interchange.ControlNumber,
					a.Segment.Element(1), a.Segment.Element(4), a.Segment.Element(5), a.Segment.Pos.Segment))
			}
			require.Equal(t, c.acks, acks)
		})
	}
}

// Next hands back a TA1 in its place among the envelope segments, and
// InterchangeAcks gives a copy the caller may change.
func TestInterchangeAcksThroughNext(t *testing.T) {
	t.Parallel()
	r := x12.NewReader(strings.NewReader(isa + "TA1*000000123*240315*1015*A*000~IEA*0*000000001~"))
	var ids []string
	for {
		s, err := r.Next()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		ids = append(ids, s.ID)
	}
	require.Equal(t, []string{"ISA", "TA1", "IEA"}, ids)
	acks := r.InterchangeAcks()
	require.Len(t, acks, 1)
	acks[0].Segment.ID = "XX"
	require.Equal(t, "TA1", r.InterchangeAcks()[0].Segment.ID)
}
