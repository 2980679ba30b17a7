package payment_test

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/backdesk/backdesk/pkg/payment"
	"github.com/stretchr/testify/require"
)

func TestTemporary(t *testing.T) {
	t.Parallel()
	busy := &payment.Error{HTTPStatus: 429, Code: "rate_limit", Retry: true, Reason: "the provider is limiting the request rate"}
	require.True(t, payment.Temporary(busy))
	require.True(t, payment.Temporary(fmt.Errorf("link l-1: %w", busy)), "seen through wrapping")
	require.True(t, payment.Temporary(&payment.Error{Retry: true, Err: io.ErrUnexpectedEOF}))

	require.False(t, payment.Temporary(&payment.Error{HTTPStatus: 401, Reason: "the provider refused the key"}))
	require.False(t, payment.Temporary(errors.New("secret key file:/run/x: no such file or directory")))
	require.False(t, payment.Temporary(nil))
}

func TestErrorText(t *testing.T) {
	t.Parallel()
	e := &payment.Error{HTTPStatus: 402, Code: "card_declined", Reason: "the provider refused the request",
		RequestID: "req_8Hk2", MoreInfo: "https://stripe.com/docs/error-codes/card-declined"}
	require.Equal(t, "checkout not created (HTTP 402, code card_declined): the provider refused the request; request req_8Hk2; see https://stripe.com/docs/error-codes/card-declined", e.Error())
	e = &payment.Error{Retry: true, Reason: "the provider could not be reached", Err: io.ErrUnexpectedEOF}
	require.Equal(t, "checkout not created: the provider could not be reached: unexpected EOF", e.Error())
	require.ErrorIs(t, e, io.ErrUnexpectedEOF)
	require.Equal(t, "checkout not created (HTTP 500): x", (&payment.Error{HTTPStatus: 500, Reason: "x"}).Error())
	require.Equal(t, "checkout not created (code idempotency_error): x", (&payment.Error{Code: "idempotency_error", Reason: "x"}).Error())
}

func TestIgnored(t *testing.T) {
	t.Parallel()
	var err error = &payment.IgnoredError{EventID: "evt_1", EventType: "customer.created"}
	require.ErrorIs(t, fmt.Errorf("webhook: %w", err), payment.ErrIgnored)
	require.EqualError(t, err, "payment event evt_1 (customer.created) ignored")
	err = &payment.IgnoredError{EventID: "evt_2", EventType: "checkout.session.completed", Why: "not a payment-mode session"}
	require.EqualError(t, err, "payment event evt_2 (checkout.session.completed) ignored: not a payment-mode session")
	require.False(t, payment.Temporary(err))
}
