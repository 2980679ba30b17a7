package sms_test

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/backdesk/backdesk/pkg/message/sms"
	"github.com/stretchr/testify/require"
)

func TestTemporary(t *testing.T) {
	t.Parallel()
	busy := &sms.Error{HTTPStatus: 429, Code: "20429", Retry: true, Reason: "the provider is limiting the request rate"}
	require.True(t, sms.Temporary(busy))
	require.True(t, sms.Temporary(fmt.Errorf("reminder r-1: %w", busy)), "seen through wrapping")
	require.True(t, sms.Temporary(&sms.Error{Retry: true, Err: io.ErrUnexpectedEOF}))

	stopped := &sms.Error{HTTPStatus: 400, Code: "21610", Err: sms.ErrUnsubscribed}
	require.False(t, sms.Temporary(stopped))
	require.ErrorIs(t, fmt.Errorf("reminder r-1: %w", stopped), sms.ErrUnsubscribed)
	require.False(t, sms.Temporary(errors.New("auth token file:/run/x: no such file or directory")))
	require.False(t, sms.Temporary(nil))
}

func TestErrorText(t *testing.T) {
	t.Parallel()
	e := &sms.Error{HTTPStatus: 400, Code: "21610", Err: sms.ErrUnsubscribed, MoreInfo: "https://www.twilio.com/docs/errors/21610"}
	require.Equal(t, "text not sent (HTTP 400, code 21610): the recipient has opted out of texts from this sender; see https://www.twilio.com/docs/errors/21610", e.Error())
	e = &sms.Error{Retry: true, Reason: "the provider could not be reached", Err: io.ErrUnexpectedEOF}
	require.Equal(t, "text not sent: the provider could not be reached: unexpected EOF", e.Error())
	require.ErrorIs(t, e, io.ErrUnexpectedEOF)
}
