package payment_test

import (
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/payment"
	"github.com/stretchr/testify/require"
)

const practice = "Payment to Bright Smile Dental"

func request() payment.CheckoutRequest {
	return payment.CheckoutRequest{
		Key:             "paylink-6f1c2a9e-attempt-1",
		AmountCents:     12550,
		Currency:        payment.USD,
		Description:     practice,
		SuccessURL:      "https://pay.backdesk.example/p/6f1c2a9e/done",
		CancelURL:       "https://pay.backdesk.example/p/6f1c2a9e",
		ClientReference: "6f1c2a9e-0b4d-4c1e-9a55-2f7d8c3b1e40",
		ExpiresAt:       time.Date(2026, 10, 6, 17, 0, 0, 0, time.UTC),
		Metadata:        map[string]string{"practice": "bright-smile", "statement": "st_8812"},
	}
}

func TestCheckAccepts(t *testing.T) {
	t.Parallel()
	require.NoError(t, request().Check())
	r := request()
	r.ExpiresAt = time.Time{}
	r.Metadata = nil
	r.SuccessURL = "http://localhost:8080/p/6f1c2a9e/done"
	require.NoError(t, r.Check(), "no expiry, no metadata, plain http for development")
	r.Key = strings.Repeat("k", payment.MaxKeyLength)
	r.ClientReference = strings.Repeat("r", payment.MaxReferenceLength)
	r.Description = strings.Repeat("é", payment.MaxDescriptionLength)
	require.NoError(t, r.Check(), "at the limits")
}

func TestCheckRefuses(t *testing.T) {
	t.Parallel()
	many := map[string]string{}
	for i := range payment.MaxMetadataEntries + 1 {
		many[strings.Repeat("k", i+1)] = "v"
	}
	for _, c := range []struct {
		name string
		edit func(*payment.CheckoutRequest)
		says string
	}{
		{"no key", func(r *payment.CheckoutRequest) { r.Key = "" }, "idempotency key is empty"},
		{"long key", func(r *payment.CheckoutRequest) { r.Key = strings.Repeat("k", 256) }, "longer than 255"},
		{"spaced key", func(r *payment.CheckoutRequest) { r.Key = " k" }, "surrounding spaces"},
		{"zero amount", func(r *payment.CheckoutRequest) { r.AmountCents = 0 }, "amount is not more than zero"},
		{"negative amount", func(r *payment.CheckoutRequest) { r.AmountCents = -100 }, "amount is not more than zero"},
		{"no currency", func(r *payment.CheckoutRequest) { r.Currency = "" }, `currency is not "usd"`},
		{"upper case currency", func(r *payment.CheckoutRequest) { r.Currency = "USD" }, `currency is not "usd"`},
		{"euros", func(r *payment.CheckoutRequest) { r.Currency = "eur" }, `currency is not "usd"`},
		{"no description", func(r *payment.CheckoutRequest) { r.Description = " " }, "description is empty"},
		{"two-line description", func(r *payment.CheckoutRequest) { r.Description = "Payment\nMaria Lopez" }, "one line"},
		{"long description", func(r *payment.CheckoutRequest) { r.Description = strings.Repeat("a", 251) }, "longer than 250"},
		{"relative success URL", func(r *payment.CheckoutRequest) { r.SuccessURL = "/p/done" }, "success URL"},
		{"ftp cancel URL", func(r *payment.CheckoutRequest) { r.CancelURL = "ftp://backdesk.example/p" }, "cancel URL"},
		{"credentials in URL", func(r *payment.CheckoutRequest) { r.CancelURL = "https://a:b@backdesk.example/p" }, "cancel URL"},
		{"no reference", func(r *payment.CheckoutRequest) { r.ClientReference = "" }, "client reference is empty"},
		{"name as reference", func(r *payment.CheckoutRequest) { r.ClientReference = "Maria Lopez" }, "client reference is not an id"},
		{"long reference", func(r *payment.CheckoutRequest) { r.ClientReference = strings.Repeat("r", 201) }, "longer than 200"},
		{"e-mail in metadata", func(r *payment.CheckoutRequest) { r.Metadata["patient"] = "maria@example.com" }, "metadata value for patient is not an id"},
		{"sentence in metadata", func(r *payment.CheckoutRequest) { r.Metadata["note"] = "crown on 14" }, "metadata value for note is not an id"},
		{"bracket in metadata key", func(r *payment.CheckoutRequest) { r.Metadata["a[b]"] = "1" }, "metadata key"},
		{"long metadata key", func(r *payment.CheckoutRequest) { r.Metadata[strings.Repeat("k", 41)] = "1" }, "metadata key"},
		{"too much metadata", func(r *payment.CheckoutRequest) { r.Metadata = many }, "more than 50 entries"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := request()
			c.edit(&r)
			err := r.Check()
			require.ErrorContains(t, err, c.says)
			require.False(t, payment.Temporary(err))
			for _, private := range []string{"Maria", "maria@example.com", "crown"} {
				require.NotContains(t, err.Error(), private, "the value is never quoted")
			}
		})
	}
}
