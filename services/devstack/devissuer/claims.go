package devissuer

import (
	"context"
	"slices"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// SetUserinfoFromScopes fills the ID token's identity claims. op calls it
// for ID tokens only; profile and email follow the requested scopes as at
// a real provider, so a relying party that forgets to ask for them finds
// out here rather than in production. Groups are always sent.
func (s *storage) SetUserinfoFromScopes(_ context.Context, info *oidc.UserInfo, subject, _ string, scopes []string) error {
	return s.fillUserinfo(info, subject, scopes)
}

// SetUserinfoFromToken answers the userinfo endpoint for a token this
// issuer signed and still remembers.
func (s *storage) SetUserinfoFromToken(_ context.Context, info *oidc.UserInfo, tokenID, subject, _ string) error {
	t, err := s.token(tokenID, subject)
	if err != nil {
		return err
	}
	return s.fillUserinfo(info, subject, t.scopes)
}

func (s *storage) SetIntrospectionFromToken(_ context.Context, resp *oidc.IntrospectionResponse, tokenID, subject, _ string) error {
	t, err := s.token(tokenID, subject)
	if err != nil {
		return err
	}
	info := new(oidc.UserInfo)
	if err := s.fillUserinfo(info, subject, t.scopes); err != nil {
		return err
	}
	resp.SetUserInfo(info)
	resp.Active = true
	resp.ClientID = t.client
	resp.Scope = t.scopes
	resp.Audience = t.aud
	resp.Expiration = oidc.FromTime(t.expires)
	resp.JWTID = tokenID
	return nil
}

// methods is the amr a sign-in carries: a password, and a second factor
// when the person said so on the login page or the token was minted so.
func methods(mfa bool) []string {
	if mfa {
		return []string{"pwd", "mfa"}
	}
	return []string{"pwd"}
}

// GetPrivateClaimsFromRequest is GetPrivateClaimsFromScopes with the
// sign-in's methods (amr) added, since op puts amr in ID tokens only.
func (s *storage) GetPrivateClaimsFromRequest(ctx context.Context, req op.TokenRequest, scopes []string) (map[string]any, error) {
	claims, err := s.GetPrivateClaimsFromScopes(ctx, req.GetSubject(), "", scopes)
	if err != nil {
		return nil, err
	}
	if a, ok := req.(*authRequest); ok && len(a.amr) > 0 {
		claims["amr"] = slices.Clone(a.amr)
	}
	return claims, nil
}

// GetPrivateClaimsFromScopes adds identity to the JWT access token,
// because Backdesk's APIs authorize from the access token alone; the
// groups only when the groups scope was asked for, as Dex does.
func (s *storage) GetPrivateClaimsFromScopes(_ context.Context, subject, _ string, scopes []string) (map[string]any, error) {
	u, ok := s.users.bySubject(subject)
	if !ok {
		return nil, errUnknownUser
	}
	out := map[string]any{
		"name":               u.Name,
		"email":              u.Email,
		"email_verified":     true,
		"preferred_username": u.Username,
	}
	if slices.Contains(scopes, scopeGroups) {
		out["groups"] = slices.Clone(u.Groups)
	}
	return out, nil
}

func (s *storage) fillUserinfo(info *oidc.UserInfo, subject string, scopes []string) error {
	u, ok := s.users.bySubject(subject)
	if !ok {
		return errUnknownUser
	}
	info.Subject = u.Subject
	if slices.Contains(scopes, oidc.ScopeProfile) {
		info.Name = u.Name
		info.PreferredUsername = u.Username
	}
	if slices.Contains(scopes, oidc.ScopeEmail) {
		info.Email = u.Email
		info.EmailVerified = true
	}
	if slices.Contains(scopes, scopeGroups) {
		info.AppendClaims("groups", slices.Clone(u.Groups))
	}
	return nil
}
