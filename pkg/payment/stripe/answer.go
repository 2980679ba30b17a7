package stripe

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/backdesk/backdesk/pkg/payment"
	stripego "github.com/stripe/stripe-go/v82"
)

var (
	// Stripe's codes, request ids and parameter names are short words;
	// anything else is not repeated.
	word      = regexp.MustCompile(`^[A-Za-z0-9_]{1,100}$`)
	paramName = regexp.MustCompile(`^[a-z0-9_\[\]]{1,200}$`)
)

// failure turns what the library returned into a *payment.Error.
//
// A *stripe.Error's own text is the whole error as JSON, with Stripe's
// message and, for card errors, the payment method and its billing
// details; only its status, type, code, parameter name, request id and
// documentation link are kept. Any other error is the network's (kept:
// it names the API's URL and the cause) or an answer the library could
// not read (dropped: the library quotes the answer's body).
func failure(err error) *payment.Error {
	var se *stripego.Error
	if errors.As(err, &se) {
		return refusal(se)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &payment.Error{Retry: true, Reason: "the request was cut short", Err: err}
	}
	var ue *url.Error
	var ne net.Error
	if errors.As(err, &ue) || errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &payment.Error{Retry: true,
			Reason: "Stripe could not be reached, or the connection broke before it answered", Err: err}
	}
	// Asking again with the same Key replays the same answer.
	return &payment.Error{Retry: true, KeySpent: true, Reason: "Stripe's answer could not be read"}
}

// refusal maps Stripe's error answer: retried when Stripe is limiting the
// rate (429), busy with another request under the same key or a
// conflicting one (409), or failing (5xx), not otherwise. Stripe saves a 5xx answer under the
// idempotency key and replays it, so that retry needs a new Key.
func refusal(se *stripego.Error) *payment.Error {
	e := &payment.Error{HTTPStatus: se.HTTPStatusCode}
	if word.MatchString(string(se.Code)) {
		e.Code = string(se.Code)
	}
	if word.MatchString(se.RequestID) {
		e.RequestID = se.RequestID
	}
	if doc := se.DocURL; (strings.HasPrefix(doc, "https://stripe.com/docs/") || strings.HasPrefix(doc, "https://docs.stripe.com/")) &&
		!strings.ContainsAny(doc, " \t\r\n") {
		e.MoreInfo = doc
	}
	status := se.HTTPStatusCode
	switch {
	case status == http.StatusTooManyRequests:
		e.Retry = true
		e.Reason = "Stripe is limiting the request rate"
	case status >= 500:
		e.Retry, e.KeySpent = true, true
		e.Reason = "Stripe failed to create the session"
	case se.Code == stripego.ErrorCodeIdempotencyKeyInUse:
		e.Retry = true
		e.Reason = "another request with the same idempotency key is still running at Stripe"
	case se.Type == stripego.ErrorTypeIdempotency:
		e.Reason = "the idempotency key was already used for a different request"
	case status == http.StatusConflict:
		e.Retry = true
		e.Reason = "the request conflicts with another one running at Stripe"
	case status == http.StatusUnauthorized:
		e.Reason = "Stripe refused the secret key"
	case status == http.StatusForbidden:
		e.Reason = "the key is not allowed to create Checkout Sessions"
	case se.Type == stripego.ErrorTypeCard || status == http.StatusPaymentRequired:
		e.Reason = "Stripe refused the request with a card error"
	default:
		e.Reason = "Stripe refused the request"
		if paramName.MatchString(se.Param) {
			e.Reason += " at parameter " + se.Param
		}
	}
	return e
}
