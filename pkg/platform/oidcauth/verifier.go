// Package oidcauth verifies OpenID Connect tokens and runs the browser
// login (authorization code with PKCE) against any standard provider. It
// guards against the known ways a relying party is fooled: it accepts only
// RS256, ES256 and EdDSA signatures, checks issuer, audience, authorized
// party, expiry, not-before and issued-at with a configurable leeway,
// refuses ID tokens where an access token is expected, and refetches the
// provider's keys at most once per interval when it meets an unknown key.
package oidcauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
)

// Config says which provider to trust and how strictly.
type Config struct {
	Issuer   string
	ClientID string // the audience of ID tokens, and of access tokens unless APIAudience is set
	// APIAudience, when set, is the audience every bearer (access) token
	// must carry instead of the client id: the API's identifier at
	// providers that issue access tokens for a resource (Okta, Entra ID,
	// Keycloak with an audience mapper).
	APIAudience string
	// MFAACRValues are acr values that vouch for a second factor, for
	// providers that say so in acr rather than amr (Keycloak's levels of
	// assurance, say).
	MFAACRValues []string
	// AcceptIDTokenMarks accepts bearer tokens that carry the marks of an
	// ID token (at_hash, nonce), for providers whose access tokens carry
	// them too: Dex mints its access tokens as ID tokens, with an at_hash
	// over a random value. Off, such tokens are refused as ID tokens.
	AcceptIDTokenMarks bool
	Leeway             time.Duration // allowed clock skew; default 60s
	KeyRefresh         time.Duration // least time between JWKS refetches; default 30s
	HTTPClient         *http.Client  // default: 10s timeout
	Now                func() time.Time
	MaxTokenLen        int // default 8 KiB; longer bearer values are refused unparsed
}

// Claims are the identity claims Backdesk reads from a token.
type Claims struct {
	Issuer        string
	Subject       string
	Name          string
	Email         string
	EmailVerified bool
	Nonce         string
	// AMR and ACR say how the person authenticated; MFA is true when they
	// show a second factor (see SecondFactor).
	AMR []string
	ACR string
	MFA bool
	Raw map[string]any // every claim, for reading the groups claim
}

// ErrInvalidToken wraps every reason a token is refused. Its text names the
// check that failed, never the token.
var ErrInvalidToken = errors.New("invalid token")

// Verifier checks bearer and ID tokens from one provider. Discovery happens
// on first use, so a process can start before its provider answers.
type Verifier struct {
	cfg Config

	mu           sync.Mutex
	provider     *oidc.Provider
	discoveredAt time.Time // when provider was read; zero asks for a new read
	rediscover   bool      // a background read is under way
	keys         *keySet
	idv          *oidc.IDTokenVerifier // audience: the client id
	accessv      *oidc.IDTokenVerifier // audience: APIAudience, or the client id
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

// DiscoveryRefresh is how long a discovery document is used before it is
// read again, in the background, so a provider that gains an end-session
// endpoint or moves its keys is followed without a restart.
const DiscoveryRefresh = time.Hour

// discover loads the provider's metadata; a failure is retried on the
// next call rather than remembered. Once loaded, it is read again in the
// background when DiscoveryRefresh has passed, or after a token named a
// key the provider's key set does not hold, while the old one serves.
func (v *Verifier) discover(ctx context.Context) (*oidc.Provider, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.provider != nil {
		if !v.rediscover && v.cfg.Now().Sub(v.discoveredAt) >= DiscoveryRefresh {
			v.rediscover = true
			go v.refreshDiscovery()
		}
		return v.provider, nil
	}
	p, meta, err := v.load(ctx)
	if err != nil {
		return nil, err
	}
	v.keys = &keySet{url: meta.JWKSURI, client: v.cfg.HTTPClient, interval: v.cfg.KeyRefresh, now: v.cfg.Now,
		onUnknown: v.staleDiscovery}
	newVerifier := func(aud string) *oidc.IDTokenVerifier {
		return oidc.NewVerifier(v.cfg.Issuer, v.keys, &oidc.Config{
			ClientID:             aud,
			SupportedSigningAlgs: []string{"RS256", "ES256", "EdDSA"},
			SkipExpiryCheck:      true, // checked below, with our leeway
		})
	}
	v.idv = newVerifier(v.cfg.ClientID)
	v.accessv = v.idv
	if v.cfg.APIAudience != "" {
		v.accessv = newVerifier(v.cfg.APIAudience)
	}
	v.provider, v.discoveredAt = p, v.cfg.Now()
	return p, nil
}

// discoveryMeta is what Backdesk reads of a discovery document beyond
// what the OIDC library does.
type discoveryMeta struct {
	JWKSURI string `json:"jwks_uri"`
}

// load reads the discovery document.
func (v *Verifier) load(ctx context.Context) (*oidc.Provider, discoveryMeta, error) {
	var meta discoveryMeta
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, v.cfg.HTTPClient), v.cfg.Issuer)
	if err != nil {
		if mm := mismatch(ctx, v.cfg.HTTPClient, v.cfg.Issuer); mm != nil {
			return nil, meta, fmt.Errorf("discover OIDC provider: %w", mm)
		}
		return nil, meta, fmt.Errorf("discover OIDC provider: %w", err)
	}
	if err := p.Claims(&meta); err != nil || meta.JWKSURI == "" {
		return nil, meta, errors.New("discover OIDC provider: no jwks_uri")
	}
	return p, meta, nil
}

