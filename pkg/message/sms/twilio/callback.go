package twilio

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/backdesk/backdesk/pkg/message/sms"
)

// ParseStatus reads a delivery status callback's parameters, as Verify
// returns them: MessageSid and MessageStatus (or the older SmsSid and
// SmsStatus Twilio also sends), and ErrorCode when the message failed.
// Errors name the missing parameters, never the values.
func ParseStatus(form url.Values) (sms.Status, error) {
	s := sms.Status{
		ProviderID: first(form, "MessageSid", "SmsSid"),
		Status:     first(form, "MessageStatus", "SmsStatus"),
		ErrorCode:  strings.TrimSpace(form.Get("ErrorCode")),
	}
	if err := missing("status callback", map[string]string{"MessageSid": s.ProviderID, "MessageStatus": s.Status}); err != nil {
		return sms.Status{}, err
	}
	return s, nil
}

// ParseInbound reads an incoming message callback's parameters, as Verify
// returns them: MessageSid (or SmsSid), From, To and Body. The body is
// kept as the patient wrote it and may be empty (a picture alone); media
// is not read. Errors name the missing parameters, never the values.
func ParseInbound(form url.Values) (sms.Inbound, error) {
	in := sms.Inbound{
		ProviderID: first(form, "MessageSid", "SmsSid"),
		From:       strings.TrimSpace(form.Get("From")),
		To:         strings.TrimSpace(form.Get("To")),
		Body:       form.Get("Body"),
	}
	if err := missing("incoming message", map[string]string{"MessageSid": in.ProviderID, "From": in.From, "To": in.To}); err != nil {
		return sms.Inbound{}, err
	}
	return in, nil
}

// missing names the required parameters that are empty, in a fixed order.
func missing(what string, required map[string]string) error {
	var names []string
	for _, n := range []string{"MessageSid", "MessageStatus", "From", "To"} {
		if v, ok := required[n]; ok && v == "" {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return nil
	}
	return fmt.Errorf("twilio %s: missing %s", what, strings.Join(names, ", "))
}

// first returns the first non-empty value among the names.
func first(form url.Values, names ...string) string {
	for _, n := range names {
		if v := strings.TrimSpace(form.Get(n)); v != "" {
			return v
		}
	}
	return ""
}
