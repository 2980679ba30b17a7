package stripe_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/payment/stripe"
	"github.com/stretchr/testify/require"
	"github.com/stripe/stripe-go/v82/webhook"
)

// The scheme, as Stripe documents it for verifying signatures without its
// libraries (https://docs.stripe.com/webhooks#verify-manually):
//
//  1. Split the Stripe-Signature header at "," and each element at "=";
//     t is the timestamp, each v1 a signature; discard everything else
//     (Stripe adds a v0 to test-mode events; ignoring all schemes but v1
//     prevents downgrade attacks).
//  2. signed_payload is the timestamp, the character ".", and the
//     request's raw body.
//  3. The expected signature is the HMAC with SHA-256 of signed_payload,
//     keyed with the endpoint's signing secret.
//  4. Compare it with each v1 in constant time, and refuse a timestamp
//     too far from the current time (Stripe's libraries allow five
//     minutes).
//
// The documentation's example header is
// "t=1492774577,v1=5257a869...,v0=6ffbb59b..." without the secret or body
// it signs, so the tests below sign their own body with their own secret
// at that timestamp, and compute the expected signature here, with
// crypto/hmac, from the documented steps alone.
const (
	docTimestamp = 1492774577
	testSecret   = "whsec_6dG2kT9pQ4wX1mZ8vB3nR7yC5hJ0sL2e"
	otherSecret  = "whsec_Qm8rT2vX6zB1nD4fH7jK9pS3wY5cE0gA"
)

// expected follows the documented steps 2 and 3 by hand.
func expected(secret string, timestamp int64, body []byte) string {
	signedPayload := strconv.FormatInt(timestamp, 10) + "." + string(body)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(signedPayload))
	return hex.EncodeToString(mac.Sum(nil))
}

var docBody = []byte(`{
  "id": "evt_1QbDk4Ffa8e1c0b7Pq2Rs3Tu",
  "object": "event",
  "created": 1492774577,
  "data": {"object": {"id": "cs_test_a1Zb2Yc3", "object": "checkout.session", "mode": "payment", "payment_status": "paid",
    "amount_total": 12550, "currency": "usd", "client_reference_id": "6f1c2a9e", "payment_intent": "pi_3QbDk4Ffa8e1c0b7",
    "customer_details": {"name": "Maria Lopez", "email": "maria.lopez@example.com"}}},
  "type": "checkout.session.completed"
}`)

var docTime = time.Unix(docTimestamp, 0)

func TestSignatureFollowsTheDocumentedScheme(t *testing.T) {
	t.Parallel()
	want := expected(testSecret, docTimestamp, docBody)
	require.Len(t, want, 64, "hex of 32 bytes")
	require.Equal(t, want, stripe.Signature(testSecret, docTime, docBody))
	require.Equal(t, "t=1492774577,v1="+want, stripe.SignedHeader(testSecret, docTime, docBody))
	// The library's own signer agrees.
	require.Equal(t, want, hex.EncodeToString(webhook.ComputeSignature(docTime, docBody, testSecret)))
	// Any change to the secret, the time or one byte of the body changes it.
	require.NotEqual(t, want, stripe.Signature(otherSecret, docTime, docBody))
	require.NotEqual(t, want, stripe.Signature(testSecret, docTime.Add(time.Second), docBody))
	tampered := []byte(strings.Replace(string(docBody), "12550", "12551", 1))
	require.NotEqual(t, want, stripe.Signature(testSecret, docTime, tampered))
}

