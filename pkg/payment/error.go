package payment

import (
	"errors"
	"fmt"

	"github.com/backdesk/backdesk/pkg/platform/apperr"
)

// Error is a checkout that was not created: refused before asking,
// refused by the provider, or never answered. Its text names the
// provider's code and HTTP status and says in words what went wrong; it
// never holds card data, patient data, the provider's own message (which
// can quote what was sent) or a credential.
type Error struct {
	// Code is the provider's error code (Stripe's "rate_limit" or
	// "card_declined"); empty when none came back.
	Code string
	// HTTPStatus is the status of the provider's answer; 0 when none came.
	HTTPStatus int
	// Retry says whether the request may be tried again later: the
	// provider was unreachable, limiting the request rate, busy with
	// another request under the same key, or failing on its side.
	Retry bool
	// KeySpent says that the provider saved this failure under the
	// request's Key and answers the same way to the same Key: a retry
	// needs a new Key. Stripe does this for its 5xx answers. A second
	// checkout for the same link is harmless, since no money moves until
	// the patient pays on a checkout's page.
	KeySpent bool
	// Reason says in words what went wrong, when Err does not.
	Reason string
	// RequestID is the provider's id for the request, for its support.
	RequestID string
	// MoreInfo is the provider's page about Code, when it named one.
	MoreInfo string
	// Err is the cause, such as the network error that kept the answer
	// from coming.
	Err error
}

// Error returns the failure in words.
func (e *Error) Error() string {
	return apperr.ProviderFailure{What: "checkout not created", HTTPStatus: e.HTTPStatus, Code: e.Code, Reason: e.Reason, Err: e.Err,
		RequestID: e.RequestID, MoreInfo: e.MoreInfo}.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Temporary reports whether a failed CreateCheckout may be tried again
// later: true for an *Error that says so (network errors, 429, 5xx),
// false for every other error, since a malformed request, a refused key
// or a broken configuration fail the same way on every try. See
// Error.KeySpent for whether the retry needs a new Key.
func Temporary(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Retry
}

// ErrIgnored is a verified webhook about something Backdesk does not act
// on: another event type, or a checkout it did not make. Answer it with
// success, so the provider stops sending it, and apply nothing. An
// *IgnoredError says which event it was.
var ErrIgnored = errors.New("the event is not one Backdesk acts on")

// IgnoredError is a verified webhook that is not a payment event for
// Backdesk; errors.Is(err, ErrIgnored) finds it.
type IgnoredError struct {
	// EventID and EventType are the provider's id and type for the event.
	EventID, EventType string
	// Why says in words why it is ignored, when the type alone does not.
	Why string
}

// Error names the event and why it is ignored.
func (e *IgnoredError) Error() string {
	s := fmt.Sprintf("payment event %s (%s) ignored", e.EventID, e.EventType)
	if e.Why != "" {
		s += ": " + e.Why
	}
	return s
}

// Is makes errors.Is(err, ErrIgnored) true.
func (e *IgnoredError) Is(target error) bool { return target == ErrIgnored }
