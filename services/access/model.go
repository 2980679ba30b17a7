package access

import (
	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/backdesk/backdesk/services/internal/api"
)

func meResponseFrom(p identity.Principal) api.Me {
	r := api.Me{
		UserID: p.UserID, Issuer: p.Issuer, Subject: p.Subject, Name: p.Name, Email: p.Email,
		Roles: []string{}, Memberships: []api.Membership{}, AuthMethod: "bearer", MFA: p.MFA,
	}
	if p.SessionRef != "" {
		r.AuthMethod = "session"
	}
	for _, role := range p.Roles {
		r.Roles = append(r.Roles, string(role))
	}
	for _, m := range p.Memberships {
		r.Memberships = append(r.Memberships, api.Membership{PracticeID: m.PracticeID, Role: string(m.Role)})
	}
	return r
}