func TestVerifyAccepts(t *testing.T) {
	t.Parallel()
	sig := expected(testSecret, docTimestamp, docBody)
	old := expected(otherSecret, docTimestamp, docBody)
	v0 := expected(testSecret, docTimestamp, docBody) // Stripe's test-mode extra; its value is not checked
	for _, c := range []struct {
		name, header string
		now          time.Time
	}{
		{"as signed", "t=1492774577,v1=" + sig, docTime},
		{"received 10 seconds later", "t=1492774577,v1=" + sig, docTime.Add(10 * time.Second)},
		{"test mode, with a v0", "t=1492774577,v1=" + sig + ",v0=" + v0, docTime},
		{"rolled secret, ours second", "t=1492774577,v1=" + old + ",v1=" + sig, docTime},
		{"rolled secret, ours first", "t=1492774577,v1=" + sig + ",v1=" + old, docTime},
		{"timestamp last", "v1=" + sig + ",t=1492774577", docTime},
		{"an unknown scheme", "t=1492774577,v2=abc,v1=" + sig, docTime},
		{"upper-case hex", "t=1492774577,v1=" + strings.ToUpper(sig), docTime},
		{"exactly 5 minutes old", "t=1492774577,v1=" + sig, docTime.Add(5 * time.Minute)},
		{"exactly 5 minutes ahead", "t=1492774577,v1=" + sig, docTime.Add(-5 * time.Minute)},
	} {
		require.NoError(t, stripe.Verify(docBody, c.header, testSecret, c.now), c.name)
	}
}

func TestVerifyRefuses(t *testing.T) {
	t.Parallel()
	sig := expected(testSecret, docTimestamp, docBody)
	tampered := []byte(strings.Replace(string(docBody), `"amount_total": 12550`, `"amount_total": 1`, 1))
	reencoded := []byte(strings.ReplaceAll(string(docBody), "\n  ", "\n"))
	for _, c := range []struct {
		name   string
		body   []byte
		header string
		secret string
		now    time.Time
		is     error
	}{
		{"missing header", docBody, "", testSecret, docTime, stripe.ErrNoSignature},
		{"blank header", docBody, "  ", testSecret, docTime, stripe.ErrNoSignature},
		{"tampered body", tampered, "t=1492774577,v1=" + sig, testSecret, docTime, stripe.ErrBadSignature},
		{"re-encoded body", reencoded, "t=1492774577,v1=" + sig, testSecret, docTime, stripe.ErrBadSignature},
		{"wrong secret", docBody, "t=1492774577,v1=" + sig, otherSecret, docTime, stripe.ErrBadSignature},
		{"timestamp changed", docBody, "t=1492774578,v1=" + sig, testSecret, docTime, stripe.ErrBadSignature},
		{"several v1, none ours", docBody, "t=1492774577,v1=" + expected(otherSecret, docTimestamp, docBody) +
			",v1=" + expected("whsec_third", docTimestamp, docBody), testSecret, docTime, stripe.ErrBadSignature},
		{"v0 only: a downgrade", docBody, "t=1492774577,v0=" + sig, testSecret, docTime, stripe.ErrBadSignature},
		{"V1 in upper case", docBody, "t=1492774577,V1=" + sig, testSecret, docTime, stripe.ErrBadSignature},
		{"signature truncated", docBody, "t=1492774577,v1=" + sig[:62], testSecret, docTime, stripe.ErrBadSignature},
		{"signature not hex", docBody, "t=1492774577,v1=" + strings.Repeat("z", 64), testSecret, docTime, stripe.ErrBadSignature},
		{"no timestamp", docBody, "v1=" + sig, testSecret, docTime, stripe.ErrBadSignature},
		{"timestamp not a number", docBody, "t=yesterday,v1=" + sig, testSecret, docTime, stripe.ErrBadSignature},
		{"two timestamps", docBody, "t=1,t=1492774577,v1=" + sig, testSecret, docTime, stripe.ErrBadSignature},
		{"spaces", docBody, "t=1492774577, v1=" + sig, testSecret, docTime, stripe.ErrBadSignature},
		{"garbage", docBody, "sha256=" + sig, testSecret, docTime, stripe.ErrBadSignature},
		{"replayed 5 minutes and a second later", docBody, "t=1492774577,v1=" + sig, testSecret,
			docTime.Add(5*time.Minute + time.Second), stripe.ErrTooOld},
		{"replayed a day later", docBody, "t=1492774577,v1=" + sig, testSecret, docTime.Add(24 * time.Hour), stripe.ErrTooOld},
		{"5 minutes and a second ahead", docBody, "t=1492774577,v1=" + sig, testSecret,
			docTime.Add(-5*time.Minute - time.Second), stripe.ErrTooNew},
		{"a day ahead", docBody, "t=1492774577,v1=" + sig, testSecret, docTime.Add(-24 * time.Hour), stripe.ErrTooNew},
		{"no secret", docBody, "t=1492774577,v1=" + sig, "", docTime, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			err := stripe.Verify(c.body, c.header, c.secret, c.now)
			require.Error(t, err)
			if c.is != nil {
				require.ErrorIs(t, err, c.is)
			}
			for _, private := range []string{testSecret, otherSecret, sig, "Maria", "maria.lopez", "12550"} {
				require.NotContains(t, err.Error(), private)
			}
		})
	}
}

