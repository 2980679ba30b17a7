package oidcauth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// Login runs the authorization code flow with PKCE for browsers.
type Login struct {
	v            *Verifier
	clientSecret string
	redirectURL  string
	scopes       []string
}

// NewLogin returns the browser login for v's provider; redirectURL is
// Backdesk's /auth/callback as the provider knows it.
func (v *Verifier) NewLogin(clientSecret, redirectURL string, scopes []string) *Login {
	if len(scopes) == 0 {
		scopes = []string{oidc.ScopeOpenID, "profile", "email"}
	}
	return &Login{v: v, clientSecret: clientSecret, redirectURL: redirectURL, scopes: scopes}
}

// Attempt is one login in progress: what must be remembered between the
// redirect to the provider and the callback.
type Attempt struct {
	URL      string // where to send the browser
	State    string // binds the callback to this browser (CSRF on login)
	Nonce    string // binds the ID token to this attempt (replay)
	Verifier string // PKCE: proves the code is redeemed by whoever asked for it
}

func (l *Login) oauth2Config(p *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{
		ClientID: l.v.cfg.ClientID, ClientSecret: l.clientSecret,
		Endpoint: p.Endpoint(), RedirectURL: l.redirectURL, Scopes: l.scopes,
	}
}

// Begin starts a login.
func (l *Login) Begin(ctx context.Context) (Attempt, error) {
	p, err := l.v.Provider(ctx)
	if err != nil {
		return Attempt{}, err
	}
	a := Attempt{State: randomToken(), Nonce: randomToken(), Verifier: oauth2.GenerateVerifier()}
	a.URL = l.oauth2Config(p).AuthCodeURL(a.State, oidc.Nonce(a.Nonce), oauth2.S256ChallengeOption(a.Verifier))
	return a, nil
}

// ErrLogin wraps every reason a callback is refused.
var ErrLogin = errors.New("login failed")

// ProviderError is the provider's own OAuth error when it refuses to
// redeem a code (RFC 6749 section 5.2): invalid_client for a wrong client
// secret, invalid_grant for a used or expired code, and so on.
type ProviderError struct {
	Code        string
	Description string
}

func (e *ProviderError) Error() string {
	return "the provider refused the code: " + e.reason()
}

// reason is the code with its description.
func (e *ProviderError) reason() string {
	if e.Description == "" {
		return e.Code
	}
	return e.Code + " (" + e.Description + ")"
}

// Hint says what an administrator can do about the error, when the code
// says.
func (e *ProviderError) Hint() string {
	switch e.Code {
	case "invalid_client", "unauthorized_client":
		return "Check BACKDESK_OIDC_CLIENT_ID and BACKDESK_OIDC_CLIENT_SECRET against the client registered at the provider."
	case "invalid_grant":
		return "The sign-in took too long or was used twice, or the redirect URI at the provider differs from BACKDESK_PUBLIC_URL/auth/callback."
	}
	return ""
}

// Finish redeems the code of attempt a and verifies the ID token, its nonce
// included. It returns the claims and the tokens: the raw ID token (the
// hint for the provider's logout) and the access and refresh tokens that
// Recheck uses.
func (l *Login) Finish(ctx context.Context, a Attempt, state, code string) (Claims, Tokens, error) {
	if subtle.ConstantTimeCompare([]byte(state), []byte(a.State)) != 1 {
		return Claims{}, Tokens{}, fmt.Errorf("%w: state does not match", ErrLogin)
	}
	p, err := l.v.Provider(ctx)
	if err != nil {
		return Claims{}, Tokens{}, err
	}
	tok, err := l.oauth2Config(p).Exchange(oidc.ClientContext(ctx, l.v.cfg.HTTPClient), code, oauth2.VerifierOption(a.Verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.ErrorCode != "" {
			return Claims{}, Tokens{}, fmt.Errorf("%w: %w", ErrLogin, &ProviderError{Code: re.ErrorCode, Description: re.ErrorDescription})
		}
		return Claims{}, Tokens{}, fmt.Errorf("%w: the provider refused the code", ErrLogin)
	}
	rawID, _ := tok.Extra("id_token").(string)
	if rawID == "" {
		return Claims{}, Tokens{}, fmt.Errorf("%w: no ID token in the provider's answer", ErrLogin)
	}
	c, err := l.v.VerifyIDToken(ctx, rawID)
	if err != nil {
		return Claims{}, Tokens{}, fmt.Errorf("%w: %w", ErrLogin, err)
	}
	if subtle.ConstantTimeCompare([]byte(c.Nonce), []byte(a.Nonce)) != 1 {
		return Claims{}, Tokens{}, fmt.Errorf("%w: nonce does not match", ErrLogin)
	}
	return c, Tokens{ID: rawID, Access: tok.AccessToken, Refresh: tok.RefreshToken}, nil
}

// CheckNonce verifies an ID token and that it carries nonce; Finish uses
// the same checks.
func (l *Login) CheckNonce(ctx context.Context, rawID, nonce string) (Claims, error) {
	c, err := l.v.VerifyIDToken(ctx, rawID)
	if err != nil {
		return Claims{}, err
	}
	if subtle.ConstantTimeCompare([]byte(c.Nonce), []byte(nonce)) != 1 {
		return Claims{}, fmt.Errorf("%w: nonce does not match", ErrLogin)
	}
	return c, nil
}

// EndSessionURL returns the provider's logout URL when it publishes one.
func (l *Login) EndSessionURL(ctx context.Context, idTokenHint, postLogout string) (string, bool) {
	p, err := l.v.Provider(ctx)
	if err != nil {
		return "", false
	}
	var meta struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if err := p.Claims(&meta); err != nil || meta.EndSession == "" {
		return "", false
	}
	u, err := url.Parse(meta.EndSession)
	if err != nil {
		return "", false
	}
	q := u.Query()
	if idTokenHint != "" {
		q.Set("id_token_hint", idTokenHint)
	}
	q.Set("client_id", l.v.cfg.ClientID)
	q.Set("post_logout_redirect_uri", postLogout)
	u.RawQuery = q.Encode()
	return u.String(), true
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
