// Package apperr defines the small set of error kinds that every layer of
// Backdesk speaks: a store turns driver errors into them, a domain package
// returns them, and the HTTP layer turns them into status codes. Keeping the
// vocabulary here lets the domain stay ignorant of HTTP and SQL alike.
package apperr

import (
	"errors"
	"fmt"
)

// Kind classifies an error by what the caller can do about it.
type Kind string

// The kinds. Each maps to one HTTP status in the web package.
const (
	KindInvalid         Kind = "invalid"         // the request is malformed or breaks a rule
	KindNotFound        Kind = "not_found"       // the thing does not exist (or the caller may not know it does)
	KindConflict        Kind = "conflict"        // a uniqueness or version conflict
	KindUnauthenticated Kind = "unauthenticated" // no or bad credentials
	KindForbidden       Kind = "forbidden"       // credentials fine, permission missing
	KindUnavailable     Kind = "unavailable"     // a dependency is down; retry later
	KindTooLarge        Kind = "too_large"       // the request body exceeds a limit
	KindInternal        Kind = "internal"        // a bug or an unexpected failure
)

// Sentinel errors for errors.Is checks; stores wrap them with %w.
var (
	ErrNotFound    = &Error{Kind: KindNotFound, Code: "not_found", Message: "not found"}
	ErrConflict    = &Error{Kind: KindConflict, Code: "conflict", Message: "conflict"}
	ErrUnavailable = &Error{Kind: KindUnavailable, Code: "unavailable", Message: "service temporarily unavailable"}
)

// Error is an error a client may see. Message must never carry protected
// health information: it is logged and returned verbatim.
type Error struct {
	Kind    Kind
	Code    string // stable, machine-readable, e.g. "invalid_npi"
	Message string // human-readable, safe to show and to log
	Field   string // the offending input field, when there is one
	// Fields holds every offending field with what is wrong with it, in
	// words, when a form had several at once (Invalids); Field is then
	// the first of them.
	Fields map[string]string
	Err    error // the cause, never shown to clients
}

// Error implements error.
func (e *Error) Error() string {
	msg := e.Message
	if e.Field != "" {
		msg = e.Field + ": " + msg
	}
	if e.Err != nil {
		return msg + ": " + e.Err.Error()
	}
	return msg
}

// Unwrap exposes the cause to errors.Is and errors.As.
func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrNotFound) true for any *Error of the same kind,
// so a store can return a specific message and still match the sentinel.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	return t.Kind == e.Kind && (t.Code == e.Code || t == sentinelOf(t.Kind))
}

func sentinelOf(k Kind) *Error {
	switch k {
	case KindNotFound:
		return ErrNotFound
	case KindConflict:
		return ErrConflict
	case KindUnavailable:
		return ErrUnavailable
	}
	return nil
}

// Invalid reports a broken input rule on one field.
func Invalid(field, code, format string, args ...any) *Error {
	return &Error{Kind: KindInvalid, Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Invalids reports every broken field of a form at once, so that each
// can be shown beside its input: fields maps a field to what is wrong
// with it. Field is the first in alphabetical order.
func Invalids(fields map[string]string) *Error {
	first := ""
	for f := range fields {
		if first == "" || f < first {
			first = f
		}
	}
	n := len(fields)
	msg := fmt.Sprintf("%d fields need attention", n)
	if n == 1 {
		msg = fields[first]
	}
	return &Error{Kind: KindInvalid, Code: "invalid_fields", Field: first, Message: msg, Fields: fields}
}

// NotFound reports a missing resource; what names the resource type.
func NotFound(what string) *Error {
	return &Error{Kind: KindNotFound, Code: "not_found", Message: what + " not found"}
}

// Conflict reports a uniqueness or version conflict.
func Conflict(code, message string, cause error) *Error {
	return &Error{Kind: KindConflict, Code: code, Message: message, Err: cause}
}

// Unavailable reports a dependency that is down.
func Unavailable(message string, cause error) *Error {
	return &Error{Kind: KindUnavailable, Code: "unavailable", Message: message, Err: cause}
}

// KindOf returns the kind of err, or KindInternal when err is not an *Error.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}
