package twilio

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/backdesk/backdesk/pkg/platform/apperr"

	"github.com/backdesk/backdesk/pkg/message/sms"
)

// Client sends texts through one Twilio account.
type Client struct {
	cfg  Config
	base string
	http *http.Client
}

var _ sms.Provider = (*Client)(nil)

// maxBody is Twilio's limit on a message body, in characters.
const maxBody = 1600

// maxAnswer bounds what is read of Twilio's answer; a Message is a few
// kilobytes.
const maxAnswer = 1 << 20

// New makes a client, refusing a configuration with problems (all of them
// named in the error). The auth token is not read until a text is sent.
func New(cfg Config) (*Client, error) {
	if p := cfg.Problems(); len(p) > 0 {
		return nil, apperr.ProviderSettings("twilio", p)
	}
	base := strings.TrimRight(cfg.BaseURL, "/")
	if base == "" {
		base = DefaultBaseURL
	}
	hc := http.Client{Timeout: 30 * time.Second}
	if cfg.HTTPClient != nil {
		hc = *cfg.HTTPClient
	}
	// A redirected POST would be replayed as a GET elsewhere; a send
	// takes Twilio's first answer.
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Client{cfg: cfg, base: base, http: &hc}, nil
}

// Send creates a Message: a POST of To, From and/or MessagingServiceSid,
// Body and StatusCallback to the account's Messages resource. The text's
// From, when set, replaces the configured one. Twilio's Messages API takes
// no idempotency key, so the text's Key is not sent.
//
// Errors are *sms.Error (see sms.Temporary) except for a configuration or
// auth token that cannot be used; none contains the number, the body or
// the token. Twilio's own error message is dropped, since it can quote the
// number.
func (c *Client) Send(ctx context.Context, t sms.Text) (sms.Receipt, error) {
	form, err := c.form(t)
	if err != nil {
		return sms.Receipt{}, err
	}
	token, err := c.cfg.authToken()
	if err != nil {
		return sms.Receipt{}, fmt.Errorf("text not sent: %w", err)
	}
	endpoint := c.base + "/2010-04-01/Accounts/" + url.PathEscape(c.cfg.AccountSID) + "/Messages.json"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return sms.Receipt{}, fmt.Errorf("text not sent: %w", err)
	}
	req.SetBasicAuth(c.cfg.AccountSID, token)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")

	resp, err := c.http.Do(req)
	if err != nil {
		return sms.Receipt{}, &sms.Error{Retry: true,
			Reason: "Twilio could not be reached, or the connection broke before it answered", Err: err}
	}
	defer resp.Body.Close()
	// The status decides; an answer that breaks off is read as far as it
	// goes.
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if resp.StatusCode/100 != 2 {
		return sms.Receipt{}, refusal(resp.StatusCode, body)
	}
	r, ok := accepted(body)
	if !ok {
		// Twilio took the request; sending again could text the patient
		// twice, so this is not retried.
		return sms.Receipt{}, &sms.Error{HTTPStatus: resp.StatusCode,
			Reason: "Twilio accepted the request but its answer could not be read; the text may have been sent"}
	}
	return r, nil
}

// form builds the request's parameters, refusing a text Twilio would
// refuse anyway.
func (c *Client) form(t sms.Text) (url.Values, error) {
	switch {
	case !e164.MatchString(t.To):
		return nil, &sms.Error{Reason: "the recipient's number is not in E.164 form (+ and country code)", Err: sms.ErrInvalidNumber}
	case strings.TrimSpace(t.Body) == "":
		return nil, &sms.Error{Reason: "the message body is empty"}
	case !utf8.ValidString(t.Body):
		return nil, &sms.Error{Reason: "the message body is not valid UTF-8"}
	case utf8.RuneCountInString(t.Body) > maxBody:
		return nil, &sms.Error{Reason: fmt.Sprintf("the message body is longer than Twilio's %d characters", maxBody)}
	case t.From != "" && !e164.MatchString(t.From) && !shortCode.MatchString(t.From):
		return nil, &sms.Error{Reason: "the sending number is not in E.164 form or a short code"}
	}
	if t.StatusCallback != "" {
		u, err := url.Parse(t.StatusCallback)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, &sms.Error{Reason: "the status callback is not an absolute http(s) URL"}
		}
	}
	f := url.Values{"To": {t.To}, "Body": {t.Body}}
	from := t.From
	if from == "" {
		from = c.cfg.From
	}
	if from != "" {
		f.Set("From", from)
	}
	if c.cfg.MessagingServiceSID != "" {
		f.Set("MessagingServiceSid", c.cfg.MessagingServiceSID)
	}
	if t.StatusCallback != "" {
		f.Set("StatusCallback", t.StatusCallback)
	}
	return f, nil
}
