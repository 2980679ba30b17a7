package kit

import (
	"fmt"
	"html/template"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/services/console/assets"
)

// funcs are the helpers every template may use.
var funcs = template.FuncMap{
	"asset": assets.Path,
	"kind":  KindLabel,
	// label takes the API's codes as they come: strings, or the domain's
	// string types (a grant's state, a field group).
	"label":   func(code any) string { return Label(text(code)) },
	"when":    when,
	"stamp":   stamp,
	"iso":     iso,
	"dollars": Dollars,
	"kinds":   func() []policy.Kind { return policy.Kinds },
	"dict":    dict,
	"list":    func(s ...string) []string { return s },
	"sub":     func(a, b int) int { return a - b },
	// in and day show practice data in the practice's zone (an IANA
	// name), with the zone; relative says "in 3 days" or "2 days ago".
	"in":       In,
	"day":      Day,
	"relative": Relative,
	"phone":    Phone,
	"tel":      Tel,
}

// text is a value of a string type as its string.
func text(v any) string {
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.String {
		return rv.String()
	}
	return fmt.Sprint(v)
}

// dict builds the argument of a shared template from name, value pairs.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("dict: %d arguments, want name, value pairs", len(kv))
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict: argument %d is not a name", i)
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

var kindLabels = map[policy.Kind]string{
	policy.ClaimFollowup:     "Claim follow-up",
	policy.BalanceFollowup:   "Balance follow-up",
	policy.Recare:            "Recare",
	policy.TreatmentFollowup: "Treatment follow-up",
	policy.EligibilityCheck:  "Eligibility check",
}

// KnownKind reports whether k is a kind of work the console names.
func KnownKind(k policy.Kind) bool { return kindLabels[k] != "" }

// KindLabel names a kind of work for people.
func KindLabel(k policy.Kind) string {
	if l, ok := kindLabels[k]; ok {
		return l
	}
	return Label(string(k))
}

// labels are the words for keys and codes that a plain rewrite of the
// key would get wrong.
var labels = map[string]string{
	"in_progress": "In progress", "no_answer": "No answer", "promised_payment": "Promised payment",
	"wrong_number": "Wrong number", "claim_status_received": "Claim status received",
	"payer_portal": "Payer portal", "payer_call": "Payer call", "handed_off": "Handed off",
	"visit_gone":      "Closed: the visit will not take place as booked",
	"aged_0_30_cents": "0–30 days", "aged_31_60_cents": "31–60 days", "aged_61_90_cents": "61–90 days",
	"aged_over_90_cents": "Over 90 days", "total_cents": "Balance", "date_of_birth": "Date of birth",
	"patient_id": "Patient id", "account_id": "Account", "claim_id": "Claim", "payer_id": "Payer id",
	"recall_id": "Recall", "plan_id": "Plan", "postal_code": "Postal code", "line1": "Address",
	"line2": "Address line 2", "dos": "Date of service", "estimated_patient_portion_cents": "Patient portion (estimate)",
	"patient_responsibility_cents": "Patient responsibility", "sla_breached": "SLA breached",
	"do_not_contact": "Do not contact", "text_consent": "Text consent",
}

// Label turns a key or code such as "last_payment_cents" into words:
// "Last payment".
func Label(key string) string {
	if l, ok := labels[key]; ok {
		return l
	}
	s := strings.TrimSuffix(key, "_cents")
	s = strings.ReplaceAll(s, "_", " ")
	if s == "" {
		return key
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// when shows a moment briefly, in UTC as the API gives it (pages say so
// where they show it, or use stamp), with the year only when it is not
// this one; nil shows a dash.
func when(v any) string {
	t, ok := timeOf(v)
	if !ok {
		return "—"
	}
	t = t.UTC()
	if t.Year() != time.Now().UTC().Year() {
		return t.Format("Mon 2 Jan 2006 15:04")
	}
	return t.Format("Mon 2 Jan 15:04")
}

// stamp is a moment in UTC in the console's one format, with its zone:
// "Tue 8 Dec 2026, 14:05 UTC".
func stamp(v any) string { return In(v, "UTC") }

// iso is a moment for a <time datetime> attribute.
func iso(v any) string {
	t, ok := timeOf(v)
	if !ok {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func timeOf(v any) (time.Time, bool) {
	switch t := v.(type) {
	case time.Time:
		return t, !t.IsZero()
	case *time.Time:
		if t != nil && !t.IsZero() {
			return *t, true
		}
	}
	return time.Time{}, false
}

// Dollars shows an amount in cents as dollars: 124050 is $1,240.50.
func Dollars(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	whole := strconv.FormatInt(cents/100, 10)
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return fmt.Sprintf("%s$%s.%02d", sign, b.String(), cents%100)
}

// errDetail builds an error detail for pages the console refuses itself.
func errDetail(code, message string) web.ErrorDetail {
	return web.ErrorDetail{Code: code, Message: message}
}
