// Package policy says how a practice wants its follow-up done: for each
// work kind, when work is generated (thresholds) and what comes next after
// each contact (the cadence), and for all kinds together, how patients may
// be contacted (quiet hours, a weekly cap, allowed channels, text consent).
// Clear rules let agents act without debate; every practice starts from
// sensible defaults and changes only what it must.
package policy

import (
	"fmt"
	"regexp"
	"slices"

	"github.com/backdesk/backdesk/pkg/platform/apperr"
)

// Kind is a kind of follow-up work.
type Kind string

// The work kinds (docs/policy.md).
const (
	ClaimFollowup     Kind = "claim_followup"
	BalanceFollowup   Kind = "balance_followup"
	Recare            Kind = "recare"
	TreatmentFollowup Kind = "treatment_followup"
	EligibilityCheck  Kind = "eligibility_check"
)

// Kinds lists every work kind.
var Kinds = []Kind{ClaimFollowup, BalanceFollowup, Recare, TreatmentFollowup, EligibilityCheck}

// Action is what a cadence step does.
type Action string

// The actions a cadence step may take.
const (
	Call           Action = "call"
	Text           Action = "text"
	Email          Action = "email"
	Statement      Action = "statement"
	FinalNotice    Action = "final_notice"
	PayerPortal    Action = "payer_portal"
	PayerCall      Action = "payer_call"
	PracticeReview Action = "practice_review"
)

var actions = []Action{Call, Text, Email, Statement, FinalNotice, PayerPortal, PayerCall, PracticeReview}

// Step is one cadence step: OffsetDays after the item is generated, do Action.
type Step struct {
	OffsetDays int    `json:"offset_days"`
	Action     Action `json:"action"`
}

// Thresholds say when records become work. Only the fields of the policy's
// kind apply; zero means "not used".
type Thresholds struct {
	ClaimUnpaidDays          int   `json:"claim_unpaid_days,omitempty"`          // claim unpaid N days after submission
	BalanceMinCents          int64 `json:"balance_min_cents,omitempty"`          // balance at least this much…
	BalanceMinAgeDays        int   `json:"balance_min_age_days,omitempty"`       // …and older than this
	RecallDueWithinDays      int   `json:"recall_due_within_days,omitempty"`     // recall due within N days (or overdue)
	TreatmentUnscheduledDays int   `json:"treatment_unscheduled_days,omitempty"` // presented and unscheduled for N days
	// EligibilityDaysAhead is how many business days ahead visits have
	// their insurance verified.
	EligibilityDaysAhead int `json:"eligibility_days_ahead,omitempty"`
	// EligibilityFreshDays is how many days a verification stays good:
	// a patient verified that recently is not verified again.
	EligibilityFreshDays int `json:"eligibility_fresh_days,omitempty"`
}

// The eligibility settings a practice starts with, and their ranges.
const (
	DefaultEligibilityDaysAhead = 3
	DefaultEligibilityFreshDays = 30
	MaxEligibilityDaysAhead     = 20
	MaxEligibilityFreshDays     = 180
)

// Eligibility returns how many business days ahead visits are verified
// and how many days a verification stays good. An eligibility policy
// saved before the two settings existed holds neither; the defaults stand
// in for it.
func (t Thresholds) Eligibility() (daysAhead, freshDays int) {
	daysAhead, freshDays = t.EligibilityDaysAhead, t.EligibilityFreshDays
	if daysAhead <= 0 {
		daysAhead = DefaultEligibilityDaysAhead
	}
	if freshDays <= 0 {
		freshDays = DefaultEligibilityFreshDays
	}
	return daysAhead, freshDays
}

// Policy is one practice's rules for one work kind.
type Policy struct {
	Kind       Kind       `json:"kind"`
	Thresholds Thresholds `json:"thresholds"`
	Cadence    []Step     `json:"cadence"`
	// SLADays is how long a new item may wait for its first contact before
	// it is escalated.
	SLADays int `json:"sla_days"`
	// MaxNextContactDays bounds how far ahead an agent may set the next
	// contact date, so nothing is parked out of sight.
	MaxNextContactDays int `json:"max_next_contact_days"`
}

// ContactRules apply across every kind, per patient.
type ContactRules struct {
	QuietStart          string   `json:"quiet_start"` // "20:00", patient's local time
	QuietEnd            string   `json:"quiet_end"`   // "08:00"
	MaxContactsPerWeek  int      `json:"max_contacts_per_week"`
	Channels            []Action `json:"channels"` // patient contact actions allowed
	TextConsentRequired bool     `json:"text_consent_required"`
}

var hhmm = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

