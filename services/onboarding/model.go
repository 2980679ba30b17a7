package onboarding

import (
	"time"

	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/backdesk/backdesk/pkg/practice"
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
	ID            string     `json:"id"`
	Name          string     `json:"name"`
	NPI           string     `json:"npi"`
	Timezone      string     `json:"timezone"`
	Status        string     `json:"status"`
	Version       int        `json:"version"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
	ProvisionedAt *time.Time `json:"provisioned_at"`
}

func practiceResponseFrom(p practice.Practice) practiceResponse {
	return practiceResponse{
		ID: p.ID, Name: p.Name, NPI: p.NPI, Timezone: p.Timezone,
		Status: string(p.Status), Version: p.Version,
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, ProvisionedAt: p.ProvisionedAt,
	}
}

type inviteRequest struct {
	Email string `json:"email"`
}

type invitationResponse struct {
	ID         string    `json:"id"`
	PracticeID string    `json:"practice_id"`
	Email      string    `json:"email"`
	Role       string    `json:"role"`
	CreatedAt  time.Time `json:"created_at"`
	ExpiresAt  time.Time `json:"expires_at"`
}

func invitationResponseFrom(i identity.Invitation) invitationResponse {
	return invitationResponse{
		ID: i.ID, PracticeID: i.PracticeID, Email: i.Email, Role: string(i.Role),
		CreatedAt: i.CreatedAt, ExpiresAt: i.ExpiresAt,
	}
}