// TestVerifyAgreesWithStripeGo checks the signature check against the one
// in Stripe's Go library, which cannot be given a clock: on the same
// headers at the signing time, both accept or both refuse; and each
// accepts the other's freshly signed header on the real clock.
func TestVerifyAgreesWithStripeGo(t *testing.T) {
	t.Parallel()
	sig := expected(testSecret, docTimestamp, docBody)
	other := expected(otherSecret, docTimestamp, docBody)
	tampered := []byte(strings.Replace(string(docBody), "12550", "12551", 1))
	for _, c := range []struct {
		body   []byte
		header string
		secret string
	}{
		{docBody, "t=1492774577,v1=" + sig, testSecret},
		{docBody, "t=1492774577,v1=" + sig + ",v0=" + sig, testSecret},
		{docBody, "t=1492774577,v1=" + other + ",v1=" + sig, testSecret},
		{docBody, "t=1492774577,v1=" + sig + ",v1=" + other, testSecret},
		{docBody, "t=1492774577,v1=" + other, testSecret},
		{docBody, "t=1492774577,v1=" + sig, otherSecret},
		{tampered, "t=1492774577,v1=" + sig, testSecret},
		{docBody, "t=1492774578,v1=" + sig, testSecret},
		{docBody, "t=1492774577,v0=" + sig, testSecret},
		{docBody, "t=1492774577,v1=" + sig[:62], testSecret},
		{docBody, "t=1492774577,v1=zz" + sig[2:], testSecret},
		{docBody, "v1=" + sig, testSecret},
		{docBody, "t=1492774577, v1=" + sig, testSecret},
		{docBody, "", testSecret},
	} {
		ours := stripe.Verify(c.body, c.header, c.secret, docTime)
		theirs := webhook.ValidatePayloadIgnoringTolerance(c.body, c.header, c.secret)
		require.Equal(t, theirs == nil, ours == nil, "header %q: stripe-go says %v, Verify says %v", c.header, theirs, ours)
	}

	now := time.Now()
	theirs := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: docBody, Secret: testSecret, Timestamp: now})
	require.NoError(t, stripe.Verify(docBody, theirs.Header, testSecret, now))
	require.NoError(t, webhook.ValidatePayload(docBody, stripe.SignedHeader(testSecret, now, docBody), testSecret))

	// Both refuse a signature older than the tolerance. (Stripe's library
	// accepts one from the future; Verify refuses one more than five
	// minutes ahead, with ErrTooNew.)
	old := now.Add(-6 * time.Minute)
	require.ErrorIs(t, webhook.ValidatePayload(docBody, stripe.SignedHeader(testSecret, old, docBody), testSecret), webhook.ErrTooOld)
	require.ErrorIs(t, stripe.Verify(docBody, stripe.SignedHeader(testSecret, old, docBody), testSecret, now), stripe.ErrTooOld)
}
