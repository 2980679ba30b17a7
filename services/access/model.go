package access

import "github.com/backdesk/backdesk/pkg/identity"

type membershipResponse struct {
	PracticeID string `json:"practice_id"`
	Role       string `json:"role"`
}

type meResponse struct {
	UserID      string               `json:"user_id"`
	Issuer      string               `json:"issuer"`
	Subject     string               `json:"subject"`
	Name        string               `json:"name"`
	Email       string               `json:"email"`
	Roles       []string             `json:"roles"`
	Memberships []membershipResponse `json:"memberships"`
	AuthMethod  string               `json:"auth_method"`
	// MFA says the provider vouched for a second factor at sign-in.
	MFA bool `json:"mfa"`
}

func meResponseFrom(p identity.Principal) meResponse {
	r := meResponse{
		UserID: p.UserID, Issuer: p.Issuer, Subject: p.Subject, Name: p.Name, Email: p.Email,
		Roles: []string{}, Memberships: []membershipResponse{}, AuthMethod: "bearer", MFA: p.MFA,
	}
	if p.SessionRef != "" {
		r.AuthMethod = "session"
	}
	for _, role := range p.Roles {
		r.Roles = append(r.Roles, string(role))
	}
	for _, m := range p.Memberships {
		r.Memberships = append(r.Memberships, membershipResponse{PracticeID: m.PracticeID, Role: string(m.Role)})
	}
	return r
}
