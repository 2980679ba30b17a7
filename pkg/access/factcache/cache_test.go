package factcache_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/access/factcache"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// source is a fact source that counts its reads and can hold one read
// after it has read its answer, the moment a concurrent change slips in.
type source struct {
	mu     sync.Mutex
	status map[string]string             // by practice
	grants map[string][]access.GrantFact // by user and practice
	reads  map[string]int

	// While hold is set, the next Practice or GrantsFor signals read once
	// it has its answer and waits for release before returning it.
	hold    bool
	read    chan struct{}
	release chan struct{}
}

func newSource() *source {
	return &source{status: map[string]string{}, grants: map[string][]access.GrantFact{}, reads: map[string]int{}}
}

func (s *source) setStatus(practiceID, status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status[practiceID] = status
}

func (s *source) setGrants(userID, practiceID string, gs ...access.GrantFact) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.grants[userID+"@"+practiceID] = gs
}

// holdNext makes the next load wait, after reading, until release closes.
func (s *source) holdNext() (read, release chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hold, s.read, s.release = true, make(chan struct{}), make(chan struct{})
	return s.read, s.release
}

// count returns how often what was read.
func (s *source) count(what string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reads[what]
}

// load records a read of what, takes its answer, and then waits if held.
func load[T any](s *source, what string, answer func() T) T {
	s.mu.Lock()
	s.reads[what]++
	v := answer()
	hold, read, release := s.hold, s.read, s.release
	s.hold = false
	s.mu.Unlock()
	if hold {
		close(read)
		<-release
	}
	return v
}

func (s *source) Practice(_ context.Context, practiceID string) (access.PracticeFacts, error) {
	return load(s, "practice "+practiceID, func() access.PracticeFacts {
		return access.PracticeFacts{Status: s.status[practiceID]}
	}), nil
}

func (s *source) GrantsFor(_ context.Context, userID, practiceID string) ([]access.GrantFact, error) {
	return load(s, "grants "+userID+"@"+practiceID, func() []access.GrantFact { return s.grants[userID+"@"+practiceID] }), nil
}

func (s *source) OwnedItems(_ context.Context, userID, practiceID, patientID string) ([]access.OwnedItem, error) {
	return load(s, "items", func() []access.OwnedItem { return nil }), nil
}

func (s *source) BreakGlassFor(_ context.Context, userID, practiceID, patientID string) ([]access.BreakGlassFact, error) {
	return load(s, "break-glass", func() []access.BreakGlassFact { return nil }), nil
}

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

var t0 = time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)

var g1 = access.GrantFact{ID: "g1", PracticeID: "pA", Kinds: []policy.Kind{policy.Recare},
	ValidFrom: t0, ValidUntil: t0.AddDate(0, 0, 90), ReviewDueAt: t0.AddDate(0, 0, 30)}

func practice(t *testing.T, c *factcache.Cache, id string) string {
	t.Helper()
	f, err := c.Practice(context.Background(), id)
	require.NoError(t, err)
	return f.Status
}

func grants(t *testing.T, c *factcache.Cache, userID, practiceID string) []access.GrantFact {
	t.Helper()
	gs, err := c.GrantsFor(context.Background(), userID, practiceID)
	require.NoError(t, err)
	return gs
}

// A practice's status and a person's grants are read once and kept until
// the TTL runs out; items and break-glass sessions are read every time.
func TestKeepsWhatChangesRarelyForItsTTL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src, clk := newSource(), &clock{t: t0}
	src.setStatus("pA", "active")
	src.setGrants("u1", "pA", g1)
	c := factcache.New(src, factcache.Config{Now: clk.Now, TTL: time.Minute})

	for range 3 {
		require.Equal(t, "active", practice(t, c, "pA"))
		require.Equal(t, []access.GrantFact{g1}, grants(t, c, "u1", "pA"))
		_, err := c.OwnedItems(ctx, "u1", "pA", "pt1")
		require.NoError(t, err)
		_, err = c.BreakGlassFor(ctx, "u1", "pA", "pt1")
		require.NoError(t, err)
	}
	require.Equal(t, 1, src.count("practice pA"))
	require.Equal(t, 1, src.count("grants u1@pA"))
	require.Equal(t, 3, src.count("items"), "ownership is read for every decision")
	require.Equal(t, 3, src.count("break-glass"), "so are break-glass sessions")

	clk.Add(time.Minute - time.Microsecond)
	practice(t, c, "pA")
	require.Equal(t, 1, src.count("practice pA"), "still within the TTL")
	clk.Add(time.Microsecond)
	src.setStatus("pA", "suspended")
	require.Equal(t, "suspended", practice(t, c, "pA"), "the TTL bounds a lost invalidation")
	require.Equal(t, 2, src.count("practice pA"))
}

