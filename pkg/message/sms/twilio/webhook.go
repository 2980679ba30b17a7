package twilio

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"
)

// SignatureHeader is the header Twilio signs its callbacks with.
const SignatureHeader = "X-Twilio-Signature"

// maxCallback bounds a callback's body; a text and its details are a few
// kilobytes.
const maxCallback = 1 << 20

// Why Verify refuses a callback, found with errors.Is.
var (
	// ErrNoSignature is a request without the signature header: not from
	// Twilio.
	ErrNoSignature = errors.New("the request has no " + SignatureHeader + " header")
	// ErrBadSignature is a signature that does not match: another auth
	// token, a parameter changed on the way, or a public URL other than
	// the one Twilio called.
	ErrBadSignature = errors.New("the " + SignatureHeader + " header does not match the request")
)

// Signature is what Twilio puts in the signature header for a POST of
// params to fullURL: the base64 of the HMAC-SHA1, keyed with the auth
// token, of the URL (query string included) followed by every parameter's
// name and value, names in sorted order, with nothing between them. A name
// given more than once adds each of its values, in sorted order. Tests of
// callback handlers sign their requests with it.
func Signature(token, fullURL string, params url.Values) string {
	mac := hmac.New(sha1.New, []byte(token))
	io.WriteString(mac, fullURL)
	for _, name := range slices.Sorted(maps.Keys(params)) {
		for _, v := range slices.Sorted(slices.Values(params[name])) {
			io.WriteString(mac, name)
			io.WriteString(mac, v)
		}
	}
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// Verify checks that r is a callback Twilio signed with token and returns
// its POST parameters. publicURL is the URL as Twilio called it, scheme,
// host, path and query string exactly as configured at Twilio; behind a
// proxy it differs from the URL the server sees, which is why it is given
// rather than rebuilt. Only form-encoded POSTs are accepted. The body is
// read, and put back for a later reader.
//
// Errors say what is wrong (ErrNoSignature, ErrBadSignature, or the
// request's form) and never include the token, the signature expected or
// the parameters.
func Verify(r *http.Request, publicURL, token string) (url.Values, error) {
	switch {
	case token == "":
		return nil, errors.New("twilio callback: no auth token to check the signature with")
	case publicURL == "":
		return nil, errors.New("twilio callback: no public URL to check the signature against")
	case r.Method != http.MethodPost:
		return nil, fmt.Errorf("twilio callback: method %s: only POST callbacks are accepted", r.Method)
	}
	got := r.Header.Get(SignatureHeader)
	if got == "" {
		return nil, fmt.Errorf("twilio callback: %w", ErrNoSignature)
	}
	if err := checkFormType(r.Header.Get("Content-Type")); err != nil {
		return nil, fmt.Errorf("twilio callback: %w", err)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxCallback+1))
	if err != nil {
		return nil, fmt.Errorf("twilio callback: reading the body: %w", err)
	}
	if len(body) > maxCallback {
		return nil, errors.New("twilio callback: the body is larger than 1 MiB")
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	// The parse error can quote the body, which is patient data.
	params, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, errors.New("twilio callback: the body is not form-encoded")
	}
	want := Signature(token, publicURL, params)
	if !hmac.Equal([]byte(got), []byte(want)) {
		return nil, fmt.Errorf("twilio callback: %w", ErrBadSignature)
	}
	return params, nil
}

// checkFormType refuses anything but a form body, naming JSON: Twilio
// signs JSON bodies differently, and messaging callbacks are forms.
func checkFormType(contentType string) error {
	mt, _, err := mime.ParseMediaType(contentType)
	switch {
	case err == nil && mt == "application/x-www-form-urlencoded":
		return nil
	case err == nil && mt == "application/json":
		return errors.New("JSON callbacks are not accepted; configure the callback to send form parameters")
	}
	return errors.New("the body must be application/x-www-form-urlencoded")
}

// Verify checks a callback against the account's auth token, read from
// the configured reference; see the package function Verify.
func (c *Client) Verify(r *http.Request, publicURL string) (url.Values, error) {
	token, err := c.cfg.authToken()
	if err != nil {
		return nil, fmt.Errorf("twilio callback: %w", err)
	}
	return Verify(r, publicURL, token)
}
