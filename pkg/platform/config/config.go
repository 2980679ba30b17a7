// Package config reads a service's settings from the environment and
// validates them as a table of checks, so a process with a missing or
// malformed setting refuses to start and says which variable is wrong.
package config

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Getenv looks up one variable; os.Getenv fits, and tests pass a map's lookup.
type Getenv func(name string) string

// Reader reads typed values and remembers every problem it meets, so all of
// them are reported together rather than one per restart.
type Reader struct {
	get  Getenv
	errs []error
}

// NewReader returns a Reader over get.
func NewReader(get Getenv) *Reader { return &Reader{get: get} }

// VarError names the variable that is wrong and why.
type VarError struct {
	Var     string
	Message string
}

// Error implements error.
func (e *VarError) Error() string { return e.Var + ": " + e.Message }

func (r *Reader) fail(name, format string, args ...any) {
	r.errs = append(r.errs, &VarError{Var: name, Message: fmt.Sprintf(format, args...)})
}

// String returns the variable, or def when it is unset or empty.
func (r *Reader) String(name, def string) string {
	if v := strings.TrimSpace(r.get(name)); v != "" {
		return v
	}
	return def
}

// Required returns the variable, or records that it is missing.
func (r *Reader) Required(name string) string {
	v := r.String(name, "")
	if v == "" {
		r.fail(name, "is required but not set")
	}
	return v
}

// Duration parses a Go duration such as "15m" or "10s".
func (r *Reader) Duration(name string, def time.Duration) time.Duration {
	v := r.String(name, "")
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		r.fail(name, "must be a non-negative duration such as 30s or 15m, got %q", v)
		return def
	}
	return d
}

// Int parses a base-10 integer.
func (r *Reader) Int(name string, def int) int {
	v := r.String(name, "")
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		r.fail(name, "must be an integer, got %q", v)
		return def
	}
	return n
}

// Bool parses true/false/1/0.
func (r *Reader) Bool(name string, def bool) bool {
	v := r.String(name, "")
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		r.fail(name, "must be true or false, got %q", v)
		return def
	}
	return b
}

// Days parses a span of whole days written "<n>d" (2192d) or "<n>y" (6y).
// A year counts as 365 days plus every leap day n years can hold, so "6y"
// is 2192 days and never falls short of six calendar years.
func (r *Reader) Days(name string, def int) int {
	v := r.String(name, "")
	if v == "" {
		return def
	}
	days, ok := parseDays(v)
	if !ok {
		r.fail(name, "must be a number of days or years such as 2192d or 6y, got %q", v)
		return def
	}
	return days
}

// maxYears bounds the values parseDays accepts, far above any real
// retention, so the day count cannot overflow.
const maxYears = 1000

func parseDays(v string) (int, bool) {
	if len(v) < 2 {
		return 0, false
	}
	n, err := strconv.Atoi(v[:len(v)-1])
	if err != nil || n < 0 {
		return 0, false
	}
	switch v[len(v)-1] {
	case 'd':
		return n, n <= maxYears*366
	case 'y':
		return n*365 + (n+3)/4, n <= maxYears
	}
	return 0, false
}

// URL parses an absolute URL whose scheme is one of schemes. The value is
// never echoed back, since URLs may carry passwords.
func (r *Reader) URL(name, def string, schemes ...string) string {
	v := r.String(name, def)
	if v == "" {
		return ""
	}
	u, err := url.Parse(v)
	if err != nil || u.Scheme == "" {
		r.fail(name, "must be an absolute URL with scheme %s", strings.Join(schemes, ", "))
		return v
	}
	for _, s := range schemes {
		if u.Scheme == s {
			return v
		}
	}
	r.fail(name, "scheme %q is not supported; use %s", u.Scheme, strings.Join(schemes, ", "))
	return v
}

// Check is one row of a validation table: when Bad holds, Var is wrong
// for the reason in Message.
type Check struct {
	Bad     bool
	Var     string
	Message string
}

// Check adds the failures of a validation table to the reader's problems.
func (r *Reader) Check(checks ...Check) {
	for _, c := range checks {
		if c.Bad {
			r.fail(c.Var, "%s", c.Message)
		}
	}
}

// Err returns every problem met so far joined into one error, or nil.
func (r *Reader) Err() error { return errors.Join(r.errs...) }

// Mask hides the password of a URL for logging; a value that does not parse
// is hidden whole.
func Mask(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "****"
	}
	q := u.Query()
	for k := range q {
		if strings.Contains(strings.ToLower(k), "password") || strings.Contains(strings.ToLower(k), "secret") {
			q.Set(k, "xxxxx")
		}
	}
	u.RawQuery = q.Encode()
	return u.Redacted()
}

// Secret shows only whether a secret is set.
func Secret(v string) string {
	if v == "" {
		return ""
	}
	return "****"
}
