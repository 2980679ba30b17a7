package apperr

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// ProviderFailure is how an outside provider's failure (a payment
// company's, a text gateway's) reads in an error: what did not happen,
// the provider's HTTP status and code when it gave them, the reason in
// words, the cause, the provider's request id and its page about the code.
// Empty parts are left out.
type ProviderFailure struct {
	What       string // e.g. "text not sent"
	HTTPStatus int
	Code       string
	Reason     string
	Err        error
	RequestID  string
	MoreInfo   string
}

// String returns the failure in words.
func (f ProviderFailure) String() string {
	var b strings.Builder
	b.WriteString(f.What)
	switch {
	case f.HTTPStatus != 0 && f.Code != "":
		fmt.Fprintf(&b, " (HTTP %d, code %s)", f.HTTPStatus, f.Code)
	case f.HTTPStatus != 0:
		fmt.Fprintf(&b, " (HTTP %d)", f.HTTPStatus)
	case f.Code != "":
		fmt.Fprintf(&b, " (code %s)", f.Code)
	}
	if f.Reason != "" {
		b.WriteString(": " + f.Reason)
	}
	if f.Err != nil {
		b.WriteString(": " + f.Err.Error())
	}
	if f.RequestID != "" {
		b.WriteString("; request " + f.RequestID)
	}
	if f.MoreInfo != "" {
		b.WriteString("; see " + f.MoreInfo)
	}
	return b.String()
}

// ProviderSettings is the error for a provider's settings that do not
// hold: every problem, field by field in name order, after the
// provider's name, e.g. "stripe configuration: base_url must be https
// (plain http only to a loopback address); secret_key_ref is required".
func ProviderSettings(provider string, problems map[string]string) error {
	var b strings.Builder
	b.WriteString(provider + " configuration:")
	for i, field := range slices.Sorted(maps.Keys(problems)) {
		if i > 0 {
			b.WriteString(";")
		}
		b.WriteString(" " + field + " " + problems[field])
	}
	return errors.New(b.String())
}
