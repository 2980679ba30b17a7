package x12_test

import (
	"bytes"
	"io"
	"reflect"
	"testing"

	"github.com/backdesk/backdesk/pkg/x12"
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
