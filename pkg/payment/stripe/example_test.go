package stripe_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/payment"
	"github.com/backdesk/backdesk/pkg/payment/stripe"
)

// A webhook handler: read the raw body (bounded), check its signature,
// read the event, and answer. Stripe retries anything but a 2xx, so an
// ignored event is answered 200 too; a refused signature is 400.
func ExampleVerify() {
	const secret = "whsec_6dG2kT9pQ4wX1mZ8vB3nR7yC5hJ0sL2e" // from Config's WebhookSecretRef in a service
	webhookHandler := func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		if err := stripe.Verify(body, r.Header.Get(stripe.SignatureHeader), secret, time.Now()); err != nil {
			http.Error(w, "bad signature", http.StatusBadRequest)
			return
		}
		ev, err := stripe.ParseEvent(body)
		switch {
		case errors.Is(err, payment.ErrIgnored):
			fmt.Println("ignored")
		case err != nil:
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		default:
			// Refuse ev.ID if already applied, then record the payment.
			fmt.Println(ev.Type, ev.ClientReference, ev.AmountCents)
		}
		w.WriteHeader(http.StatusOK)
	}

	body := `{"id": "evt_1", "object": "event", "created": 1791306000, "type": "checkout.session.completed",
 "data": {"object": {"id": "cs_test_1", "object": "checkout.session", "mode": "payment", "payment_status": "paid",
  "amount_total": 4500, "currency": "usd", "client_reference_id": "7c1d", "payment_intent": "pi_1"}}}`
	r := httptest.NewRequest(http.MethodPost, "/webhooks/stripe", strings.NewReader(body))
	r.Header.Set(stripe.SignatureHeader, stripe.SignedHeader(secret, time.Now(), []byte(body)))
	webhookHandler(httptest.NewRecorder(), r)
	// Output: paid 7c1d 4500
}
