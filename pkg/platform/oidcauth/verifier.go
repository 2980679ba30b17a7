// Package oidcauth verifies OpenID Connect tokens and runs the browser
// login (authorization code with PKCE) against any standard provider. It
// guards against the known ways a relying party is fooled: it accepts only
// RS256, ES256 and EdDSA signatures, checks issuer, audience, expiry,
// not-before and issued-at with a configurable leeway, and refetches the
// provider's keys at most once per interval when it meets an unknown key.
package oidcauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

// Config says which provider to trust and how strictly.
type Config struct {
	Issuer      string
	ClientID    string        // the expected audience
	Leeway      time.Duration // allowed clock skew; default 60s
	KeyRefresh  time.Duration // least time between JWKS refetches; default 30s
	HTTPClient  *http.Client  // default: 10s timeout
	Now         func() time.Time
	MaxTokenLen int // default 8 KiB; longer bearer values are refused unparsed
}

// Claims are the identity claims Backdesk reads from a token.
type Claims struct {
	Issuer        string
	Subject       string
	Name          string
	Email         string
	EmailVerified bool
	Nonce         string
	Raw           map[string]any // every claim, for reading the groups claim
}

// ErrInvalidToken wraps every reason a token is refused. Its text names the
// check that failed, never the token.
var ErrInvalidToken = errors.New("invalid token")

// Verifier checks bearer and ID tokens from one provider. Discovery happens
// on first use, so a process can start before its provider answers.
type Verifier struct {
	cfg Config

	mu       sync.Mutex
	provider *oidc.Provider
	keys     *keySet
	verifier *oidc.IDTokenVerifier
}

// NewVerifier returns a Verifier for cfg.
func NewVerifier(cfg Config) *Verifier {
	if cfg.Leeway == 0 {
		cfg.Leeway = 60 * time.Second
	}
	if cfg.KeyRefresh == 0 {
		cfg.KeyRefresh = 30 * time.Second
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxTokenLen == 0 {
		cfg.MaxTokenLen = 8 << 10
	}
	return &Verifier{cfg: cfg}
}

// discover loads the provider's metadata once; a failure is retried on the
// next call rather than remembered.
func (v *Verifier) discover(ctx context.Context) (*oidc.Provider, *oidc.IDTokenVerifier, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.provider != nil {
		return v.provider, v.verifier, nil
	}
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, v.cfg.HTTPClient), v.cfg.Issuer)
	if err != nil {
		return nil, nil, fmt.Errorf("discover OIDC provider: %w", err)
	}
	var meta struct {
		JWKSURI string `json:"jwks_uri"`
	}
	if err := p.Claims(&meta); err != nil || meta.JWKSURI == "" {
		return nil, nil, errors.New("discover OIDC provider: no jwks_uri")
	}
	v.keys = &keySet{url: meta.JWKSURI, client: v.cfg.HTTPClient, interval: v.cfg.KeyRefresh, now: v.cfg.Now}
	v.verifier = oidc.NewVerifier(v.cfg.Issuer, v.keys, &oidc.Config{
		ClientID:             v.cfg.ClientID,
		SupportedSigningAlgs: []string{"RS256", "ES256", "EdDSA"},
		SkipExpiryCheck:      true, // checked below, with our leeway
	})
	v.provider = p
	return p, v.verifier, nil
}

// Ready reports whether the provider's discovery document can be loaded.
func (v *Verifier) Ready(ctx context.Context) error {
	_, _, err := v.discover(ctx)
	return err
}

// Provider returns the discovered provider.
func (v *Verifier) Provider(ctx context.Context) (*oidc.Provider, error) {
	p, _, err := v.discover(ctx)
	return p, err
}

// JWKSFetches reports how often the provider's keys were fetched.
func (v *Verifier) JWKSFetches() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.keys == nil {
		return 0
	}
	return v.keys.Fetches()
}

// Verify checks a raw JWT (an access token used as a bearer token, or an ID
// token from the login flow) and returns its claims.
func (v *Verifier) Verify(ctx context.Context, raw string) (Claims, error) {
	if raw == "" || len(raw) > v.cfg.MaxTokenLen || strings.Count(raw, ".") != 2 {
		return Claims{}, fmt.Errorf("%w: not a JWT of acceptable size", ErrInvalidToken)
	}
	_, ver, err := v.discover(ctx)
	if err != nil {
		return Claims{}, err
	}
	tok, err := ver.Verify(ctx, raw)
	if err != nil {
		return Claims{}, fmt.Errorf("%w: %s", ErrInvalidToken, reason(err))
	}
	var c struct {
		Exp           *float64 `json:"exp"`
		Nbf           *float64 `json:"nbf"`
		Iat           *float64 `json:"iat"`
		Name          string   `json:"name"`
		Email         string   `json:"email"`
		EmailVerified any      `json:"email_verified"`
		Nonce         string   `json:"nonce"`
	}
	if err := tok.Claims(&c); err != nil {
		return Claims{}, fmt.Errorf("%w: claims do not decode", ErrInvalidToken)
	}
	now := v.cfg.Now()
	switch {
	case c.Exp == nil:
		return Claims{}, fmt.Errorf("%w: no exp claim", ErrInvalidToken)
	case c.Iat == nil:
		return Claims{}, fmt.Errorf("%w: no iat claim", ErrInvalidToken)
	case now.After(unix(*c.Exp).Add(v.cfg.Leeway)):
		return Claims{}, fmt.Errorf("%w: expired", ErrInvalidToken)
	case c.Nbf != nil && now.Add(v.cfg.Leeway).Before(unix(*c.Nbf)):
		return Claims{}, fmt.Errorf("%w: not valid yet (nbf)", ErrInvalidToken)
	case now.Add(v.cfg.Leeway).Before(unix(*c.Iat)):
		return Claims{}, fmt.Errorf("%w: issued in the future (iat)", ErrInvalidToken)
	case tok.Subject == "":
		return Claims{}, fmt.Errorf("%w: no sub claim", ErrInvalidToken)
	}
	raw2 := map[string]any{}
	_ = tok.Claims(&raw2)
	return Claims{
		Issuer: tok.Issuer, Subject: tok.Subject, Name: c.Name, Email: c.Email,
		EmailVerified: c.EmailVerified == true || c.EmailVerified == "true",
		Nonce:         c.Nonce, Raw: raw2,
	}, nil
}

func unix(f float64) time.Time { return time.Unix(int64(f), 0) }

// reason shortens go-oidc's messages to the check that failed, without
// echoing token contents.
func reason(err error) string {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "different provider"):
		return "wrong issuer"
	case strings.Contains(msg, "audience"):
		return "wrong audience"
	case strings.Contains(msg, "malformed"):
		return "malformed or unsupported algorithm"
	case errors.Is(err, errUnknownKey):
		return "unknown signing key"
	case strings.Contains(msg, "signature"):
		return "bad signature"
	}
	return "verification failed"
}

// Groups reads the claim at path (dotted for nested claims, such as
// Keycloak's "realm_access.roles") as a list of strings.
func (c Claims) Groups(path string) []string {
	var cur any = c.Raw
	for _, part := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[part]
	}
	switch v := cur.(type) {
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	case string:
		return strings.Fields(v)
	}
	return nil
}
