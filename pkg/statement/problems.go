package statement

import (
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/backdesk/backdesk/pkg/platform/endpoint"
	"github.com/backdesk/backdesk/pkg/records"
)

// Limits on what a statement may hold, so that it prints inside its
// windows and columns and its sums cannot overflow.
const (
	// MaxText bounds names, address lines and payers, in characters:
	// what USPS allows on an address line, and what fits the envelope's
	// windows at the smallest type the layout uses.
	MaxText = 40
	// MaxCity bounds a city's name, which shares the address's last line
	// with the state and the ZIP+4.
	MaxCity = 28
	// MaxDescription bounds a line's description, which wraps in its
	// column.
	MaxDescription = 60
	// MaxHours bounds the practice's hours.
	MaxHours = 60
	// MaxAccountNumber bounds the account number.
	MaxAccountNumber = 20
	// MaxPayURL bounds the pay-by-link URL: short enough for a QR code a
	// phone reads off paper, and for the lines it wraps into under it.
	MaxPayURL = 96
	// MaxLines bounds the activity lines of one statement.
	MaxLines = 500
	// MaxPending bounds the pending claims of one statement.
	MaxPending = 50
	// MaxCents bounds every amount either side of zero: $10,000,000.00.
	MaxCents = 1_000_000_000
)

var (
	statePattern   = regexp.MustCompile(`^[A-Z]{2}$`)
	postalPattern  = regexp.MustCompile(`^[0-9]{5}(-[0-9]{4})?$`)
	accountPattern = regexp.MustCompile(`^[A-Za-z0-9-]+$`)
	phonePattern   = regexp.MustCompile(`^[0-9 ()+.-]+$`)
)

// Problems checks s and returns every problem at once, keyed by field
// path (practice.remit_to.postal_code, lines[3].charge_cents, indexes from
// zero), in words. Messages never quote a value: a statement is patient
// data. Render and the batch writers refuse a statement with problems.
func (s Statement) Problems() map[string]string {
	p := map[string]string{}
	practiceProblems(p, "practice", s.Practice)
	text(p, "guarantor.name", s.Guarantor.Name, MaxText, true)
	addressProblems(p, "guarantor.address", s.Guarantor.Address)

	switch {
	case strings.TrimSpace(s.AccountNumber) == "":
		p["account_number"] = "give the guarantor's account number"
	case len(s.AccountNumber) > MaxAccountNumber || !accountPattern.MatchString(s.AccountNumber):
		p["account_number"] = fmt.Sprintf("must be at most %d letters, digits and hyphens", MaxAccountNumber)
	}
	dated := date(p, "statement_date", s.StatementDate)
	if date(p, "due_date", s.DueDate) && dated && s.DueDate.Time().Before(s.StatementDate.Time()) {
		p["due_date"] = "is before the statement date"
	}
	payURLProblems(p, s.PayURL)

	cents(p, "balance_forward_cents", s.BalanceForwardCents)
	if len(s.Lines) > MaxLines {
		p["lines"] = fmt.Sprintf("a statement holds at most %d lines", MaxLines)
	}
	for i, l := range s.Lines {
		k := fmt.Sprintf("lines[%d].", i)
		if date(p, k+"date", l.Date) && dated && l.Date.Time().After(s.StatementDate.Time()) {
			p[k+"date"] = "is after the statement date"
		}
		text(p, k+"description", l.Description, MaxDescription, true)
		if l.ChargeCents < 0 {
			p[k+"charge_cents"] = "must not be negative; enter a reversal as an adjustment"
		} else {
			cents(p, k+"charge_cents", l.ChargeCents)
		}
		cents(p, k+"insurance_cents", l.InsuranceCents)
		cents(p, k+"patient_cents", l.PatientCents)
	}
	if len(s.Pending) > MaxPending {
		p["pending"] = fmt.Sprintf("a statement holds at most %d pending claims", MaxPending)
	}
	for i, c := range s.Pending {
		k := fmt.Sprintf("pending[%d].", i)
		date(p, k+"date", c.Date)
		text(p, k+"payer", c.Payer, MaxText, true)
		if c.EstimateCents <= 0 {
			p[k+"estimate_cents"] = "must be more than zero"
		} else {
			cents(p, k+"estimate_cents", c.EstimateCents)
		}
	}
	cents(p, "aging.current_cents", s.Aging.CurrentCents)
	cents(p, "aging.days31_cents", s.Aging.Days31Cents)
	cents(p, "aging.days61_cents", s.Aging.Days61Cents)
	cents(p, "aging.over90_cents", s.Aging.Over90Cents)
	// The sums are checked only when every amount is in bounds, so that
	// they cannot overflow and a wrong amount is reported once.
	if !amountProblem(p) && s.Aging.TotalCents() != s.Totals().BalanceCents {
		p["aging"] = "the four buckets must add up to the account balance: the balance forward plus every line"
	}
	return p
}

// amountProblem reports whether p holds a problem with an amount or a
// list of amounts.
func amountProblem(p map[string]string) bool {
	for k := range p {
		if strings.HasSuffix(k, "_cents") || k == "lines" || k == "pending" {
			return true
		}
	}
	return false
}