// Each key drops what it names and nothing else: a practice's key its
// status and every grant list on it, a person's key that person's grant
// lists in every practice, the all key everything. Ids that begin like
// another (pA and pAB, u1 and u10) are not confused.
func TestInvalidationDropsWhatTheKeyNames(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	practices, users := []string{"pA", "pAB"}, []string{"u1", "u10"}
	cases := []struct {
		key     string
		dropped []string
	}{
		{access.PracticeKey("pA"), []string{"practice pA", "grants u1@pA", "grants u10@pA"}},
		{access.UserKey("u1"), []string{"grants u1@pA", "grants u1@pAB"}},
		{access.AllKey, []string{"practice pA", "practice pAB", "grants u1@pA", "grants u10@pA", "grants u1@pAB", "grants u10@pAB"}},
	}
	for _, tc := range cases {
		src := newSource()
		c := factcache.New(src, factcache.Config{Now: (&clock{t: t0}).Now})
		fill := func() {
			for _, p := range practices {
				practice(t, c, p)
				for _, u := range users {
					grants(t, c, u, p)
				}
			}
		}
		fill()
		c.Invalidate(ctx, tc.key)
		fill()
		for _, p := range practices {
			what := "practice " + p
			require.Equal(t, 1+count(tc.dropped, what), src.count(what), "%s after %s", what, tc.key)
			for _, u := range users {
				what := fmt.Sprintf("grants %s@%s", u, p)
				require.Equal(t, 1+count(tc.dropped, what), src.count(what), "%s after %s", what, tc.key)
			}
		}
	}
}

func count(list []string, s string) int {
	n := 0
	for _, v := range list {
		if v == s {
			n++
		}
	}
	return n
}

// A read that began before a change was invalidated may carry what the
// change replaced. Its answer serves the request it was for, but is not
// kept: the next decision reads again and sees the revocation or the
// suspension, however the read and the invalidation interleaved.
func TestALoadOverlappingAnInvalidationIsNotKept(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		before func(*source)
		change func(*source)
		read   func(c *factcache.Cache) any // the fake source never fails
		stale  any
		fresh  any
		reads  string
	}{
		{
			name:   "revoked grant",
			before: func(s *source) { s.setGrants("u1", "pA", g1) },
			change: func(s *source) { s.setGrants("u1", "pA") },
			read: func(c *factcache.Cache) any {
				gs, _ := c.GrantsFor(context.Background(), "u1", "pA")
				return gs
			},
			stale: []access.GrantFact{g1}, fresh: []access.GrantFact(nil),
			reads: "grants u1@pA",
		},
		{
			name:   "suspended practice",
			before: func(s *source) { s.setStatus("pA", "active") },
			change: func(s *source) { s.setStatus("pA", "suspended") },
			read: func(c *factcache.Cache) any {
				f, _ := c.Practice(context.Background(), "pA")
				return f.Status
			},
			stale: "active", fresh: "suspended",
			reads: "practice pA",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			src := newSource()
			tc.before(src)
			c := factcache.New(src, factcache.Config{Now: (&clock{t: t0}).Now})
			read, release := src.holdNext()
			got := make(chan any, 1)
			go func() { got <- tc.read(c) }()
			<-read // the load has its (soon stale) answer and has not kept it yet
			tc.change(src)
			c.Invalidate(context.Background(), access.PracticeKey("pA"))
			close(release)
			require.Equal(t, tc.stale, <-got, "the overlapping request gets what was read")
			require.Equal(t, tc.fresh, tc.read(c), "the next one reads again")
			require.Equal(t, 2, src.count(tc.reads))
			require.Equal(t, tc.fresh, tc.read(c), "and keeps that")
			require.Equal(t, 2, src.count(tc.reads))
		})
	}
}

// newRedis starts an in-process Redis this test can stop and restart.
func newRedis(t *testing.T) (*miniredis.Miniredis, redis.UniversalClient) {
	t.Helper()
	mr := miniredis.NewMiniRedis()
	require.NoError(t, mr.Start())
	t.Cleanup(mr.Close)
	rc := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	t.Cleanup(func() { _ = rc.Close() })
	return mr, rc
}