// refreshDiscovery reads the discovery document again and, when it
// reads, uses it from then on (keys from its jwks_uri); when it does not,
// the one in use serves on and the next try is a minute away.
func (v *Verifier) refreshDiscovery() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p, meta, err := v.load(ctx)
	v.mu.Lock()
	defer v.mu.Unlock()
	v.rediscover = false
	if err != nil {
		v.discoveredAt = v.cfg.Now().Add(time.Minute - DiscoveryRefresh)
		return
	}
	v.provider, v.discoveredAt = p, v.cfg.Now()
	v.keys.setURL(meta.JWKSURI)
}

// staleDiscovery asks for the discovery document to be read again on the
// next call: a token named a key the provider's key set lacks, and the
// keys may have moved.
func (v *Verifier) staleDiscovery() {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.discoveredAt = time.Time{}
}

// Ready reports whether the provider's discovery document can be loaded.
func (v *Verifier) Ready(ctx context.Context) error {
	_, err := v.discover(ctx)
	return err
}

// Provider returns the discovered provider.
func (v *Verifier) Provider(ctx context.Context) (*oidc.Provider, error) {
	return v.discover(ctx)
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

// Verify checks a bearer token: an access token issued for the API (its
// audience is APIAudience, or the client id), never an ID token.
func (v *Verifier) Verify(ctx context.Context, raw string) (Claims, error) {
	if _, err := v.discover(ctx); err != nil {
		return Claims{}, err
	}
	c, tok, err := v.verify(ctx, v.accessv, raw)
	if err != nil {
		return Claims{}, err
	}
	if !v.cfg.AcceptIDTokenMarks {
		if err := accessTokenOnly(raw, c); err != nil {
			return Claims{}, err
		}
	}
	if err := v.checkAZP(tok, c, v.cfg.APIAudience == ""); err != nil {
		return Claims{}, err
	}
	return c, nil
}

// VerifyIDToken checks an ID token from the login flow: its audience is
// the client id, and when it names several audiences, this client is the
// authorized party.
func (v *Verifier) VerifyIDToken(ctx context.Context, raw string) (Claims, error) {
	if _, err := v.discover(ctx); err != nil {
		return Claims{}, err
	}
	c, tok, err := v.verify(ctx, v.idv, raw)
	if err != nil {
		return Claims{}, err
	}
	if err := v.checkAZP(tok, c, true); err != nil {
		return Claims{}, err
	}
	return c, nil
}

func (v *Verifier) verify(ctx context.Context, ver *oidc.IDTokenVerifier, raw string) (Claims, *oidc.IDToken, error) {
	if raw == "" || len(raw) > v.cfg.MaxTokenLen || strings.Count(raw, ".") != 2 {
		return Claims{}, nil, fmt.Errorf("%w: not a JWT of acceptable size", ErrInvalidToken)
	}
	tok, err := ver.Verify(ctx, raw)
	if err != nil {
		return Claims{}, nil, fmt.Errorf("%w: %s", ErrInvalidToken, reason(err))
	}
	var c struct {
		Exp           *float64 `json:"exp"`
		Nbf           *float64 `json:"nbf"`
		Iat           *float64 `json:"iat"`
		Name          string   `json:"name"`
		Email         string   `json:"email"`
		EmailVerified any      `json:"email_verified"`
		Nonce         string   `json:"nonce"`
		ACR           any      `json:"acr"`
	}
	if err := tok.Claims(&c); err != nil {
		return Claims{}, nil, fmt.Errorf("%w: claims do not decode", ErrInvalidToken)
	}
	now := v.cfg.Now()
	switch {
	case c.Exp == nil:
		return Claims{}, nil, fmt.Errorf("%w: no exp claim", ErrInvalidToken)
	case c.Iat == nil:
		return Claims{}, nil, fmt.Errorf("%w: no iat claim", ErrInvalidToken)
	case now.After(unix(*c.Exp).Add(v.cfg.Leeway)):
		return Claims{}, nil, fmt.Errorf("%w: expired", ErrInvalidToken)
	case c.Nbf != nil && now.Add(v.cfg.Leeway).Before(unix(*c.Nbf)):
		return Claims{}, nil, fmt.Errorf("%w: not valid yet (nbf)", ErrInvalidToken)
	case now.Add(v.cfg.Leeway).Before(unix(*c.Iat)):
		return Claims{}, nil, fmt.Errorf("%w: issued in the future (iat)", ErrInvalidToken)
	case tok.Subject == "":
		return Claims{}, nil, fmt.Errorf("%w: no sub claim", ErrInvalidToken)
	}
	raw2 := map[string]any{}
	_ = tok.Claims(&raw2)
	out := Claims{
		Issuer: tok.Issuer, Subject: tok.Subject, Name: c.Name, Email: c.Email,
		EmailVerified: c.EmailVerified == true || c.EmailVerified == "true",
		Nonce:         c.Nonce, Raw: raw2, AMR: stringList(raw2["amr"]),
	}
	if s, ok := c.ACR.(string); ok {
		out.ACR = s
	}
	out.MFA = SecondFactor(out.AMR, out.ACR, v.cfg.MFAACRValues)
	return out, tok, nil
}

// checkAZP applies OpenID Connect's rule for tokens with several
// audiences: the authorized party must be named, and when this client is
// the audience it must be this client.
func (v *Verifier) checkAZP(tok *oidc.IDToken, c Claims, mustBeUs bool) error {
	azp, _ := c.Raw["azp"].(string)
	if len(tok.Audience) > 1 && azp == "" {
		return fmt.Errorf("%w: several audiences and no azp claim", ErrInvalidToken)
	}
	if azp != "" && mustBeUs && azp != v.cfg.ClientID {
		return fmt.Errorf("%w: issued to another client (azp)", ErrInvalidToken)
	}
	return nil
}

// accessTokenOnly refuses an ID token presented as a bearer token. An
// access token in the JWT profile (RFC 9068, typ at+jwt) is accepted as
// such; otherwise the marks only ID tokens carry give one away: nonce,
// at_hash and c_hash (OpenID Connect Core 2), and Keycloak's typ "ID".
func accessTokenOnly(raw string, c Claims) error {
	if typ := headerType(raw); typ == "at+jwt" || typ == "application/at+jwt" {
		return nil
	}
	_, atHash := c.Raw["at_hash"]
	_, cHash := c.Raw["c_hash"]
	typ, _ := c.Raw["typ"].(string)
	if c.Nonce != "" || atHash || cHash || strings.EqualFold(typ, "ID") {
		return fmt.Errorf("%w: an ID token is not a bearer token; send the access token", ErrInvalidToken)
	}
	return nil
}

func headerType(raw string) string {
	jws, err := jose.ParseSignedCompact(raw, allowedAlgs)
	if err != nil || len(jws.Signatures) != 1 {
		return ""
	}
	typ, _ := jws.Signatures[0].Header.ExtraHeaders[jose.HeaderType].(string)
	return strings.ToLower(typ)
}

// secondFactors are RFC 8176 methods that are a factor beyond a password.
var secondFactors = []string{"mfa", "otp", "hwk", "sms", "tel", "sc", "fpt", "face", "iris", "retina", "vbm", "geo"}

// SecondFactor reports whether amr or acr vouch for a second factor: amr
// names "mfa" or a possession or inherence method (RFC 8176), or acr is
// one of the values the deployment trusts for it.
func SecondFactor(amr []string, acr string, trustedACR []string) bool {
	for _, m := range amr {
		if slices.Contains(secondFactors, strings.ToLower(m)) {
			return true
		}
	}
	return acr != "" && slices.Contains(trustedACR, acr)
}

func stringList(v any) []string {
	switch x := v.(type) {
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	case string:
		return strings.Fields(x)
	}
	return nil
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
	case errors.Is(err, errUnknownKey) || strings.Contains(msg, errUnknownKey.Error()):
		// go-oidc wraps the key set's error with %v, so Is alone misses it.
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
