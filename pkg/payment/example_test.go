package payment_test

import (
	"context"
	"fmt"
	"time"

	"github.com/backdesk/backdesk/pkg/payment"
)

// The dev flow: pay by link asks the configured Provider for a checkout;
// with DevProvider the patient lands on Backdesk's dev page, whose Pay
// button calls Complete and hands the Event to the code that applies
// webhook events.
func ExampleDevProvider() {
	var p payment.Provider
	d, err := payment.NewDevProvider("http://localhost:8080", nil)
	if err != nil {
		panic(err)
	}
	p = d

	co, err := p.CreateCheckout(context.Background(), payment.CheckoutRequest{
		Key:             "link-7c1d-1",
		AmountCents:     4500,
		Currency:        payment.USD,
		Description:     "Payment to Bright Smile Dental",
		SuccessURL:      "http://localhost:8080/p/7c1d/done",
		CancelURL:       "http://localhost:8080/p/7c1d",
		ClientReference: "7c1d",
		ExpiresAt:       time.Now().Add(time.Hour),
	})
	if err != nil {
		panic(err)
	}

	// On the dev page, the Pay button:
	id := co.URL[len("http://localhost:8080"+payment.DevPayPath):]
	ev, err := d.Complete(id)
	if err != nil {
		panic(err)
	}
	apply := func(ev payment.Event) { // what the webhook handler calls too
		fmt.Println(ev.Type, ev.ClientReference, ev.AmountCents, ev.Currency)
	}
	apply(ev)
	// Output: paid 7c1d 4500 usd
}
