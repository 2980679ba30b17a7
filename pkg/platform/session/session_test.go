package session_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/session"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func setup(t *testing.T) (*session.Store, *clock, redis.UniversalClient) {
	t.Helper()
	opt, err := redis.ParseURL(testenv.Redis(t))
	require.NoError(t, err)
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { _ = rdb.Close() })
	c := &clock{t: time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)}
	return session.NewStore(rdb, session.Config{Idle: 15 * time.Minute, Absolute: 12 * time.Hour, Now: c.now}), c, rdb
}

func TestIdleTimeoutEndsSession(t *testing.T) {
	t.Parallel()
	s, c, _ := setup(t)
	ctx := context.Background()
	id, sess, err := s.Create(ctx, session.Session{Issuer: "https://idp", Subject: "alice"}, session.Secrets{})
	require.NoError(t, err)
	require.NotEmpty(t, sess.CSRF)

	c.t = c.t.Add(14 * time.Minute)
	require.NoError(t, s.Touch(ctx, id), "activity within the idle timeout keeps the session")
	c.t = c.t.Add(14 * time.Minute)
	require.NoError(t, s.Touch(ctx, id), "each action restarts the idle timer")
	c.t = c.t.Add(15 * time.Minute)
	_, err = s.Get(ctx, id)
	require.ErrorIs(t, err, session.ErrNoSession)
	c.t = c.t.Add(-10 * time.Minute)
	_, err = s.Get(ctx, id)
	require.ErrorIs(t, err, session.ErrNoSession, "an expired session is gone for good")
}

func TestAbsoluteLifetimeEndsActiveSession(t *testing.T) {
	t.Parallel()
	s, c, _ := setup(t)
	ctx := context.Background()
	id, _, err := s.Create(ctx, session.Session{Subject: "alice"}, session.Secrets{})
	require.NoError(t, err)
	for i := 0; i < 12*6-1; i++ { // an action every ten minutes for just under 12 hours
		c.t = c.t.Add(10 * time.Minute)
		require.NoError(t, s.Touch(ctx, id), "step %d", i)
	}
	c.t = c.t.Add(10 * time.Minute)
	_, err = s.Get(ctx, id)
	require.ErrorIs(t, err, session.ErrNoSession)
}

func TestDeleteAndRedisHoldsNoUsableID(t *testing.T) {
	t.Parallel()
	s, _, rdb := setup(t)
	ctx := context.Background()
	id, _, err := s.Create(ctx, session.Session{Subject: "alice"}, session.Secrets{})
	require.NoError(t, err)
	keys, err := rdb.Keys(ctx, "*").Result()
	require.NoError(t, err)
	require.Len(t, keys, 1)
	require.NotContains(t, keys[0], id)
	ttl, err := rdb.TTL(ctx, keys[0]).Result()
	require.NoError(t, err)
	require.Positive(t, ttl)

	require.NoError(t, s.Delete(ctx, id))
	_, err = s.Get(ctx, id)
	require.ErrorIs(t, err, session.ErrNoSession)
	_, err = s.Get(ctx, "made-up")
	require.ErrorIs(t, err, session.ErrNoSession)
}

func TestReadingDoesNotKeepASessionAlive(t *testing.T) {
	t.Parallel()
	s, c, _ := setup(t)
	ctx := context.Background()
	id, _, err := s.Create(ctx, session.Session{Subject: "alice"}, session.Secrets{})
	require.NoError(t, err)
	// A page left open polls and sends heartbeats: reads, every minute.
	for i := 0; i < 14; i++ {
		c.t = c.t.Add(time.Minute)
		_, err = s.Get(ctx, id)
		require.NoError(t, err, "minute %d", i+1)
	}
	c.t = c.t.Add(time.Minute)
	_, err = s.Get(ctx, id)
	require.ErrorIs(t, err, session.ErrNoSession, "fifteen minutes without an action end the session")
	require.ErrorIs(t, s.Touch(ctx, id), session.ErrNoSession, "an action after the limit cannot revive it")
}

// A request that was authenticated just before its session was deleted
// must not write the session back: logout wins every race.
func TestTouchRacingLogoutNeverResurrects(t *testing.T) {
	t.Parallel()
	s, c, _ := setup(t)
	ctx := context.Background()
	const races = 2000
	resurrected := 0
	for i := 0; i < races; i++ {
		id, _, err := s.Create(ctx, session.Session{Subject: "alice"}, session.Secrets{})
		require.NoError(t, err)
		c.t = c.t.Add(time.Minute) // old enough that a touch writes
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { defer wg.Done(); _ = s.Touch(ctx, id) }()
		go func() { defer wg.Done(); require.NoError(t, s.Delete(ctx, id)) }()
		wg.Wait()
		if _, err := s.Get(ctx, id); !errors.Is(err, session.ErrNoSession) {
			resurrected++
		}
	}
	require.Zero(t, resurrected, "sessions brought back after logout, of %d races", races)
}

