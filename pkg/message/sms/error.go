package sms

import (
	"errors"

	"github.com/backdesk/backdesk/pkg/platform/apperr"
)

// Causes a provider reports that callers act on, found with errors.Is.
var (
	// ErrUnsubscribed is a recipient who has opted out of texts from the
	// sender (replied STOP or the like). Record the opt-out; sending again
	// fails the same way until the patient opts back in.
	ErrUnsubscribed = errors.New("the recipient has opted out of texts from this sender")
	// ErrInvalidNumber is a recipient number that cannot receive texts:
	// malformed, not a phone number, or not a mobile number.
	ErrInvalidNumber = errors.New("the recipient's number cannot receive texts")
)

// Error is a send that failed: refused by the provider, or never answered.
// Its text names the provider's code and HTTP status and says in words
// what went wrong; it never holds the recipient's number, the body or a
// credential.
type Error struct {
	// Code is the provider's error code (Twilio's "21610"); empty when
	// none came back.
	Code string
	// HTTPStatus is the status of the provider's answer; 0 when none came.
	HTTPStatus int
	// Retry says whether the same text may be sent again later: the
	// provider was unreachable, limiting the request rate, or failing on
	// its side. A retry after a broken connection may send the text
	// twice, since the provider may have taken it before the break.
	Retry bool
	// Reason says in words what went wrong, when Err does not.
	Reason string
	// MoreInfo is the provider's page about Code, when it named one.
	MoreInfo string
	// Err is the cause: ErrUnsubscribed, ErrInvalidNumber, or the
	// network error that kept the answer from coming.
	Err error
}

// Error returns the failure in words.
func (e *Error) Error() string {
	return apperr.ProviderFailure{What: "text not sent", HTTPStatus: e.HTTPStatus, Code: e.Code, Reason: e.Reason, Err: e.Err,
		MoreInfo: e.MoreInfo}.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Temporary reports whether a failed send may be tried again later: true
// for an *Error that says so (network errors, 429, 5xx), false for every
// other error, since a refused number, an opted-out patient, a malformed
// text or a broken configuration fail the same way on every try.
func Temporary(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Retry
}
