package clearinghouse

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// Stages an eligibility check passes through while the clearinghouse
// has it, as the item's stage shows them.
const (
	// StageToAsk: made by the daily generation, to go in the next batch.
	StageToAsk = "clearinghouse_to_ask"
	// StageAsked: in a batch; waiting for the answer.
	StageAsked = "clearinghouse_asked"
	// StageNeedsAgent: the answer, or the lack of one, needs a person.
	StageNeedsAgent = "clearinghouse_needs_agent"
)

// Check is an eligibility check waiting to be asked about, with what a 270
// needs to ask: the visit, the plan on file and the patient.
type Check struct {
	ItemID     string
	PracticeID string
	PatientID  string
	State      string // the item's state
	Owned      bool   // whether an agent owns the item
	VisitAt    time.Time
	Planned    []string // CDT codes planned for the visit
	PayerName  string
	MemberID   string
	FirstName  string
	LastName   string
	BirthDate  time.Time // zero when the practice's record has none
	Practice   string    // the practice's name
	NPI        string    // the practice's NPI
	Timezone   string    // the practice's IANA time zone
}

// Unasked is a check that cannot be asked about electronically, and why,
// in words an agent reads on the item.
type Unasked struct {
	Check  Check
	Reason string
}

// Asked is a check that goes in a batch, with the connection's id for its
// payer.
type Asked struct {
	Check   Check
	PayerID string
}

// Sort splits checks into those that go in a batch, by practice (each
// practice's batch is its own file), and those that need a person now:
// no plan on file for the visit, no member id, no date of birth, or a
// payer the connection does not reach for eligibility. Within a practice
// the checks are in visit order.
func Sort(checks []Check, payers []Payer, connection string) (ask map[string][]Asked, unasked []Unasked) {
	byName := make(map[string]Payer, len(payers))
	for _, p := range payers {
		byName[payerKey(p.Name)] = p
	}
	ask = map[string][]Asked{}
	for _, c := range checks {
		p, known := byName[payerKey(c.PayerName)]
		var why string
		switch {
		case strings.TrimSpace(c.PayerName) == "":
			why = "No insurance on file for the visit: verify by hand with the patient."
		case strings.TrimSpace(c.MemberID) == "":
			why = "No member id on file for " + c.PayerName + ": the clearinghouse cannot be asked without one."
		case c.BirthDate.IsZero():
			why = "No date of birth on file: the clearinghouse cannot be asked without one."
		case !known:
			why = connection + " does not list the payer " + c.PayerName + ": verify with the payer."
		case !p.Eligibility:
			why = c.PayerName + " does not answer eligibility questions through " + connection + ": verify with the payer."
		}
		if why != "" {
			unasked = append(unasked, Unasked{Check: c, Reason: why})
			continue
		}
		ask[c.PracticeID] = append(ask[c.PracticeID], Asked{Check: c, PayerID: p.ID})
	}
	for _, a := range ask {
		slices.SortFunc(a, func(x, y Asked) int {
			return cmp.Or(x.Check.VisitAt.Compare(y.Check.VisitAt), cmp.Compare(x.Check.ItemID, y.Check.ItemID))
		})
	}
	return ask, unasked
}

// payerKey compares payer names as people type them: case and spacing
// aside.
func payerKey(name string) string {
	return strings.Join(strings.Fields(strings.ToLower(name)), " ")
}
