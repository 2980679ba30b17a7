// Package session keeps browser sessions in Redis. A session ends after
// an idle timeout and, however active, after an absolute lifetime (HIPAA's
// automatic logoff); logout deletes it server-side so an old cookie is
// worthless. Redis holds only a hash of the session id, so a copy of Redis
// does not yield usable cookies, and the provider's ID token is kept
// sealed under a key only the cookie's holder can derive.
//
// Only what a person does keeps a session alive: reading a session never
// changes it, and Touch, which restarts the idle timer, is a
// compare-and-set, so a request that was in flight when the person signed
// out cannot bring the session back.
package session

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Session is what Backdesk remembers about a signed-in browser.
type Session struct {
	// Ref names the session in audit events and logs. It is random and
	// unrelated to the cookie, so whoever reads the audit trail learns
	// nothing that lets them sign in.
	Ref           string   `json:"ref"`
	Issuer        string   `json:"iss"`
	Subject       string   `json:"sub"`
	Name          string   `json:"name,omitempty"`
	Email         string   `json:"email,omitempty"`
	EmailVerified bool     `json:"email_verified,omitempty"`
	Groups        []string `json:"groups,omitempty"`
	// MFA says the provider vouched for a second factor at sign-in.
	MFA bool `json:"mfa,omitempty"`
	// SealedIDToken is the provider's ID token (the hint some providers
	// need at logout), encrypted under a key derived from the session id.
	SealedIDToken string `json:"id_token_sealed,omitempty"`
	// SealedAccessToken and SealedRefreshToken are the provider's tokens
	// that a re-check asks it with, sealed the same way; kept only when
	// re-checks are on.
	SealedAccessToken  string    `json:"access_token_sealed,omitempty"`
	SealedRefreshToken string    `json:"refresh_token_sealed,omitempty"`
	CSRF               string    `json:"csrf"`
	CreatedAt          time.Time `json:"created_at"`
	// LastActive is when the person last did something; background
	// requests (polling, lease heartbeats) do not move it.
	LastActive time.Time `json:"last_active"`
	// CheckedAt is when the provider last vouched for the person: the
	// sign-in, then each re-check.
	CheckedAt time.Time `json:"checked_at"`
}

// Secrets are the provider's tokens a session keeps sealed: the ID token
// (for logout) and the access and refresh tokens (for re-checks). Any may
// be empty.
type Secrets struct {
	IDToken, AccessToken, RefreshToken string
}

// ErrNoSession means the id names no live session: unknown, idle too
// long, past its lifetime, or logged out.
var ErrNoSession = errors.New("no such session")

// Config sets the timeouts.
type Config struct {
	Idle     time.Duration // default 15m
	Absolute time.Duration // default 12h
	Now      func() time.Time
}

// Store keeps sessions in Redis.
type Store struct {
	rdb redis.UniversalClient
	cfg Config
}

