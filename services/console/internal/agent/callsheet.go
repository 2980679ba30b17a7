package agent

import (
	"bytes"
	"encoding/json"
	"html/template"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/backdesk/backdesk/services/console/internal/kit"
	"github.com/backdesk/backdesk/services/internal/api"
)

// The top of the item page is the call sheet: what to do now and why,
// who to call about (the patient as the field set allows), the practice,
// and for a claim the payer and the amounts. It is computed here from
// the item view so the template only lays it out.

// callSheet is the top of the item page.
type callSheet struct {
	Todo     string // what to do now, in words
	Stage    string // where the item stands with the payer, in words; empty for most
	Zone     string // the practice's IANA zone, in which the page shows the item's dates
	Practice api.ItemPractice
	Claim    *api.ClaimSummary
	ClaimDOS string  // the claim's date of service, "2 Jan 2006"
	Person   *person // nil when the projection carries no name
	// PracticeTel is the practice phone's tel: link, empty when it is
	// not a number one can dial.
	PracticeTel template.URL
}

// person is the patient as the call sheet shows them: only what the
// projection carried.
type person struct {
	Name        string
	DateOfBirth string       // "2 Jan 1980"; empty when not carried
	Phone       string       // as stored; the template formats it
	Tel         template.URL // its tel: link, empty when not a number one can dial
	// TextConsent is "Yes" or "No", empty when the field set leaves it out.
	TextConsent string
	DoNotCall   bool
}

// projected are the patient's fields the call sheet reads; any of them
// may be missing from the projection.
type projected struct {
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name"`
	DateOfBirth  string `json:"date_of_birth"`
	Phone        string `json:"phone"`
	TextConsent  *bool  `json:"text_consent"`
	DoNotContact *bool  `json:"do_not_contact"`
}

// stages are the payer stages in words, with what each asks of the agent.
var stages = map[string]struct{ Words, Todo string }{
	"denied":              {"Denied by the payer", "Read the denial reasons, then appeal or send a corrected claim."},
	"rejected":            {"Rejected by the payer before it was processed", "Correct what the payer named and resubmit the claim."},
	"info_requested":      {"The payer asked for more information", "Send the payer what it asked for and note how and when."},
	"awaiting_remittance": {"Paid, waiting for the remittance", "Check whether the remittance arrived; nothing to chase until it is late."},
	// An eligibility check while the clearinghouse has it.
	"clearinghouse_to_ask": {"Waiting to be asked of the clearinghouse", "Nothing to do yet: the clearinghouse is asked in the next batch."},
	"clearinghouse_asked":  {"Asked of the clearinghouse, waiting for the answer", "Nothing to do until the answer comes or the wait runs out."},
	"clearinghouse_needs_agent": {"The clearinghouse's answer needs a person",
		"Read the reason, then call the payer about exactly that and note what they said."},
}

// todos say what each kind of work asks of the agent when the payer has
// not set a stage.
var todos = map[policy.Kind]string{
	policy.ClaimFollowup:     "Call the payer for the claim's status and what it still needs.",
	policy.BalanceFollowup:   "Call the guarantor about the balance and agree a payment.",
	policy.Recare:            "Call the patient to book their recall visit.",
	policy.TreatmentFollowup: "Call the patient to schedule the treatment the dentist recommended.",
	policy.EligibilityCheck:  "Ask the payer to confirm the patient's coverage.",
}

// sheetFrom builds the call sheet of the item view v, whose patient
// came as raw.
func sheetFrom(v api.ItemView, raw json.RawMessage) callSheet {
	s := callSheet{Practice: v.Practice, Claim: v.Claim, Zone: v.Practice.Timezone, Todo: todos[v.Item.Kind],
		PracticeTel: telURL(v.Practice.Phone)}
	if _, err := time.LoadLocation(s.Zone); err != nil || s.Zone == "" {
		s.Zone = "UTC"
	}
	if v.Claim != nil {
		s.ClaimDOS = serviceDate(v.Claim.DateOfService)
	}
	if st, ok := stages[v.Item.Stage]; ok {
		s.Stage, s.Todo = st.Words, st.Todo
	} else if v.Item.Stage != "" {
		s.Stage = kit.Label(v.Item.Stage)
	}
	if s.Todo == "" {
		s.Todo = "Contact them and log the outcome."
	}
	if v.Item.State == string(work.Waiting) && !v.Item.Overdue {
		s.Todo = "Nothing until the next contact date, unless something changed. " + s.Todo
	}
	var p projected
	if len(bytes.TrimSpace(raw)) > 0 && json.Unmarshal(raw, &p) == nil {
		if name := strings.TrimSpace(p.FirstName + " " + p.LastName); name != "" {
			s.Person = &person{Name: name, Phone: p.Phone, Tel: telURL(p.Phone), DoNotCall: p.DoNotContact != nil && *p.DoNotContact}
			if d, err := time.Parse(time.DateOnly, p.DateOfBirth); err == nil {
				s.Person.DateOfBirth = d.Format("2 Jan 2006")
			}
			if p.TextConsent != nil {
				s.Person.TextConsent = map[bool]string{true: "Yes", false: "No"}[*p.TextConsent]
			}
		}
	}
	return s
}

// telURL is the tel: link of a phone number as a URL the page may use
// (the kit's tel gives it as text, which templates refuse in an href).
func telURL(phone string) template.URL {
	// kit.Tel builds the link only from a number's digits, so it holds
	// nothing but "tel:+" and digits.
	return template.URL(kit.Tel(phone))
}

// serviceDate shows a YYYY-MM-DD date as "2 Jan 2006", or as it came.
func serviceDate(s string) string {
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		return d.Format("2 Jan 2006")
	}
	return s
}
