// Package stripe makes hosted checkouts with Stripe Checkout and reads the
// webhooks Stripe sends about them, using Stripe's Go library for the API
// calls.
//
// A Client creates one Checkout Session per payment.CheckoutRequest: in
// payment mode, with a single line item whose price is given inline (the
// amount and currency, named with the request's Description), the return
// URLs, the request's ClientReference as client_reference_id, its expiry
// and metadata, and its Key as the Idempotency-Key header. The patient
// pays on Stripe's page; no card data reaches Backdesk. The library's own
// retries are turned off (callers retry, see payment.Temporary) and its
// logging is silenced, since it would log Stripe's answers.
//
// Webhooks arrive as JSON signed in the Stripe-Signature header with the
// endpoint's signing secret. Verify checks the signature as Stripe
// documents it, refusing one more than five minutes from the server's
// clock; ParseEvent turns the event into a payment.Event; VerifyWebhook
// does both with the configured secret. Events Backdesk does not act on
// come back as a *payment.IgnoredError.
//
// The secret key and the webhook signing secret are named by references
// (env:NAME or file:PATH) and read when needed, so rotated secrets are
// picked up without a restart; neither appears in a log line or an error.
package stripe
