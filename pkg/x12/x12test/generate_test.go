package x12test_test

import (
	"bytes"
	"testing"

	"github.com/backdesk/backdesk/pkg/x12"
	"github.com/backdesk/backdesk/pkg/x12/x12test"
	"github.com/backdesk/backdesk/pkg/x12/x835"
)

// What Generate835 writes reads back through the decoder as the claims,
// amounts and checks its summary promises, every one balanced.
func TestGenerated835Decodes(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	const claims = 1234
	sum, err := x12test.Generate835(&buf, claims, 7)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Claims != claims || sum.Transactions != 3 || sum.Bytes != int64(buf.Len()) {
		t.Fatalf("summary %+v for %d bytes", sum, buf.Len())
	}
	var got x12test.Summary
	var payments int64
	for tr, err := range x12.NewReader(bytes.NewReader(buf.Bytes())).Transactions() {
		if err != nil {
			t.Fatal(err)
		}
		rem, err := x835.Decode(tr)
		if err != nil {
			t.Fatal(err)
		}
		got.Transactions++
		payments += rem.PaymentCents
		if !rem.Balanced() {
			t.Errorf("check %s does not balance", rem.CheckNumber)
		}
		for _, c := range rem.Claims {
			got.Claims++
			got.ServiceLines += len(c.ServiceLines)
			got.ChargeCents += c.ChargeCents
			got.PaidCents += c.PaidCents
			if c.IsDenied() {
				got.Denied++
			}
			if !c.Balanced() {
				t.Errorf("claim %s does not balance", c.PatientControlNumber)
			}
		}
	}
	got.Bytes = sum.Bytes
	if got != sum || payments != sum.PaidCents {
		t.Errorf("decoded %+v (payments %d), generator said %+v", got, payments, sum)
	}
	if sum.Denied == 0 || sum.Denied == claims {
		t.Errorf("no mix of outcomes: %d denied", sum.Denied)
	}
}

func TestGenerate835IsDeterministic(t *testing.T) {
	t.Parallel()
	var a, b, c bytes.Buffer
	if _, err := x12test.Generate835(&a, 50, 3); err != nil {
		t.Fatal(err)
	}
	if _, err := x12test.Generate835(&b, 50, 3); err != nil {
		t.Fatal(err)
	}
	if _, err := x12test.Generate835(&c, 50, 4); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) || bytes.Equal(a.Bytes(), c.Bytes()) {
		t.Error("same seed must give the same bytes and another seed other bytes")
	}
}

func TestGenerateNoClaims(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if _, err := x12test.Generate835(&buf, 0, 1); err != nil {
		t.Fatal(err)
	}
	// An interchange with an empty group is still well formed.
	r := x12.NewReader(&buf)
	if _, err := r.NextTransaction(); err == nil || err.Error() != "EOF" {
		t.Errorf("got %v, want EOF", err)
	}
}