// next returns the next key the cache applied. The wait is bounded only so
// that a cache that never applies it fails instead of hanging the run.
func next(t *testing.T, seen chan string) string {
	t.Helper()
	select {
	case k := <-seen:
		return k
	case <-time.After(10 * time.Second):
		t.Fatal("no invalidation was applied")
		return ""
	}
}

// watched returns a cache on rc and the keys it applies, as it applies them.
func watched(src access.FactSource, rc redis.UniversalClient) (*factcache.Cache, chan string) {
	seen := make(chan string, 16)
	c := factcache.New(src, factcache.Config{Redis: rc, Now: (&clock{t: t0}).Now, Retry: time.Millisecond,
		Invalidated: func(k string) { seen <- k }})
	return c, seen
}

// With Redis to listen to, the cache is not used until it has subscribed:
// an invalidation sent before then would be lost. Subscribing empties it.
// When the subscription breaks and comes back, it is emptied again, since
// what was sent meanwhile never arrived.
func TestUsedOnlyWhileSubscribed(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	mr, rc := newRedis(t)
	src := newSource()
	src.setGrants("u1", "pA", g1)
	c, seen := watched(src, rc)

	grants(t, c, "u1", "pA")
	grants(t, c, "u1", "pA")
	require.False(t, c.Live())
	require.Equal(t, 2, src.count("grants u1@pA"), "not subscribed: every read goes to the source")

	go c.Run(ctx)
	require.Equal(t, access.AllKey, next(t, seen), "subscribing empties the cache")
	require.True(t, c.Live())
	grants(t, c, "u1", "pA")
	grants(t, c, "u1", "pA")
	require.Equal(t, 3, src.count("grants u1@pA"), "subscribed: read once, then kept")

	mr.Close()
	require.NoError(t, mr.Restart())
	require.Equal(t, access.AllKey, next(t, seen), "subscribing again empties the cache again")
	grants(t, c, "u1", "pA")
	require.Equal(t, 4, src.count("grants u1@pA"))
}

// An invalidation made on one replica reaches the others, which drop what
// it names, and comes back to the one that made it, which had dropped it
// already.
func TestInvalidationsReachEveryReplica(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, rc := newRedis(t)
	src := newSource()
	one, oneSeen := watched(src, rc)
	two, twoSeen := watched(src, rc)
	go one.Run(ctx)
	go two.Run(ctx)
	require.Equal(t, access.AllKey, next(t, oneSeen))
	require.Equal(t, access.AllKey, next(t, twoSeen))

	grants(t, two, "u1", "pA")
	grants(t, two, "u1", "pA")
	require.Equal(t, 1, src.count("grants u1@pA"), "replica two keeps what it read")
	one.Invalidate(ctx, access.PracticeKey("pA"))
	require.Equal(t, access.PracticeKey("pA"), next(t, oneSeen), "applied where it was made")
	require.Equal(t, access.PracticeKey("pA"), next(t, twoSeen), "and where it was heard")
	require.Equal(t, access.PracticeKey("pA"), next(t, oneSeen), "its own message comes back too")
	grants(t, two, "u1", "pA")
	require.Equal(t, 2, src.count("grants u1@pA"), "replica two read again")
}

// While Redis stays away the cache subscribes again less and less often,
// doubling its wait up to a minute, instead of hammering it (and the log)
// at a fixed short interval.
func TestResubscribingBacksOff(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close()) // nothing listens there now
	rc := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	t.Cleanup(func() { _ = rc.Close() })
	var logs testenv.Buffer
	c := factcache.New(newSource(), factcache.Config{Redis: rc, Retry: 5 * time.Millisecond,
		Log: slog.New(slog.NewTextHandler(&logs, nil))})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { c.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	want := []string{"retry_in=5ms", "retry_in=10ms", "retry_in=20ms", "retry_in=40ms", "retry_in=80ms"}
	require.Eventually(t, func() bool { return strings.Count(logs.String(), "retry_in=") >= len(want) }, 30*time.Second, 10*time.Millisecond)
	var got []string
	for _, line := range strings.Split(logs.String(), "\n") {
		if i := strings.Index(line, "retry_in="); i >= 0 {
			got = append(got, strings.Fields(line[i:])[0])
		}
	}
	require.Equal(t, want, got[:len(want)])
	require.False(t, c.Live())
}

func TestEachRedisDatabaseHasItsChannel(t *testing.T) {
	t.Parallel()
	require.Equal(t, factcache.Channel, factcache.ChannelFor(0))
	require.NotEqual(t, factcache.ChannelFor(1), factcache.ChannelFor(2))
}
