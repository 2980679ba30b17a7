package kit

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

// Form is a submitted form being shown again: what was typed, and a
// message beside each field the API (or the console) refused.
type Form struct {
	Values url.Values
	Errors map[string]string
	// Alert is a message for the form as a whole, such as a conflict.
	Alert string
}

// NewForm is a form holding values (none when nil) and no message.
func NewForm(values url.Values) *Form {
	if values == nil {
		values = url.Values{}
	}
	return &Form{Values: values, Errors: map[string]string{}}
}

// Get returns what was typed into the field name.
func (f *Form) Get(name string) string {
	if f == nil {
		return ""
	}
	return f.Values.Get(name)
}

// Has reports whether the field name holds value (a checkbox, an option).
func (f *Form) Has(name, value string) bool {
	if f == nil {
		return false
	}
	for _, v := range f.Values[name] {
		if v == value {
			return true
		}
	}
	return false
}

// Err returns the message beside the field name.
func (f *Form) Err(name string) string {
	if f == nil {
		return ""
	}
	return f.Errors[name]
}

// Failed reports whether the form holds any message.
func (f *Form) Failed() bool { return f != nil && (len(f.Errors) > 0 || f.Alert != "") }

// Refuse records the console's own objection to a field.
func (f *Form) Refuse(field, message string) { f.Errors[field] = message }

// Int is the whole number typed into the field name, or 0.
func (f *Form) Int(name string) int {
	n, _ := strconv.Atoi(f.Get(name))
	return n
}

// Apply puts the API's refusal where the person will see it: beside the
// form field that fields maps the API's field to, or above the form. It
// reports false when the answer is not one a form can show (403, 5xx, …).
func (f *Form) Apply(r Reply, fields map[string]string) bool {
	switch r.Status {
	case http.StatusBadRequest:
		// A form refused as a whole names every field (Fields); each is
		// shown beside its input at once, not one per attempt.
		refused := r.Err.Fields
		if len(refused) == 0 {
			refused = map[string]string{r.Err.Field: r.Err.Message}
		}
		var alerts []string
		for full, msg := range refused {
			// A field inside a list ("kinds[1]") is shown beside the list.
			field, _, _ := strings.Cut(full, "[")
			switch name, ok := fields[field]; {
			case ok && f.Errors[name] == "":
				f.Errors[name] = msg
			case ok:
			case full != "":
				alerts = append(alerts, Label(full)+": "+msg)
			default:
				alerts = append(alerts, msg)
			}
		}
		sort.Strings(alerts)
		f.Alert = strings.Join(alerts, " ")
		return true
	case http.StatusConflict:
		f.Alert = "The item changed since this page was loaded. Reload it, check what changed, and log again."
		return true
	case http.StatusNotFound:
		if r.Err.Field != "" || r.Err.Message != "" {
			f.Alert = r.Err.Message
			return true
		}
	}
	return false
}

// NoteFields maps the API's field of a note-only form to the form's.
var NoteFields = map[string]string{"note": "note"}

// PostForm returns the submitted fields of c's form, without the CSRF
// token, which has done its work.
func PostForm(c *gin.Context) url.Values {
	_ = c.Request.ParseForm()
	out := url.Values{}
	for k, v := range c.Request.PostForm {
		if k != "csrf_token" {
			out[k] = v
		}
	}
	return out
}

// Codes are the ticked values of a list of checkboxes as the API's codes
// (kinds of work, field groups): never nil, so none ticked is an empty
// list rather than none sent.
func Codes[T ~string](values []string) []T {
	out := make([]T, len(values))
	for i, v := range values {
		out[i] = T(v)
	}
	return out
}

var amount = regexp.MustCompile(`^\d{1,9}(\.\d{1,2})?$`)

// ErrAmount refuses an amount that is not dollars and cents.
var ErrAmount = errors.New("enter an amount in dollars, such as 125 or 125.50")

// Cents reads an amount typed in dollars ("$1,240.50") as cents; an empty
// field is zero.
func Cents(s string) (int64, error) {
	s = strings.NewReplacer("$", "", ",", "", " ", "").Replace(s)
	if s == "" {
		return 0, nil
	}
	if !amount.MatchString(s) {
		return 0, ErrAmount
	}
	whole, frac, _ := strings.Cut(s, ".")
	w, _ := strconv.ParseInt(whole, 10, 64)
	frac = (frac + "00")[:2]
	f, _ := strconv.ParseInt(frac, 10, 64)
	return w*100 + f, nil
}

// contactHour is the hour of the day, in the agent's own time zone, that a
// next contact date stands for: the start of a working day.
const contactHour = 9

var errDate = errors.New("enter a date, such as 2026-12-02")

// ContactAt turns a date from a date field into the moment the item comes
// back: that day at contactHour in the browser's time zone tz (an IANA
// name the page's script supplies; UTC without one). No date is nil.
func ContactAt(date, tz string) (*time.Time, error) {
	if strings.TrimSpace(date) == "" {
		return nil, nil
	}
	d, err := time.Parse(time.DateOnly, strings.TrimSpace(date))
	if err != nil {
		return nil, errDate
	}
	loc, err := time.LoadLocation(tz)
	if err != nil || tz == "" {
		loc = time.UTC
	}
	t := time.Date(d.Year(), d.Month(), d.Day(), contactHour, 0, 0, 0, loc).UTC()
	return &t, nil
}
