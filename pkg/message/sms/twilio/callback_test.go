package twilio_test

import (
	"net/url"
	"testing"

	"github.com/backdesk/backdesk/pkg/message/sms"
	"github.com/backdesk/backdesk/pkg/message/sms/twilio"
	"github.com/stretchr/testify/require"
)

func TestParseStatus(t *testing.T) {
	t.Parallel()
	delivered := url.Values{
		"SmsSid": {"SM0a1b2c3d4e5f60718293a4b5c6d7e8f9"}, "SmsStatus": {"delivered"}, "MessageStatus": {"delivered"},
		"To": {patient}, "MessageSid": {"SM0a1b2c3d4e5f60718293a4b5c6d7e8f9"}, "AccountSid": {testSID},
		"From": {office}, "ApiVersion": {"2010-04-01"},
	}
	s, err := twilio.ParseStatus(delivered)
	require.NoError(t, err)
	require.Equal(t, sms.Status{ProviderID: "SM0a1b2c3d4e5f60718293a4b5c6d7e8f9", Status: "delivered"}, s)

	undelivered := url.Values{
		"ErrorCode": {"30003"}, "SmsSid": {"SM0a1b2c3d4e5f60718293a4b5c6d7e8f9"}, "SmsStatus": {"undelivered"},
		"MessageStatus": {"undelivered"}, "To": {patient}, "MessagingServiceSid": {testService},
		"MessageSid": {"SM0a1b2c3d4e5f60718293a4b5c6d7e8f9"}, "AccountSid": {testSID}, "ApiVersion": {"2010-04-01"},
	}
	s, err = twilio.ParseStatus(undelivered)
	require.NoError(t, err)
	require.Equal(t, sms.Status{ProviderID: "SM0a1b2c3d4e5f60718293a4b5c6d7e8f9", Status: "undelivered", ErrorCode: "30003"}, s)

	// Only the older names.
	s, err = twilio.ParseStatus(url.Values{"SmsSid": {"SM1"}, "SmsStatus": {"sent"}})
	require.NoError(t, err)
	require.Equal(t, sms.Status{ProviderID: "SM1", Status: "sent"}, s)

	_, err = twilio.ParseStatus(url.Values{"To": {patient}, "From": {office}})
	require.EqualError(t, err, "twilio status callback: missing MessageSid, MessageStatus")
}

func TestParseInbound(t *testing.T) {
	t.Parallel()
	in, err := twilio.ParseInbound(inboundForm())
	require.NoError(t, err)
	require.Equal(t, sms.Inbound{ProviderID: "SM9f8e7d6c5b4a39281706f5e4d3c2b1a0", From: patient, To: office,
		Body: "Can I move it to Thursday? Maria"}, in)

	stop := inboundForm()
	stop.Set("Body", " Stop ")
	stop.Set("OptOutType", "STOP")
	in, err = twilio.ParseInbound(stop)
	require.NoError(t, err)
	require.Equal(t, " Stop ", in.Body, "kept as written")
	require.Equal(t, sms.StopKeyword, sms.ClassifyKeyword(in.Body))

	picture := inboundForm()
	picture.Del("Body")
	picture.Set("NumMedia", "1")
	picture.Set("MediaUrl0", "https://api.twilio.com/2010-04-01/Accounts/"+testSID+"/Messages/MM1/Media/ME1")
	in, err = twilio.ParseInbound(picture)
	require.NoError(t, err)
	require.Empty(t, in.Body)

	partial := inboundForm()
	partial.Del("From")
	partial.Del("MessageSid")
	partial.Del("SmsSid")
	_, err = twilio.ParseInbound(partial)
	require.EqualError(t, err, "twilio incoming message: missing MessageSid, From")
	requireClean(t, err)
}
