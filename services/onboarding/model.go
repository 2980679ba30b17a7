package onboarding

import (
	"time"

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