func TestIDTokenIsSealedAndSessionRefIsNotTheCookie(t *testing.T) {
	t.Parallel()
	s, _, rdb := setup(t)
	ctx := context.Background()
	const idToken = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl"
	id, sess, err := s.Create(ctx, session.Session{Subject: "alice"}, session.Secrets{IDToken: idToken})
	require.NoError(t, err)
	require.NotEmpty(t, sess.Ref)
	require.NotContains(t, sess.Ref, id)
	require.NotContains(t, id, sess.Ref)

	keys, err := rdb.Keys(ctx, session.KeyPrefix+"*").Result()
	require.NoError(t, err)
	require.Len(t, keys, 1)
	raw, err := rdb.Get(ctx, keys[0]).Result()
	require.NoError(t, err)
	require.NotContains(t, raw, idToken, "Redis must not hold the ID token in clear")
	require.NotContains(t, raw, "c2lnbmF0dXJl")
	require.NotContains(t, raw, id)

	got, err := s.Get(ctx, id)
	require.NoError(t, err)
	require.Equal(t, sess.Ref, got.Ref)
	require.Equal(t, idToken, s.OpenIDToken(id, got), "the cookie's holder opens it")
	require.Empty(t, s.OpenIDToken("another-id", got), "nobody else does")
}

func TestDeleteAllEndsEverySession(t *testing.T) {
	t.Parallel()
	s, _, rdb := setup(t)
	ctx := context.Background()
	var ids []string
	for i := 0; i < 7; i++ {
		id, _, err := s.Create(ctx, session.Session{Subject: "alice"}, session.Secrets{})
		require.NoError(t, err)
		ids = append(ids, id)
	}
	require.NoError(t, rdb.Set(ctx, "backdesk:other", "kept", 0).Err())
	n, err := s.DeleteAll(ctx)
	require.NoError(t, err)
	require.Equal(t, 7, n)
	for _, id := range ids {
		_, err := s.Get(ctx, id)
		require.ErrorIs(t, err, session.ErrNoSession)
	}
	v, err := rdb.Get(ctx, "backdesk:other").Result()
	require.NoError(t, err)
	require.Equal(t, "kept", v, "only sessions are deleted")
}

func TestRecheckKeepsTokensSealedAndWritesOnce(t *testing.T) {
	t.Parallel()
	s, clock, rdb := setup(t)
	ctx := context.Background()
	sec := session.Secrets{AccessToken: "access-token-value-1", RefreshToken: "refresh-token-value-1"}
	id, sess, err := s.Create(ctx, session.Session{Subject: "alice", Groups: []string{"agent"}}, sec)
	require.NoError(t, err)
	require.Equal(t, sess.CreatedAt, sess.CheckedAt, "the sign-in is the first check")
	keys, err := rdb.Keys(ctx, session.KeyPrefix+"*").Result()
	require.NoError(t, err)
	raw, err := rdb.Get(ctx, keys[0]).Result()
	require.NoError(t, err)
	require.NotContains(t, raw, "access-token-value-1")
	require.NotContains(t, raw, "refresh-token-value-1")
	require.Equal(t, sec, s.Secrets(id, sess))

	clock.t = clock.t.Add(time.Minute)
	at := clock.now()
	next := session.Secrets{AccessToken: "access-token-value-2", RefreshToken: "refresh-token-value-2"}
	require.NoError(t, s.Rechecked(ctx, id, sess, at, func(x *session.Session) { x.Groups = []string{"compliance"} }, next))
	got, err := s.Get(ctx, id)
	require.NoError(t, err)
	require.Equal(t, []string{"compliance"}, got.Groups)
	require.True(t, got.CheckedAt.Equal(at.UTC()))
	require.Equal(t, next, s.Secrets(id, got))

	// A second request that read the session before the first re-check
	// wrote it changes nothing.
	require.NoError(t, s.Rechecked(ctx, id, sess, at.Add(time.Second), func(x *session.Session) { x.Groups = nil }, session.Secrets{}))
	got, err = s.Get(ctx, id)
	require.NoError(t, err)
	require.Equal(t, []string{"compliance"}, got.Groups)

	require.NoError(t, s.Delete(ctx, id))
	require.ErrorIs(t, s.Rechecked(ctx, id, got, at, nil, next), session.ErrNoSession)
}
