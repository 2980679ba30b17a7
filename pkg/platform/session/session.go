// Package session keeps browser sessions in Redis. A session ends after
// an idle timeout and, however active, after an absolute lifetime (HIPAA's
// automatic logoff); logout deletes it server-side so an old cookie is
// worthless. Redis holds only a hash of the session id, so a copy of Redis
// does not yield usable cookies.
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
	Issuer        string    `json:"iss"`
	Subject       string    `json:"sub"`
	Name          string    `json:"name,omitempty"`
	Email         string    `json:"email,omitempty"`
	EmailVerified bool      `json:"email_verified,omitempty"`
	Groups        []string  `json:"groups,omitempty"`
	IDToken       string    `json:"id_token,omitempty"` // hint for the provider's logout
	CSRF          string    `json:"csrf"`
	CreatedAt     time.Time `json:"created_at"`
	LastSeen      time.Time `json:"last_seen"`
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

func key(id string) string {
	h := sha256.Sum256([]byte(id))
	return "backdesk:session:" + hex.EncodeToString(h[:])
}

// Create stores sess and returns the new session id for the cookie.
func (s *Store) Create(ctx context.Context, sess Session) (string, Session, error) {
	id := Token()
	now := s.cfg.Now().UTC()
	sess.CreatedAt, sess.LastSeen, sess.CSRF = now, now, Token()
	if err := s.put(ctx, id, sess); err != nil {
		return "", Session{}, err
	}
	return id, sess, nil
}

// Get returns the live session for id and records the activity, which
// restarts the idle timer.
func (s *Store) Get(ctx context.Context, id string) (Session, error) {
	if id == "" {
		return Session{}, ErrNoSession
	}
	raw, err := s.rdb.Get(ctx, key(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return Session{}, ErrNoSession
	}
	if err != nil {
		return Session{}, fmt.Errorf("read session: %w", err)
	}
	var sess Session
	if err := json.Unmarshal(raw, &sess); err != nil {
		return Session{}, ErrNoSession
	}
	now := s.cfg.Now().UTC()
	if now.Sub(sess.LastSeen) >= s.cfg.Idle || now.Sub(sess.CreatedAt) >= s.cfg.Absolute {
		_ = s.Delete(ctx, id)
		return Session{}, ErrNoSession
	}
	sess.LastSeen = now
	if err := s.put(ctx, id, sess); err != nil {
		return Session{}, err
	}
	return sess, nil
}

// Delete ends the session.
func (s *Store) Delete(ctx context.Context, id string) error {
	return s.rdb.Del(ctx, key(id)).Err()
}

// put writes the session with a Redis expiry at whichever limit comes
// first, so abandoned sessions clean themselves up.
func (s *Store) put(ctx context.Context, id string, sess Session) error {
	raw, err := json.Marshal(sess)
	if err != nil {
		return err
	}
	ttl := s.cfg.Idle
	if left := sess.CreatedAt.Add(s.cfg.Absolute).Sub(sess.LastSeen); left < ttl {
		ttl = left
	}
	if err := s.rdb.Set(ctx, key(id), raw, ttl).Err(); err != nil {
		return fmt.Errorf("write session: %w", err)
	}
	return nil
}

// Token returns 256 random bits, URL-safe.
func Token() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
