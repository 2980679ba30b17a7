package devissuer

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"slices"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

const (
	// authRequestTTL bounds how long the login page may stay open.
	authRequestTTL = 10 * time.Minute
	// codeTTL is short because a relying party redeems its code at once.
	codeTTL = time.Minute
)

var (
	errNotFound       = errors.New("not found")
	errUnknownClient  = errors.New("unknown client")
	errBadSecret      = errors.New("wrong client secret")
	errUnknownUser    = errors.New("unknown user")
	errAlreadyDone    = errors.New("auth request already completed")
	errNoRefresh      = errors.New("refresh tokens are not issued")
	errNoJWTProfile   = errors.New("JWT profile grants are not supported")
	errTokenNotActive = errors.New("access token unknown or expired")
)

// storage is the op.Storage behind the issuer: one client, a fixed set of
// users, and the auth requests, codes and access tokens in flight, all in
// memory and all guarded by one mutex.
type storage struct {
	client *client
	users  *directory
	keys   *keyring
	now    func() time.Time
	ttl    time.Duration

	mu       sync.Mutex
	requests map[string]*authRequest // by ID
	codes    map[string]string       // code -> auth request ID
	tokens   map[string]*accessToken // by token ID (jti)
}

// accessToken is what userinfo and introspection need to answer for a
// token op has signed.
type accessToken struct {
	subject string
	client  string
	scopes  []string
	aud     []string
	expires time.Time
}

var _ op.Storage = (*storage)(nil)

func newStorage(c *client, users *directory, keys *keyring, now func() time.Time, ttl time.Duration) *storage {
	return &storage{
		client:   c,
		users:    users,
		keys:     keys,
		now:      now,
		ttl:      ttl,
		requests: make(map[string]*authRequest),
		codes:    make(map[string]string),
		tokens:   make(map[string]*accessToken),
	}
}

// CreateAuthRequest is where PKCE with S256 becomes mandatory: op accepts
// a request without a challenge, and a request stored without one would be
// redeemable without a verifier.
func (s *storage) CreateAuthRequest(_ context.Context, req *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	if req.CodeChallenge == "" || req.CodeChallengeMethod != oidc.CodeChallengeMethodS256 {
		return nil, oidc.ErrInvalidRequest().WithDescription("PKCE with code_challenge_method=S256 is required")
	}
	now := s.now()
	a := &authRequest{
		id:           rand.Text(),
		clientID:     req.ClientID,
		redirectURI:  req.RedirectURI,
		state:        req.State,
		nonce:        req.Nonce,
		scopes:       slices.Clone([]string(req.Scopes)),
		responseType: req.ResponseType,
		responseMode: req.ResponseMode,
		challenge:    &oidc.CodeChallenge{Challenge: req.CodeChallenge, Method: req.CodeChallengeMethod},
		expires:      now.Add(authRequestTTL),
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pruneLocked(now)
	s.requests[a.id] = a
	return a.snapshot(), nil
}

func (s *storage) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.requests[id]
	if !ok || s.now().After(a.expires) {
		return nil, errNotFound
	}
	return a.snapshot(), nil
}

// AuthRequestByCode forgets the code as it is read, so a code is good for
// one token request only, even when two arrive at the same moment and
// whether or not the first one succeeds.
func (s *storage) AuthRequestByCode(_ context.Context, code string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.codes[code]
	if !ok {
		return nil, errNotFound
	}
	delete(s.codes, code)
	a, ok := s.requests[id]
	if !ok || !a.done || s.now().After(a.codeExp) {
		return nil, errNotFound
	}
	return a.snapshot(), nil
}

func (s *storage) SaveAuthCode(_ context.Context, id, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.requests[id]
	if !ok {
		return errNotFound
	}
	if a.code != "" {
		delete(s.codes, a.code)
	}
	a.code = code
	a.codeExp = s.now().Add(codeTTL)
	s.codes[code] = id
	return nil
}

func (s *storage) DeleteAuthRequest(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.requests[id]; ok {
		delete(s.codes, a.code)
		delete(s.requests, id)
	}
	return nil
}

// complete records the person picked on the login page. A request is
// completed once: changing the person after a code exists would hand that
// code someone else's identity.
func (s *storage) complete(id, username string, mfa bool) error {
	u, ok := s.users.byUsername(username)
	if !ok {
		return errUnknownUser
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	a, ok := s.requests[id]
	if !ok || now.After(a.expires) {
		return errNotFound
	}
	if a.done {
		return errAlreadyDone
	}
	a.subject, a.authTime, a.done, a.amr = u.Subject, now, true, methods(mfa)
	return nil
}

func (s *storage) CreateAccessToken(_ context.Context, req op.TokenRequest) (string, time.Time, error) {
	now := s.now()
	t := &accessToken{
		subject: req.GetSubject(),
		client:  s.client.id,
		scopes:  slices.Clone(req.GetScopes()),
		aud:     slices.Clone(req.GetAudience()),
		expires: now.Add(s.ttl),
	}
	id := rand.Text()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pruneLocked(now)
	s.tokens[id] = t
	return id, t.expires, nil
}

// token returns a stored access token that has not expired.
func (s *storage) token(id, subject string) (*accessToken, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[id]
	if !ok || t.subject != subject || s.now().After(t.expires) {
		return nil, errTokenNotActive
	}
	return t, nil
}

// pruneLocked drops what can no longer be used, so a long-running dev
// binary does not grow without bound.
func (s *storage) pruneLocked(now time.Time) {
	for id, a := range s.requests {
		if now.After(a.expires) && (a.code == "" || now.After(a.codeExp)) {
			delete(s.codes, a.code)
			delete(s.requests, id)
		}
	}
	for id, t := range s.tokens {
		if now.After(t.expires) {
			delete(s.tokens, id)
		}
	}
}

func (s *storage) CreateAccessAndRefreshTokens(context.Context, op.TokenRequest, string) (string, string, time.Time, error) {
	return "", "", time.Time{}, errNoRefresh
}

func (s *storage) TokenRequestByRefreshToken(context.Context, string) (op.RefreshTokenRequest, error) {
	return nil, op.ErrInvalidRefreshToken
}

// TerminateSession has nothing to end: the issuer keeps no browser session
// and shows the picker on every login, which makes switching people easy.
func (s *storage) TerminateSession(context.Context, string, string) error { return nil }

func (s *storage) RevokeToken(_ context.Context, tokenOrTokenID, userID, _ string) *oidc.Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.tokens[tokenOrTokenID]; ok && t.subject == userID {
		delete(s.tokens, tokenOrTokenID)
	}
	return nil
}

func (s *storage) GetRefreshTokenInfo(context.Context, string, string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

func (s *storage) SigningKey(context.Context) (op.SigningKey, error) {
	return s.keys.signing(), nil
}

func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

func (s *storage) KeySet(context.Context) ([]op.Key, error) {
	return s.keys.public(), nil
}

func (s *storage) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	if id != s.client.id {
		return nil, errUnknownClient
	}
	return s.client, nil
}

func (s *storage) AuthorizeClientIDSecret(_ context.Context, id, secret string) error {
	if id != s.client.id {
		return errUnknownClient
	}
	if subtle.ConstantTimeCompare([]byte(secret), []byte(s.client.secret)) != 1 {
		return errBadSecret
	}
	return nil
}

func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errNoJWTProfile
}

func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errNoJWTProfile
}

func (s *storage) Health(context.Context) error { return nil }
