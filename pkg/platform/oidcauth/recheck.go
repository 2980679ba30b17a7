package oidcauth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// Tokens are what a sign-in yields besides its claims: the ID token (the
// hint some providers need at logout) and the access and refresh tokens
// that let Backdesk ask the provider again, later, whether the person is
// still who they were.
type Tokens struct {
	ID, Access, Refresh string
}

// ErrRevoked means the provider no longer vouches for a signed-in person:
// it refused their refresh token (invalid_grant), or its userinfo endpoint
// refused their access token. The session must end.
var ErrRevoked = errors.New("the identity provider no longer vouches for this person")

// Recheck asks the provider about the person subject signed in with t:
// with a refresh token, it redeems it (the provider refuses it once the
// user is disabled or removed) and reads the new ID token, or userinfo
// when none comes; without one, it reads userinfo with the access token.
// It returns the person's current claims (their groups included) and the
// tokens to keep. ErrRevoked says the session must end; any other error
// says the provider could not be asked (try later).
func (l *Login) Recheck(ctx context.Context, subject string, t Tokens) (Claims, Tokens, error) {
	p, err := l.v.Provider(ctx)
	if err != nil {
		return Claims{}, Tokens{}, err
	}
	hc := oidc.ClientContext(ctx, l.v.cfg.HTTPClient)
	if t.Refresh == "" {
		if t.Access == "" {
			return Claims{}, Tokens{}, fmt.Errorf("%w: the session keeps no token to ask with", ErrRevoked)
		}
		return l.userinfo(hc, p, subject, t)
	}
	// An expired token makes the source redeem the refresh token now.
	tok, err := l.oauth2Config(p).TokenSource(hc, &oauth2.Token{RefreshToken: t.Refresh, Expiry: time.Unix(1, 0)}).Token()
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.ErrorCode != "" && !transient(re.ErrorCode) {
			// The provider answered, and will not renew the session:
			// invalid_grant for a revoked or expired token (Dex says
			// invalid_request), invalid_client for credentials it no
			// longer takes. Either way nobody may go on in its name.
			return Claims{}, Tokens{}, fmt.Errorf("%w: refresh refused: %s", ErrRevoked, (&ProviderError{Code: re.ErrorCode, Description: re.ErrorDescription}).reason())
		}
		return Claims{}, Tokens{}, fmt.Errorf("refresh: %s", shortHTTPError(err))
	}
	next := Tokens{ID: t.ID, Access: tok.AccessToken, Refresh: tok.RefreshToken}
	if next.Refresh == "" {
		next.Refresh = t.Refresh
	}
	rawID, _ := tok.Extra("id_token").(string)
	if rawID == "" {
		return l.userinfo(hc, p, subject, next)
	}
	c, err := l.v.VerifyIDToken(ctx, rawID)
	if err != nil {
		return Claims{}, Tokens{}, fmt.Errorf("%w: the refreshed ID token did not verify: %w", ErrRevoked, err)
	}
	if c.Subject != subject {
		return Claims{}, Tokens{}, fmt.Errorf("%w: the refreshed ID token names another subject", ErrRevoked)
	}
	next.ID = rawID
	return c, next, nil
}

func (l *Login) userinfo(ctx context.Context, p *oidc.Provider, subject string, t Tokens) (Claims, Tokens, error) {
	ui, err := p.UserInfo(ctx, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: t.Access, TokenType: "Bearer"}))
	if err != nil {
		// go-oidc reports a refusal as "<status>: <body>".
		if msg := err.Error(); strings.HasPrefix(msg, "401") || strings.HasPrefix(msg, "403") {
			return Claims{}, Tokens{}, fmt.Errorf("%w: userinfo refused the access token (%s)", ErrRevoked, msg[:3])
		}
		return Claims{}, Tokens{}, fmt.Errorf("userinfo: %s", shortHTTPError(err))
	}
	if ui.Subject != subject {
		return Claims{}, Tokens{}, fmt.Errorf("%w: userinfo names another subject", ErrRevoked)
	}
	raw := map[string]any{}
	if err := ui.Claims(&raw); err != nil {
		return Claims{}, Tokens{}, fmt.Errorf("userinfo: claims do not decode")
	}
	name, _ := raw["name"].(string)
	return Claims{
		Issuer: l.v.cfg.Issuer, Subject: ui.Subject, Name: name, Email: ui.Email,
		EmailVerified: ui.EmailVerified, Raw: raw,
	}, t, nil
}

// transient names the OAuth errors that say "not now" rather than "no"
// (RFC 6749 section 4.1.2.1).
func transient(code string) bool {
	return code == "temporarily_unavailable" || code == "server_error"
}

// shortHTTPError keeps the first line of a transport or status error,
// which never holds a token (they travel in headers and bodies sent, not
// in what comes back from a refusal).
func shortHTTPError(err error) string {
	msg, _, _ := strings.Cut(err.Error(), "\n")
	if len(msg) > 200 {
		msg = msg[:200]
	}
	return msg
}
