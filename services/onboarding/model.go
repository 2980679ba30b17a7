package onboarding

import (
	"encoding/json"
	"time"

	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/pkg/records"
)

type createPracticeRequest struct {
	Name     string `json:"name"`
	NPI      string `json:"npi"`
	Timezone string `json:"timezone"`
}

func (r createPracticeRequest) toDomain() practice.NewPractice {
	return practice.NewPractice{Name: r.Name, NPI: r.NPI, Timezone: r.Timezone}
}

type practiceResponse struct {
	ID              string       `json:"id"`
	Name            string       `json:"name"`
	NPI             string       `json:"npi"`
	Timezone        string       `json:"timezone"`
	Status          string       `json:"status"`
	StatusReason    *string      `json:"status_reason"`
	StatusChangedAt *time.Time   `json:"status_changed_at"`
	RetainUntil     *string      `json:"retain_until"`
	BAA             *baaResponse `json:"baa"`
	Version         int          `json:"version"`
	CreatedAt       time.Time    `json:"created_at"`
	UpdatedAt       time.Time    `json:"updated_at"`
	ProvisionedAt   *time.Time   `json:"provisioned_at"`
	RequireMFA      bool         `json:"require_mfa"`
}

type baaResponse struct {
	SignerName     string    `json:"signer_name"`
	SignerTitle    string    `json:"signer_title"`
	SignedOn       string    `json:"signed_on"`
	DocumentSHA256 string    `json:"document_sha256"`
	RecordedAt     time.Time `json:"recorded_at"`
}

func practiceResponseFrom(p practice.Practice) practiceResponse {
	r := practiceResponse{
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
		r.BAA = &baaResponse{SignerName: b.SignerName, SignerTitle: b.SignerTitle, SignedOn: b.SignedOn.String(), DocumentSHA256: b.DocumentSHA256, RecordedAt: b.RecordedAt}
	}
	return r
}

type practiceListResponse struct {
	Items     []practiceResponse `json:"items"`
	NextAfter string             `json:"next_after,omitempty"`
}

type updatePracticeRequest struct {
	Name     string `json:"name"`
	Timezone string `json:"timezone"`
	Version  int    `json:"version"`
	// RequireMFA, when sent, sets whether reading the practice's patients
	// needs a sign-in with a second factor.
	RequireMFA *bool `json:"require_mfa"`
}

type baaRequest struct {
	SignerName     string `json:"signer_name"`
	SignerTitle    string `json:"signer_title"`
	SignedOn       string `json:"signed_on"`
	DocumentSHA256 string `json:"document_sha256"`
}

func (r baaRequest) toDomain() (practice.BAA, error) {
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

type reasonRequest struct {
	Reason string `json:"reason"`
}

type locationRequest struct {
	Name         string `json:"name"`
	AddressLine1 string `json:"address_line1"`
	AddressLine2 string `json:"address_line2"`
	City         string `json:"city"`
	State        string `json:"state"`
	PostalCode   string `json:"postal_code"`
	Phone        string `json:"phone"`
}

func (r locationRequest) toDomain() practice.Location {
	return practice.Location{Name: r.Name, AddressLine1: r.AddressLine1, AddressLine2: r.AddressLine2, City: r.City, State: r.State, PostalCode: r.PostalCode, Phone: r.Phone}
}

type locationResponse struct {
	ID           string    `json:"id"`
	Name         string    `json:"name"`
	AddressLine1 string    `json:"address_line1"`
	AddressLine2 string    `json:"address_line2"`
	City         string    `json:"city"`
	State        string    `json:"state"`
	PostalCode   string    `json:"postal_code"`
	Phone        string    `json:"phone"`
	CreatedAt    time.Time `json:"created_at"`
}

func locationResponseFrom(l practice.Location) locationResponse {
	return locationResponse{ID: l.ID, Name: l.Name, AddressLine1: l.AddressLine1, AddressLine2: l.AddressLine2, City: l.City, State: l.State, PostalCode: l.PostalCode, Phone: l.Phone, CreatedAt: l.CreatedAt}
}

type locationListResponse struct {
	Items []locationResponse `json:"items"`
}

type policyRequest struct {
	Version int             `json:"version"`
	Policy  json.RawMessage `json:"policy"`
}

type policiesResponse struct {
	Kinds    map[string]policy.Policy `json:"kinds"`
	Contact  policy.ContactRules      `json:"contact"`
	Versions map[string]int           `json:"versions"`
}

func policiesResponseFrom(p practice.Policies) policiesResponse {
	out := policiesResponse{Kinds: map[string]policy.Policy{}, Contact: p.Contact, Versions: p.Versions}
	for k, v := range p.Kinds {
		out.Kinds[string(k)] = v
	}
	return out
}

type inviteRequest struct {
	Email string `json:"email"`
}

type invitationResponse struct {
	ID          string     `json:"id"`
	PracticeID  string     `json:"practice_id"`
	Email       string     `json:"email"`
	Role        string     `json:"role"`
	State       string     `json:"state"`
	CreatedAt   time.Time  `json:"created_at"`
	ExpiresAt   time.Time  `json:"expires_at"`
	ConfirmedBy string     `json:"confirmed_by,omitempty"`
	ConfirmedAt *time.Time `json:"confirmed_at,omitempty"`
}

func invitationResponseFrom(i identity.Invitation) invitationResponse {
	return invitationResponse{
		ID: i.ID, PracticeID: i.PracticeID, Email: i.Email, Role: string(i.Role), State: string(i.State),
		CreatedAt: i.CreatedAt, ExpiresAt: i.ExpiresAt, ConfirmedBy: i.ConfirmedBy, ConfirmedAt: i.ConfirmedAt,
	}
}