// patientActions are the actions that contact the patient, as opposed to
// the payer or the practice; contact rules govern only these.
var patientActions = []Action{Call, Text, Email, Statement, FinalNotice}

// Validate checks p and names the first field at fault.
func (p Policy) Validate() error {
	if !slices.Contains(Kinds, p.Kind) {
		return apperr.Invalid("kind", "invalid_kind", "must be one of claim_followup, balance_followup, recare, treatment_followup, eligibility_check")
	}
	if len(p.Cadence) == 0 {
		return apperr.Invalid("cadence", "required", "needs at least one step")
	}
	if len(p.Cadence) > 20 {
		return apperr.Invalid("cadence", "too_many", "may have at most 20 steps")
	}
	prev := -1
	for i, s := range p.Cadence {
		f := fmt.Sprintf("cadence[%d]", i)
		if s.OffsetDays < 0 || s.OffsetDays > 365 {
			return apperr.Invalid(f+".offset_days", "out_of_range", "must be between 0 and 365")
		}
		if s.OffsetDays <= prev {
			return apperr.Invalid(f+".offset_days", "not_increasing", "must be later than the step before")
		}
		prev = s.OffsetDays
		if !slices.Contains(actions, s.Action) {
			return apperr.Invalid(f+".action", "invalid_action", "must be one of call, text, email, statement, final_notice, payer_portal, payer_call, practice_review")
		}
		if (p.Kind == ClaimFollowup || p.Kind == EligibilityCheck) && slices.Contains([]Action{Text, Statement, FinalNotice}, s.Action) {
			return apperr.Invalid(f+".action", "invalid_action", "claim and eligibility work is done with the payer, not by texting or billing the patient")
		}
	}
	if p.SLADays < 1 || p.SLADays > 30 {
		return apperr.Invalid("sla_days", "out_of_range", "must be between 1 and 30")
	}
	if p.MaxNextContactDays < 1 || p.MaxNextContactDays > 180 {
		return apperr.Invalid("max_next_contact_days", "out_of_range", "must be between 1 and 180")
	}
	return p.Thresholds.validate(p.Kind)
}

func (t Thresholds) validate(k Kind) error {
	positive := func(field string, v int64, max int64) error {
		if v <= 0 || v > max {
			return apperr.Invalid("thresholds."+field, "out_of_range", "must be between 1 and %d", max)
		}
		return nil
	}
	switch k {
	case ClaimFollowup:
		return positive("claim_unpaid_days", int64(t.ClaimUnpaidDays), 365)
	case BalanceFollowup:
		if err := positive("balance_min_cents", t.BalanceMinCents, 100_000_00); err != nil {
			return err
		}
		if t.BalanceMinAgeDays < 0 || t.BalanceMinAgeDays > 365 {
			return apperr.Invalid("thresholds.balance_min_age_days", "out_of_range", "must be between 0 and 365")
		}
	case Recare:
		return positive("recall_due_within_days", int64(t.RecallDueWithinDays), 180)
	case TreatmentFollowup:
		return positive("treatment_unscheduled_days", int64(t.TreatmentUnscheduledDays), 365)
	case EligibilityCheck:
		if err := positive("eligibility_days_ahead", int64(t.EligibilityDaysAhead), MaxEligibilityDaysAhead); err != nil {
			return err
		}
		return positive("eligibility_fresh_days", int64(t.EligibilityFreshDays), MaxEligibilityFreshDays)
	}
	return nil
}

// Validate checks the contact rules and names the field at fault.
func (c ContactRules) Validate() error {
	if !hhmm.MatchString(c.QuietStart) {
		return apperr.Invalid("quiet_start", "invalid_time", "must be a 24-hour time such as 20:00")
	}
	if !hhmm.MatchString(c.QuietEnd) {
		return apperr.Invalid("quiet_end", "invalid_time", "must be a 24-hour time such as 08:00")
	}
	if c.QuietStart == c.QuietEnd {
		return apperr.Invalid("quiet_end", "invalid_time", "must differ from quiet_start")
	}
	if c.MaxContactsPerWeek < 1 || c.MaxContactsPerWeek > 14 {
		return apperr.Invalid("max_contacts_per_week", "out_of_range", "must be between 1 and 14")
	}
	if len(c.Channels) == 0 {
		return apperr.Invalid("channels", "required", "allow at least one way to contact patients")
	}
	for i, ch := range c.Channels {
		if !slices.Contains(patientActions, ch) {
			return apperr.Invalid(fmt.Sprintf("channels[%d]", i), "invalid_channel", "must be one of call, text, email, statement, final_notice")
		}
	}
	return nil
}
