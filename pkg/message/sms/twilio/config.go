package twilio

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/backdesk/backdesk/pkg/platform/endpoint"
	"github.com/backdesk/backdesk/pkg/platform/secretref"
)

// baseURL is what BaseURL may be: the credentials go with every request
// (basic auth), so only https, or plain http to this machine.
var baseURL = endpoint.BaseURL{Example: "https://api.twilio.com", PathAllowed: true}

// DefaultBaseURL is Twilio's REST API.
const DefaultBaseURL = "https://api.twilio.com"

// Config is how Backdesk reaches its Twilio account.
type Config struct {
	// AccountSID is the account's id, "AC" and 32 hex digits.
	AccountSID string
	// AuthTokenRef names the account's auth token: env:NAME for an
	// environment variable or file:PATH for a mounted secret. The token
	// itself is never configured, logged or shown.
	AuthTokenRef string
	// From is the sending number in E.164 form ("+14155550123") or a
	// short code; MessagingServiceSID ("MG" and 32 hex digits) sends
	// through a Messaging Service's sender pool instead. At least one is
	// needed; with both, From must be in the service's pool.
	From                string
	MessagingServiceSID string
	// BaseURL is where the API is; empty means DefaultBaseURL. It must be
	// https, except on a loopback address (a local test server).
	BaseURL string
	// HTTPClient makes the requests; nil means one with a 30-second
	// timeout. It is copied, never changed.
	HTTPClient *http.Client
}

var (
	accountSID = regexp.MustCompile(`^AC[0-9a-fA-F]{32}$`)
	serviceSID = regexp.MustCompile(`^MG[0-9a-fA-F]{32}$`)
	e164       = regexp.MustCompile(`^\+[1-9][0-9]{7,14}$`)
	shortCode  = regexp.MustCompile(`^[0-9]{5,6}$`)
)

// Problems checks the configuration and returns every problem at once, by
// field, in words; empty means it can be used. It does not read the auth
// token, only checks the form of its reference.
func (c Config) Problems() map[string]string {
	p := map[string]string{}
	switch {
	case c.AccountSID == "":
		p["account_sid"] = "is required: the account's SID from the Twilio console, AC followed by 32 hex digits"
	case !accountSID.MatchString(c.AccountSID):
		p["account_sid"] = "must be AC followed by 32 hex digits"
	}
	if err := checkTokenRef(c.AuthTokenRef); err != nil {
		p["auth_token_ref"] = err.Error()
	}
	if c.From == "" && c.MessagingServiceSID == "" {
		p["from"] = "is required unless messaging_service_sid is set: the sending number, e.g. +14155550123"
	}
	if c.From != "" && !e164.MatchString(c.From) && !shortCode.MatchString(c.From) {
		p["from"] = "must be a number in E.164 form, e.g. +14155550123, or a short code"
	}
	if c.MessagingServiceSID != "" && !serviceSID.MatchString(c.MessagingServiceSID) {
		p["messaging_service_sid"] = "must be MG followed by 32 hex digits"
	}
	if c.BaseURL != "" {
		if err := baseURL.Check(c.BaseURL); err != nil {
			p["base_url"] = err.Error()
		}
	}
	return p
}

// checkTokenRef accepts env:NAME and file:PATH, the two ways a secret is
// handed to a pod.
func checkTokenRef(ref string) error {
	switch {
	case ref == "":
		return errors.New("is required: env:NAME or file:PATH naming the auth token")
	case secretref.Check(ref) != nil:
		return errors.New("must be env:NAME or file:PATH; the token itself is never configured")
	}
	return nil
}

// authToken reads the token the reference names. Errors name the
// reference, never the token.
func (c Config) authToken() (string, error) {
	if err := checkTokenRef(c.AuthTokenRef); err != nil {
		return "", fmt.Errorf("twilio auth token reference %s", err)
	}
	token, err := secretref.Read(c.AuthTokenRef)
	switch {
	case errors.Is(err, secretref.ErrNotSet):
		token = ""
	case err != nil:
		return "", fmt.Errorf("twilio auth token %s: %w", c.AuthTokenRef, err)
	}
	// Mounted secrets often end in a newline; a token has no spaces.
	token = strings.TrimSpace(token)
	if token == "" {
		return "", fmt.Errorf("twilio auth token %s: not set or empty", c.AuthTokenRef)
	}
	return token, nil
}
