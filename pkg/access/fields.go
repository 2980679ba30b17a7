package access

import (
	"slices"

	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/records"
)

// FieldGroup names a set of patient fields that are granted together.
type FieldGroup string

// The field groups. Clinical detail is never stored, so no group holds it.
const (
	GroupIdentity  FieldGroup = "identity"
	GroupContact   FieldGroup = "contact"
	GroupGuarantor FieldGroup = "guarantor"
	GroupBalance   FieldGroup = "balance"
	GroupClaims    FieldGroup = "claims"
	GroupInsurance FieldGroup = "insurance"
	GroupRecalls   FieldGroup = "recalls"
	GroupTreatment FieldGroup = "treatment"
	// GroupBenefits is what the patient's plan covers, as the payer last
	// answered a clearinghouse's question: coverage, amounts left,
	// frequencies used. Every kind's work needs it to talk about money.
	GroupBenefits FieldGroup = "benefits"
)

// Groups lists every field group in display order.
var Groups = []FieldGroup{GroupIdentity, GroupContact, GroupGuarantor, GroupBalance, GroupClaims,
	GroupInsurance, GroupBenefits, GroupRecalls, GroupTreatment}

// GroupFields maps each group to the fields of a projected record it holds.
var GroupFields = map[FieldGroup][]string{
	GroupIdentity:  {"patient_id", "chart_number", "first_name", "last_name", "date_of_birth"},
	GroupContact:   {"phone", "email", "address", "preferred_channel", "text_consent", "do_not_contact"},
	GroupGuarantor: {"guarantor_name"},
	GroupBalance:   {"balance"},
	GroupClaims:    {"claims"},
	GroupInsurance: {"insurance"},
	GroupBenefits:  {"benefits"},
	GroupRecalls:   {"recalls"},
	GroupTreatment: {"treatment_plans"},
}

// KindGroups is the minimum-necessary field set of each kind of work:
// what an agent doing that work may see, and nothing else.
var KindGroups = map[policy.Kind][]FieldGroup{
	policy.ClaimFollowup:     {GroupIdentity, GroupClaims, GroupInsurance, GroupBenefits},
	policy.BalanceFollowup:   {GroupIdentity, GroupContact, GroupGuarantor, GroupBalance, GroupBenefits},
	policy.Recare:            {GroupIdentity, GroupContact, GroupRecalls, GroupBenefits},
	policy.TreatmentFollowup: {GroupIdentity, GroupContact, GroupTreatment, GroupBenefits},
	policy.EligibilityCheck:  {GroupIdentity, GroupInsurance, GroupBenefits},
}

// GroupsFor returns the union of the kinds' field groups, in display order.
func GroupsFor(kinds []policy.Kind) []FieldGroup {
	var out []FieldGroup
	for _, g := range Groups {
		for _, k := range kinds {
			if slices.Contains(KindGroups[k], g) {
				out = append(out, g)
				break
			}
		}
	}
	return out
}

// FieldsOf expands groups into field names, in display order.
func FieldsOf(groups []FieldGroup) []string {
	var out []string
	for _, g := range Groups {
		if slices.Contains(groups, g) {
			out = append(out, GroupFields[g]...)
		}
	}
	return out
}

// AllFields is every field a projected record can hold.
func AllFields() []string { return FieldsOf(Groups) }

// Record is everything stored about one patient of a practice.
type Record struct {
	ID         string
	Patient    records.Patient
	Balance    *records.Balance
	Claims     []records.Claim
	Recalls    []records.Recall
	Treatments []records.TreatmentPlan
	Benefits   *records.Benefits
}

// Project returns the record's fields named in fields and nothing else,
// ready to encode as JSON. It is the only way PHI leaves the stores for an
// agent or a break-glass reader.
func Project(r Record, fields []string) map[string]any {
	out := make(map[string]any, len(fields))
	for _, f := range fields {
		if v, ok := fieldValue(r, f); ok {
			out[f] = v
		}
	}
	return out
}

func fieldValue(r Record, f string) (any, bool) {
	p := r.Patient
	switch f {
	case "patient_id":
		return r.ID, true
	case "chart_number":
		return p.ExternalID, true
	case "first_name":
		return p.FirstName, true
	case "last_name":
		return p.LastName, true
	case "date_of_birth":
		return p.DateOfBirth.String(), true
	case "phone":
		return p.Phone, true
	case "email":
		return p.Email, true
	case "address":
		return Address{Line1: p.AddressLine1, Line2: p.AddressLine2, City: p.City, State: p.State, PostalCode: p.PostalCode}, true
	case "preferred_channel":
		return string(p.PreferredChannel), true
	case "text_consent":
		return p.TextConsent, true
	case "do_not_contact":
		return p.DoNotContact, true
	case "guarantor_name":
		return p.GuarantorName, true
	case "balance":
		return balanceView(r.Balance), true
	case "claims":
		return claimViews(r.Claims), true
	case "insurance":
		return insuranceViews(r.Claims), true
	case "recalls":
		return recallViews(r.Recalls), true
	case "treatment_plans":
		return treatmentViews(r.Treatments), true
	case "benefits":
		return benefitsView(r.Benefits), true
	}
	return nil, false
}