// NewStore returns a Store on rdb.
func NewStore(rdb redis.UniversalClient, cfg Config) *Store {
	if cfg.Idle == 0 {
		cfg.Idle = 15 * time.Minute
	}
	if cfg.Absolute == 0 {
		cfg.Absolute = 12 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Store{rdb: rdb, cfg: cfg}
}

// Idle returns the idle timeout, for the pages' logoff warning.
func (s *Store) Idle() time.Duration { return s.cfg.Idle }

// KeyPrefix starts every session's Redis key.
const KeyPrefix = "backdesk:session:"

func key(id string) string {
	h := sha256.Sum256([]byte(id))
	return KeyPrefix + hex.EncodeToString(h[:])
}

// Create stores sess and returns the new session id for the cookie. The
// tokens in sec are kept sealed (see Secrets).
func (s *Store) Create(ctx context.Context, sess Session, sec Secrets) (string, Session, error) {
	id := Token()
	now := s.cfg.Now().UTC()
	sess.CreatedAt, sess.LastActive, sess.CheckedAt, sess.CSRF, sess.Ref = now, now, now, Token(), newRef()
	if err := sealSecrets(id, &sess, sec); err != nil {
		return "", Session{}, err
	}
	raw, err := json.Marshal(sess)
	if err != nil {
		return "", Session{}, err
	}
	if err := s.rdb.Set(ctx, key(id), raw, s.ttl(sess)).Err(); err != nil {
		return "", Session{}, fmt.Errorf("write session: %w", err)
	}
	return id, sess, nil
}

// Get returns the live session for id without changing it.
func (s *Store) Get(ctx context.Context, id string) (Session, error) {
	sess, _, err := s.read(ctx, id)
	return sess, err
}

func (s *Store) read(ctx context.Context, id string) (Session, []byte, error) {
	if id == "" {
		return Session{}, nil, ErrNoSession
	}
	raw, err := s.rdb.Get(ctx, key(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return Session{}, nil, ErrNoSession
	}
	if err != nil {
		return Session{}, nil, fmt.Errorf("read session: %w", err)
	}
	var sess Session
	if err := json.Unmarshal(raw, &sess); err != nil {
		return Session{}, nil, ErrNoSession
	}
	now := s.cfg.Now().UTC()
	if now.Sub(sess.LastActive) >= s.cfg.Idle || now.Sub(sess.CreatedAt) >= s.cfg.Absolute {
		_ = s.Delete(ctx, id)
		return Session{}, nil, ErrNoSession
	}
	return sess, raw, nil
}

// touchEvery bounds how often activity is written: within it, the idle
// timer is already fresh enough for a 15-minute limit.
const touchEvery = 15 * time.Second

// casScript replaces the session only if it is still exactly what the
// caller read: a logout (the key is gone) or another change in between
// wins, and the caller's write is dropped. It answers 1 when written, 0
// when the session is gone, 2 when it changed meanwhile.
var casScript = redis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if not cur then return 0 end
if cur ~= ARGV[1] then return 2 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1`)

// Touch records the person's activity on the live session id, restarting
// its idle timer. It fails with ErrNoSession when the session ended, even
// if it ended while this call was running.
func (s *Store) Touch(ctx context.Context, id string) error {
	sess, raw, err := s.read(ctx, id)
	if err != nil {
		return err
	}
	now := s.cfg.Now().UTC()
	if now.Sub(sess.LastActive) < touchEvery {
		return nil
	}
	sess.LastActive = now
	return s.replace(ctx, id, raw, sess)
}

// replace writes sess over the session id if it is still raw, as read;
// ErrNoSession when it ended meanwhile. A change by another request in
// between wins, and this write is dropped.
func (s *Store) replace(ctx context.Context, id string, raw []byte, sess Session) error {
	next, err := json.Marshal(sess)
	if err != nil {
		return err
	}
	n, err := casScript.Run(ctx, s.rdb, []string{key(id)}, raw, next, s.ttl(sess).Milliseconds()).Int()
	if err != nil {
		return fmt.Errorf("write session: %w", err)
	}
	if n == 0 {
		return ErrNoSession
	}
	return nil
}

// Delete ends the session.
func (s *Store) Delete(ctx context.Context, id string) error {
	return s.rdb.Del(ctx, key(id)).Err()
}

// DeleteAll ends every session, for an operator after an upgrade or an
// incident; it returns how many it ended.
func (s *Store) DeleteAll(ctx context.Context) (int, error) {
	n := 0
	iter := s.rdb.Scan(ctx, 0, KeyPrefix+"*", 500).Iterator()
	var batch []string
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		d, err := s.rdb.Del(ctx, batch...).Result()
		n += int(d)
		batch = batch[:0]
		return err
	}
	for iter.Next(ctx) {
		batch = append(batch, iter.Val())
		if len(batch) == 500 {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	if err := iter.Err(); err != nil {
		return n, err
	}
	return n, flush()
}

// OpenIDToken returns the ID token kept with the session id, or "" when
// none was kept.
func (s *Store) OpenIDToken(id string, sess Session) string {
	return s.Secrets(id, sess).IDToken
}

// Secrets opens the tokens kept with the session id; one that cannot be
// opened reads as empty.
func (s *Store) Secrets(id string, sess Session) Secrets {
	open := func(sealed string) string {
		if sealed == "" {
			return ""
		}
		v, err := unseal(id, sealed)
		if err != nil {
			return ""
		}
		return v
	}
	return Secrets{IDToken: open(sess.SealedIDToken), AccessToken: open(sess.SealedAccessToken), RefreshToken: open(sess.SealedRefreshToken)}
}

func sealSecrets(id string, sess *Session, sec Secrets) error {
	for _, f := range []struct {
		plain string
		out   *string
	}{{sec.IDToken, &sess.SealedIDToken}, {sec.AccessToken, &sess.SealedAccessToken}, {sec.RefreshToken, &sess.SealedRefreshToken}} {
		*f.out = ""
		if f.plain == "" {
			continue
		}
		sealed, err := seal(id, f.plain)
		if err != nil {
			return err
		}
		*f.out = sealed
	}
	return nil
}

// Rechecked records a re-check at the provider on session id, which the
// caller read as seen: apply changes what the provider now says of the
// person, CheckedAt becomes at, and the tokens become sec. If another
// request re-checked the session meanwhile, or it ended, nothing is
// written (ErrNoSession when it ended).
func (s *Store) Rechecked(ctx context.Context, id string, seen Session, at time.Time, apply func(*Session), sec Secrets) error {
	sess, raw, err := s.read(ctx, id)
	if err != nil {
		return err
	}
	if !sess.CheckedAt.Equal(seen.CheckedAt) {
		return nil
	}
	if apply != nil {
		apply(&sess)
	}
	sess.CheckedAt = at.UTC()
	if err := sealSecrets(id, &sess, sec); err != nil {
		return err
	}
	return s.replace(ctx, id, raw, sess)
}

// ttl is the Redis expiry at whichever limit comes first, so abandoned
// sessions clean themselves up.
func (s *Store) ttl(sess Session) time.Duration {
	ttl := s.cfg.Idle
	if left := sess.CreatedAt.Add(s.cfg.Absolute).Sub(sess.LastActive); left < ttl {
		ttl = left
	}
	if ttl < time.Millisecond {
		ttl = time.Millisecond
	}
	return ttl
}

// Token returns 256 random bits, URL-safe.
func Token() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// newRef returns a session reference: 128 random bits, shorter than a
// token because it only has to be unique, not unguessable.
func newRef() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return "s_" + base64.RawURLEncoding.EncodeToString(b)
}
