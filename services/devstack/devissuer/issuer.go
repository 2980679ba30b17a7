// Package devissuer is a real OpenID Provider for development and tests.
// Backdesk is only ever tested against a provider speaking the protocol
// over HTTP, never a fake verifier, so this package runs one in process:
// discovery, JWKS with rotation, authorization code with PKCE, a page to
// pick a demo person instead of a password, token, userinfo and
// end-session endpoints, plus a shortcut that signs tokens for scripts.
// It is built on zitadel's op package; only services/devstack mounts it.
package devissuer

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// defaultTokenTTL matches the access token lifetime of common hosted
// providers, long enough that a developer is not logged out mid-task.
const defaultTokenTTL = time.Hour

// Config describes the issuer and the single relying party it serves.
// Zero values of Users, TokenTTL and Now take defaults.
type Config struct {
	Issuer                 string // full issuer URL incl. path, e.g. "http://127.0.0.1:8080/dev/oidc"
	ClientID, ClientSecret string // the one registered client (Backdesk)
	RedirectURIs           []string
	PostLogoutRedirectURIs []string
	Users                  []User           // default DemoUsers()
	TokenTTL               time.Duration    // access and ID tokens; default 1h
	Now                    func() time.Time // default time.Now
}

// Issuer is a running provider. It keeps everything in memory, so a
// restart invalidates every token and key; that is fine for development
// and gives each test its own provider.
type Issuer struct {
	issuer   string
	prefix   string
	ttl      time.Duration
	client   *client
	users    *directory
	keys     *keyring
	storage  *storage
	provider *op.Provider
}

// New validates cfg, generates the first signing key and builds the
// provider. It fails rather than guessing, because a wrong issuer or
// client makes every later token check fail far from the cause.
func New(cfg Config) (*Issuer, error) {
	if len(cfg.Users) == 0 {
		cfg.Users = DemoUsers()
	}
	if cfg.TokenTTL == 0 {
		cfg.TokenTTL = defaultTokenTTL
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	u, err := validate(cfg)
	if err != nil {
		return nil, err
	}
	users, err := newDirectory(cfg.Users)
	if err != nil {
		return nil, fmt.Errorf("devissuer: %w", err)
	}
	keys, err := newKeyring()
	if err != nil {
		return nil, fmt.Errorf("devissuer: %w", err)
	}

	i := &Issuer{
		issuer: cfg.Issuer,
		prefix: strings.TrimSuffix(u.Path, "/"),
		ttl:    cfg.TokenTTL,
		users:  users,
		keys:   keys,
	}
	i.client = &client{
		id:                     cfg.ClientID,
		secret:                 cfg.ClientSecret,
		redirectURIs:           slices.Clone(cfg.RedirectURIs),
		postLogoutRedirectURIs: slices.Clone(cfg.PostLogoutRedirectURIs),
		loginURL:               i.url(loginPath),
		tokenTTL:               cfg.TokenTTL,
	}
	i.storage = newStorage(i.client, users, keys, cfg.Now, cfg.TokenTTL)

	opCfg := &op.Config{
		CodeMethodS256:           true,
		AuthMethodPost:           true,
		DefaultLogoutRedirectURI: i.url(loggedOutPath),
		SupportedScopes:          []string{oidc.ScopeOpenID, oidc.ScopeProfile, oidc.ScopeEmail, scopeGroups},
		SupportedClaims:          append(slices.Clone(op.DefaultSupportedClaims), "groups"),
	}
	// The key encrypts opaque tokens, which this issuer never hands out;
	// op still requires one, and a fixed key would be a needless secret.
	if _, err := rand.Read(opCfg.CryptoKey[:]); err != nil {
		return nil, fmt.Errorf("devissuer: crypto key: %w", err)
	}
	i.provider, err = op.NewProvider(opCfg, i.storage, op.StaticIssuer(cfg.Issuer), op.WithAllowInsecure())
	if err != nil {
		return nil, fmt.Errorf("devissuer: %w", err)
	}
	return i, nil
}

// validate checks cfg as a table of conditions so that every problem is
// reported at once.
func validate(cfg Config) (*url.URL, error) {
	u, perr := url.Parse(cfg.Issuer)
	checks := []struct {
		bad bool
		msg string
	}{
		{cfg.Issuer == "", "Issuer is required"},
		{perr != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https"), "Issuer must be an absolute http(s) URL"},
		{perr == nil && (u.RawQuery != "" || u.Fragment != ""), "Issuer must not have a query or fragment"},
		{cfg.ClientID == "", "ClientID is required"},
		{cfg.ClientSecret == "", "ClientSecret is required: Backdesk is a confidential client"},
		{cfg.TokenTTL < 0, "TokenTTL must not be negative"},
	}
	var errs []error
	for _, c := range checks {
		if c.bad {
			errs = append(errs, errors.New(c.msg))
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("devissuer: invalid config: %w", errors.Join(errs...))
	}
	return u, nil
}

// Paths served besides op's own endpoints, relative to the issuer.
const (
	loginPath     = "/login"
	devTokenPath  = "/dev-token"
	loggedOutPath = "/logged-out"
)

// url makes an absolute URL under the issuer.
func (i *Issuer) url(path string) string {
	return strings.TrimSuffix(i.issuer, "/") + path
}

// Prefix returns the issuer URL's path ("/dev/oidc"), the prefix to mount
// Handler at. It is empty when the issuer has no path.
func (i *Issuer) Prefix() string { return i.prefix }

// Handler serves every endpoint. It expects the full request path (for
// example /dev/oidc/.well-known/openid-configuration) and strips the
// prefix itself, so it can be mounted at Prefix on another router or be
// served alone at "/"; a request outside the prefix gets 404.
func (i *Issuer) Handler() http.Handler {
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case loginPath:
			i.serveLogin(w, r)
		case devTokenPath:
			i.serveDevToken(w, r)
		case loggedOutPath:
			i.serveLoggedOut(w, r)
		default:
			i.provider.ServeHTTP(w, r)
		}
	})
	return http.StripPrefix(i.prefix, inner)
}

// Rotate makes a new signing key the active one. Old public keys stay in
// the JWKS so tokens already issued keep verifying, while new tokens carry
// the new key id: exactly what a relying party must cope with when a real
// provider rotates.
func (i *Issuer) Rotate() error {
	return i.keys.rotate()
}
