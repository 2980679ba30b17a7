package onboarding

import (
	"time"

	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/pkg/records"
	"github.com/backdesk/backdesk/services/internal/api"
)

// The conversions between the API's bodies (services/internal/api) and
// the practice domain's values.

func newPracticeFrom(r api.PracticeBody) practice.NewPractice {
	return practice.NewPractice{Name: r.Name, NPI: r.NPI, Timezone: r.Timezone}
}

func practiceResponseFrom(p practice.Practice) api.Practice {
	r := api.Practice{
		ID: p.ID, Name: p.Name, NPI: p.NPI, Timezone: p.Timezone,
		Status: string(p.Status), Version: p.Version, StatusChangedAt: p.StatusChanged,
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, ProvisionedAt: p.ProvisionedAt, RequireMFA: p.RequireMFA,
	}
	if p.StatusReason != "" {
		r.StatusReason = &p.StatusReason
	}
	if !p.RetainUntil.IsZero() {
		s := p.RetainUntil.String()
		r.RetainUntil = &s
	}
	if b := p.BAA; b != nil {
		r.BAA = &api.BAA{BAABody: api.BAABody{SignerName: b.SignerName, SignerTitle: b.SignerTitle, SignedOn: b.SignedOn.String(),
			DocumentSHA256: b.DocumentSHA256}, RecordedAt: b.RecordedAt}
	}
	return r
}

func baaFrom(r api.BAABody) (practice.BAA, error) {
	b := practice.BAA{SignerName: r.SignerName, SignerTitle: r.SignerTitle, DocumentSHA256: r.DocumentSHA256}
	if r.SignedOn != "" {
		t, err := time.Parse(time.DateOnly, r.SignedOn)
		if err != nil {
			return b, apperr.Invalid("signed_on", "invalid_date", "must be a date as YYYY-MM-DD")
		}
		b.SignedOn = records.Date{Year: t.Year(), Month: t.Month(), Day: t.Day()}
	}
	return b, nil
}

func locationFrom(r api.LocationBody) practice.Location {
	return practice.Location{Name: r.Name, AddressLine1: r.AddressLine1, AddressLine2: r.AddressLine2, City: r.City, State: r.State, PostalCode: r.PostalCode, Phone: r.Phone}
}

func locationResponseFrom(l practice.Location) api.Location {
	return api.Location{ID: l.ID, LocationBody: api.LocationBody{Name: l.Name, AddressLine1: l.AddressLine1, AddressLine2: l.AddressLine2,
		City: l.City, State: l.State, PostalCode: l.PostalCode, Phone: l.Phone}, CreatedAt: l.CreatedAt}
}

func policiesResponseFrom(p practice.Policies) api.Policies {
	out := api.Policies{Kinds: map[string]policy.Policy{}, Contact: p.Contact, Versions: p.Versions}
	for k, v := range p.Kinds {
		out.Kinds[string(k)] = v
	}
	return out
}

func invitationResponseFrom(i identity.Invitation) api.Invitation {
	return api.Invitation{
		ID: i.ID, PracticeID: i.PracticeID, Email: i.Email, Role: string(i.Role), State: string(i.State),
		CreatedAt: i.CreatedAt, ExpiresAt: i.ExpiresAt, ConfirmedBy: i.ConfirmedBy, ConfirmedAt: i.ConfirmedAt,
	}
}
