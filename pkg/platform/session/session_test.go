package session_test

import (
	"context"
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
	id, sess, err := s.Create(ctx, session.Session{Issuer: "https://idp", Subject: "alice"})
	require.NoError(t, err)
	require.NotEmpty(t, sess.CSRF)

	c.t = c.t.Add(14 * time.Minute)
	_, err = s.Get(ctx, id)
	require.NoError(t, err, "activity within the idle timeout keeps the session")
	c.t = c.t.Add(14 * time.Minute)
	_, err = s.Get(ctx, id)
	require.NoError(t, err, "each request restarts the idle timer")
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
	id, _, err := s.Create(ctx, session.Session{Subject: "alice"})
	require.NoError(t, err)
	for i := 0; i < 12*6-1; i++ { // a request every ten minutes for just under 12 hours
		c.t = c.t.Add(10 * time.Minute)
		_, err = s.Get(ctx, id)
		require.NoError(t, err, "step %d", i)
	}
	c.t = c.t.Add(10 * time.Minute)
	_, err = s.Get(ctx, id)
	require.ErrorIs(t, err, session.ErrNoSession)
}

func TestDeleteAndRedisHoldsNoUsableID(t *testing.T) {
	t.Parallel()
	s, _, rdb := setup(t)
	ctx := context.Background()
	id, _, err := s.Create(ctx, session.Session{Subject: "alice"})
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
