package x270

import (
	"fmt"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/x12/x12write"
)

// MaxServiceTypes is how many service types one request may ask about:
// EQ01 repeats at most 99 times.
const MaxServiceTypes = 99

// RequestError is a request that cannot be sent: which one, which field,
// and what is wrong. It never holds the field's value.
type RequestError struct {
	Index   int    // the request's index in the batch
	Field   string // such as "subscriber member ID"
	Problem string // such as "is empty"
}

// Error formats the error as `request 3: subscriber member ID is empty`.
func (e *RequestError) Error() string {
	return fmt.Sprintf("request %d: %s %s", e.Index, e.Field, e.Problem)
}

// fieldError returns a *RequestError for field when problem is not "".
func fieldError(field, problem string) *RequestError {
	if problem == "" {
		return nil
	}
	return &RequestError{Field: field, Problem: problem}
}

// text checks a text field after trimming its surrounding spaces, the way
// it is written. The field is named role and field, such as "subscriber"
// and "last name"; the name is only built for an error.
func text(role, field, v string, min, max int) *RequestError {
	p := x12write.TextProblem(strings.TrimSpace(v), min, max)
	if p == "" {
		return nil
	}
	if role != "" {
		field = role + " " + field
	}
	return &RequestError{Field: field, Problem: p}
}

// Check reports the first field of a payer or other organization that
// cannot be sent, with Index 0; role names it in the error, such as
// "payer". x276 checks its parties with it too.
func (p Party) Check(role string) *RequestError {
	if e := text(role, "name", p.Name, 1, 60); e != nil {
		return e
	}
	return text(role, "ID", p.ID, 2, 80)
}

// Check reports the first field of the provider that cannot be sent, with
// Index 0.
func (p Provider) Check() *RequestError {
	if e := text("provider", "name", p.Name, 1, 60); e != nil {
		return e
	}
	if !ValidNPI(strings.TrimSpace(p.NPI)) {
		return fieldError("provider NPI", "is not ten digits with a valid check digit")
	}
	return nil
}

// Check reports the first field of a person that cannot be sent, with
// Index 0; role names the person in the error, such as "subscriber". A
// dependent must have a birth date and needs no member ID; a subscriber
// must have a member ID.
func (p Person) Check(role string, dependent bool) *RequestError {
	if e := text(role, "last name", p.Last, 1, 60); e != nil {
		return e
	}
	if e := text(role, "first name", p.First, 0, 35); e != nil {
		return e
	}
	if !dependent {
		if e := text(role, "member ID", p.MemberID, 2, 80); e != nil {
			return e
		}
	}
	switch {
	case dependent && p.BirthDate.IsZero():
		return fieldError(role+" birth date", "is not set; a dependent is found by name and birth date")
	case !p.BirthDate.IsZero():
		if pr := dateProblem(p.BirthDate); pr != "" {
			return fieldError(role+" birth date", pr)
		}
	}
	switch p.Gender {
	case "", "F", "M", "U":
		return nil
	}
	return fieldError(role+" gender", fmt.Sprintf("is not F, M or U (%d bytes)", len(p.Gender)))
}

// Check reports the first field of the request that cannot be sent, with
// Index 0. Write checks every request this way before it writes anything.
func (r Request) Check() *RequestError {
	if e := text("", "trace number", r.TraceNumber, 1, 50); e != nil {
		return e
	}
	if e := r.Payer.Check("payer"); e != nil {
		return e
	}
	if e := r.Provider.Check(); e != nil {
		return e
	}
	if e := r.Subscriber.Check("subscriber", false); e != nil {
		return e
	}
	if r.Patient != nil {
		if e := r.Patient.Check("patient", true); e != nil {
			return e
		}
	}
	if e := text("", "group number", r.GroupNumber, 0, 50); e != nil {
		return e
	}
	if !r.ServiceDate.IsZero() {
		if e := fieldError("service date", dateProblem(r.ServiceDate)); e != nil {
			return e
		}
	}
	if len(r.ServiceTypes) > MaxServiceTypes {
		return fieldError("service types", fmt.Sprintf("are %d, more than %d", len(r.ServiceTypes), MaxServiceTypes))
	}
	for i, st := range r.ServiceTypes {
		if !serviceTypeCode(st) {
			return fieldError(fmt.Sprintf("service type %d", i+1), fmt.Sprintf("is not a code of 1 or 2 upper-case letters or digits (%d bytes)", len(st)))
		}
	}
	return nil
}

// RepeatedTrace records the trace number of request i in seen and
// reports it when an earlier request has it: each answer must lead back to
// one request. x276 checks its batches with it too.
func RepeatedTrace(seen map[string]int, i int, trace string) *RequestError {
	trace = strings.TrimSpace(trace)
	if first, ok := seen[trace]; ok {
		return &RequestError{Index: i, Field: "trace number", Problem: fmt.Sprintf("is the same as request %d's", first)}
	}
	seen[trace] = i
	return nil
}

// dateProblem says why t cannot be written as CCYYMMDD, or returns "".
func dateProblem(t time.Time) string {
	if y := t.Year(); y < 1000 || y > 9999 {
		return "does not have a four-digit year"
	}
	return ""
}

func serviceTypeCode(s string) bool {
	if len(s) < 1 || len(s) > 2 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// ValidNPI reports whether npi is a National Provider Identifier: ten
// digits whose last is the Luhn check digit of the first nine behind the
// prefix 80840.
func ValidNPI(npi string) bool {
	if len(npi) != 10 {
		return false
	}
	// The prefix 80840 contributes 24 to the Luhn sum.
	sum := 24
	for i := 0; i < 10; i++ {
		c := npi[i]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		if i%2 == 0 && i < 9 {
			// Counting from the check digit at the right, the first nine
			// digits' even positions from the left are doubled.
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

// checkOriginator reports why TRN03 cannot be used, or returns nil.
func checkOriginator(v string) error {
	if p := x12write.TextProblem(v, 10, 10); p != "" {
		return fmt.Errorf("x270: trace originator (TRN03) %s; it must be ten bytes", p)
	}
	switch v[0] {
	case '1', '3', '9':
		return nil
	}
	return fmt.Errorf("x270: trace originator (TRN03) must start with 1 (tax ID), 3 (DUNS) or 9 (other identifier)")
}
