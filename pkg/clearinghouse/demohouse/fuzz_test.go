package demohouse_test

import (
	"bytes"
	"testing"

	"github.com/backdesk/backdesk/pkg/clearinghouse/demohouse"
	"github.com/backdesk/backdesk/pkg/x12"
	"github.com/backdesk/backdesk/pkg/x12/x271"
	"github.com/backdesk/backdesk/pkg/x12/x277"
	"github.com/backdesk/backdesk/pkg/x12/x999"
)

// Whatever a batch holds, Answer270 does not panic, and what it answers
// reads back: a 999 and a 271 answering as many requests as the batch
// has traces.
func FuzzAnswer270(f *testing.F) {
	f.Add(readFile(f, "270-batch.edi"))
	f.Add(readFile(f, "276-batch.edi"))
	f.Fuzz(func(t *testing.T, body []byte) {
		ack, answer, err := demohouse.Answer270(body, now)
		if err != nil {
			return
		}
		if _, err := x999.Read(bytes.NewReader(ack)); err != nil {
			t.Fatalf("the 999 does not read back: %v", err)
		}
		for tr, err := range x12.NewReader(bytes.NewReader(answer)).Transactions() {
			if err != nil {
				t.Fatalf("the 271 does not read back: %v", err)
			}
			if _, err := x271.Decode(tr); err != nil {
				t.Fatalf("the 271 does not decode: %v", err)
			}
		}
	})
}

// Likewise for claim status batches and their 277s.
func FuzzAnswer276(f *testing.F) {
	f.Add(readFile(f, "276-batch.edi"))
	f.Add(readFile(f, "270-batch.edi"))
	f.Fuzz(func(t *testing.T, body []byte) {
		ack, answer, err := demohouse.Answer276(body, now)
		if err != nil {
			return
		}
		if _, err := x999.Read(bytes.NewReader(ack)); err != nil {
			t.Fatalf("the 999 does not read back: %v", err)
		}
		for tr, err := range x12.NewReader(bytes.NewReader(answer)).Transactions() {
			if err != nil {
				t.Fatalf("the 277 does not read back: %v", err)
			}
			if _, err := x277.Decode(tr); err != nil {
				t.Fatalf("the 277 does not decode: %v", err)
			}
		}
	})
}