// practiceProblems checks the practice, under prefix.
func practiceProblems(p map[string]string, prefix string, pr Practice) {
	text(p, prefix+".name", pr.Name, MaxText, true)
	addressProblems(p, prefix+".address", pr.Address)
	if !pr.RemitTo.IsZero() {
		addressProblems(p, prefix+".remit_to", pr.RemitTo)
	}
	switch {
	case strings.TrimSpace(pr.Phone) == "":
		p[prefix+".phone"] = "give the phone number patients call with questions"
	case len(pr.Phone) > 24 || !phonePattern.MatchString(pr.Phone) || digits(pr.Phone) < 10:
		p[prefix+".phone"] = "must be a phone number of at least 10 digits, with only spaces, ( ) + . - between them"
	}
	text(p, prefix+".hours", pr.Hours, MaxHours, true)
}

// addressProblems checks a postal address, under prefix.
func addressProblems(p map[string]string, prefix string, a Address) {
	text(p, prefix+".line1", a.Line1, MaxText, true)
	text(p, prefix+".line2", a.Line2, MaxText, false)
	text(p, prefix+".city", a.City, MaxCity, true)
	if !statePattern.MatchString(a.State) {
		p[prefix+".state"] = "must be a two-letter USPS state code in capitals"
	}
	if !postalPattern.MatchString(a.PostalCode) {
		p[prefix+".postal_code"] = "must be a ZIP code: five digits, or ZIP+4 as 12345-6789"
	}
}

// payURLProblems checks the pay-by-link URL.
func payURLProblems(p map[string]string, s string) {
	if strings.TrimSpace(s) == "" {
		p["pay_url"] = "give the pay-by-link URL"
		return
	}
	u, err := url.Parse(s)
	switch {
	case len(s) > MaxPayURL:
		p["pay_url"] = fmt.Sprintf("must be at most %d characters, to print as a QR code and under it", MaxPayURL)
	case err != nil || u.Host == "" || u.User != nil || (u.Scheme != "https" && !(u.Scheme == "http" && endpoint.IsLoopback(u.Hostname()))):
		p["pay_url"] = "must be an https URL with a host (http only on this machine's own address, for development)"
	case !isPrintableASCII(s):
		p["pay_url"] = "must be printable ASCII, with no spaces"
	}
}

// text checks a one-line text field: present when required, at most max
// characters, and printable by the statement's fonts.
func text(p map[string]string, key, s string, max int, required bool) {
	switch {
	case strings.TrimSpace(s) == "":
		if required {
			p[key] = "is required"
		}
	case utf8.RuneCountInString(s) > max:
		p[key] = fmt.Sprintf("must be at most %d characters", max)
	case !printable(s):
		p[key] = "has a character the statement's font cannot print, or a line break"
	}
}

// date checks a required date and reports whether it is valid.
func date(p map[string]string, key string, d records.Date) bool {
	if msg := dateProblem(d); msg != "" {
		p[key] = msg
		return false
	}
	return true
}

// dateProblem says what is wrong with a required date, or "".
func dateProblem(d records.Date) string {
	if d.IsZero() {
		return "is required"
	}
	t := d.Time()
	if t.Year() != d.Year || t.Month() != d.Month || t.Day() != d.Day || d.Year < 1900 || d.Year > 9999 {
		return "is not a calendar date"
	}
	return ""
}

// cents checks that an amount is within MaxCents either side of zero.
func cents(p map[string]string, key string, c int64) {
	if c > MaxCents || c < -MaxCents {
		p[key] = "is out of range: at most $10,000,000.00 either side of zero"
	}
}

// digits counts the decimal digits in s.
func digits(s string) int {
	n := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			n++
		}
	}
	return n
}

// isPrintableASCII reports whether s is printable ASCII without spaces.
func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// InvalidError is the error for a statement with problems. It names the
// fields and says what is wrong, never what they hold.
type InvalidError struct {
	Problems map[string]string // as Statement.Problems returns them
}

// shownProblems is how many problems an InvalidError's message lists
// before it counts the rest.
const shownProblems = 5

// Error lists the first problems by field path, lines[2] before
// lines[10], and counts the rest.
func (e *InvalidError) Error() string {
	keys := make([]string, 0, len(e.Problems))
	for k := range e.Problems {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return sortKey(keys[i]) < sortKey(keys[j]) })
	var parts []string
	for i, k := range keys {
		if i == shownProblems {
			parts = append(parts, fmt.Sprintf("and %d more", len(keys)-i))
			break
		}
		parts = append(parts, k+" "+e.Problems[k])
	}
	return "statement: invalid: " + strings.Join(parts, "; ")
}

var index = regexp.MustCompile(`\[([0-9]+)\]`)

// sortKey is a field path with its indexes padded, so that paths sort by
// number.
func sortKey(path string) string {
	return index.ReplaceAllStringFunc(path, func(m string) string {
		return fmt.Sprintf("[%09s]", m[1:len(m)-1])
	})
}

// check returns an *InvalidError when s has problems.
func check(s Statement) error {
	if p := s.Problems(); len(p) > 0 {
		return &InvalidError{Problems: p}
	}
	return nil
}
