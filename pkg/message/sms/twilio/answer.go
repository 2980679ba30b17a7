package twilio

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/backdesk/backdesk/pkg/message/sms"
)

// message is the part of a created Message that Backdesk keeps.
type message struct {
	SID    string `json:"sid"`
	Status string `json:"status"`
}

// failure is Twilio's error body. Its "status" is the HTTP status as a
// number (where a Message's is a word), and its "message" may quote the
// number texted, so neither is read.
type failure struct {
	Code     json.RawMessage `json:"code"`
	MoreInfo string          `json:"more_info"`
}

// accepted reads a created Message.
func accepted(body []byte) (sms.Receipt, bool) {
	var m message
	if err := json.Unmarshal(body, &m); err != nil || m.SID == "" {
		return sms.Receipt{}, false
	}
	return sms.Receipt{ProviderID: m.SID, Status: m.Status}, true
}

// Twilio error codes Backdesk acts on.
const (
	codeTooManyRequests = "20429"
	codeBadCredentials  = "20003"
	codeInvalidTo       = "21211" // the To number is not a valid phone number
	codeUnsubscribed    = "21610" // the recipient replied STOP
	codeNotMobile       = "21614" // the To number is not a mobile number
)

// refusal turns Twilio's error answer into an *sms.Error: retried when
// Twilio is limiting the rate (429) or failing (5xx), not otherwise.
func refusal(status int, body []byte) *sms.Error {
	var f failure
	e := &sms.Error{HTTPStatus: status}
	if json.Unmarshal(body, &f) == nil {
		e.Code = code(f.Code)
		// Only Twilio's own pages; the field is the provider's text.
		if strings.HasPrefix(f.MoreInfo, "https://www.twilio.com/") && !strings.ContainsAny(f.MoreInfo, " \r\n") {
			e.MoreInfo = f.MoreInfo
		}
	}
	switch {
	case status == http.StatusTooManyRequests || e.Code == codeTooManyRequests:
		e.Retry = true
		e.Reason = "Twilio is limiting the request rate"
	case status >= 500:
		e.Retry = true
		e.Reason = "Twilio failed to take the message"
	case e.Code == codeUnsubscribed:
		e.Err = sms.ErrUnsubscribed
	case e.Code == codeInvalidTo, e.Code == codeNotMobile:
		e.Err = sms.ErrInvalidNumber
	case status == http.StatusUnauthorized || e.Code == codeBadCredentials:
		e.Reason = "Twilio refused the account SID and auth token"
	case status/100 == 3:
		e.Reason = "Twilio answered with a redirect"
	default:
		e.Reason = "Twilio refused the message"
	}
	return e
}

// code reads Twilio's error code, a JSON number (a string is tolerated),
// keeping it only if it is digits.
func code(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	s := string(raw)
	if uq, err := strconv.Unquote(s); err == nil {
		s = uq
	}
	if s == "" || strings.Trim(s, "0123456789") != "" {
		return ""
	}
	return s
}
