// Package factcache keeps, on each replica, the access facts that change
// rarely (a practice's status, a person's grants there) in memory in
// front of the database, and drops them the moment any replica says they
// changed. Invalidations travel over Redis pub/sub; while the
// subscription is down the cache is not used at all, so a lost message
// never leaves a revoked grant working. Work-item ownership and
// break-glass sessions are read through on every decision.
package factcache

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/redis/go-redis/v9"
)

// Channel is the Redis pub/sub channel replicas share, for those on
// database 0; ChannelFor names the channel of any database.
const Channel = "backdesk:access:invalidate"

// ChannelFor is the channel of replicas whose Redis URL names database
// db. Pub/sub is shared by the whole server, so deployments (or test
// runs) that share a server on different databases get their own.
func ChannelFor(db int) string {
	if db == 0 {
		return Channel
	}
	return Channel + ":" + strconv.Itoa(db)
}

// Config tunes a Cache; the zero value of each field means its default.
type Config struct {
	// TTL bounds how long a cached practice status or grant list is used
	// even if an invalidation is lost (default 30s). Expiry and lapse need
	// no invalidation: decisions compute them from the cached dates.
	TTL time.Duration
	// Redis carries invalidations between replicas; nil keeps them local
	// and the cache in use from the start.
	Redis   redis.UniversalClient
	Channel string
	Now     func() time.Time
	Log     *slog.Logger
	// Invalidated, when set, is called after each invalidation is applied,
	// with its key; tests use it to wait for a message.
	Invalidated func(key string)
	// Retry is how long Run waits before subscribing again after the
	// subscription broke (default 500ms).
	Retry time.Duration
}

// Cache is an access.FactSource in front of another. It is also the
// access.Invalidator every change to those facts is reported to.
type Cache struct {
	src access.FactSource
	cfg Config

	mu sync.Mutex
	// gen counts invalidations. A load that began before an invalidation
	// of its key may have read what it invalidated, so its result is not
	// kept; recent holds the keys of the latest invalidations, so that one
	// of another key (another practice's, another replica's) does not
	// waste the load.
	gen     uint64
	recent  []string // recent[i] is the key of invalidation gen-len(recent)+1+i
	entries map[string]entry
	live    atomic.Bool
}

type entry struct {
	at       time.Time
	practice access.PracticeFacts
	grants   []access.GrantFact
	value    any // what Remember keeps
}

var (
	_ access.FactSource        = (*Cache)(nil)
	_ access.PatientFactSource = (*Cache)(nil)
	_ access.Invalidator       = (*Cache)(nil)
)

// New returns a Cache over src. With Redis configured it is not used
// until Run has subscribed.
func New(src access.FactSource, cfg Config) *Cache {
	if cfg.TTL == 0 {
		cfg.TTL = 30 * time.Second
	}
	if cfg.Channel == "" {
		cfg.Channel = Channel
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Retry == 0 {
		cfg.Retry = 500 * time.Millisecond
	}
	c := &Cache{src: src, cfg: cfg, entries: map[string]entry{}}
	if cfg.Redis == nil {
		c.live.Store(true)
	}
	return c
}

// Entries are named so that the invalidation keys of pkg/access find
// them: a practice's key is the prefix of both of its entries, and a
// user's key the suffix of each of the user's grant lists.
func practiceEntry(practiceID string) string { return access.PracticeKey(practiceID) + "status" }

func grantsEntry(userID, practiceID string) string {
	return access.PracticeKey(practiceID) + "user:" + userID
}

// Practice returns the practice's facts, cached.
func (c *Cache) Practice(ctx context.Context, practiceID string) (access.PracticeFacts, error) {
	key := practiceEntry(practiceID)
	if e, ok := c.lookup(key); ok {
		return e.practice, nil
	}
	gen := c.generation()
	f, err := c.src.Practice(ctx, practiceID)
	if err != nil {
		return access.PracticeFacts{}, err
	}
	c.keep(key, gen, entry{practice: f})
	return f, nil
}

// GrantsFor returns the user's grants on the practice, cached.
func (c *Cache) GrantsFor(ctx context.Context, userID, practiceID string) ([]access.GrantFact, error) {
	key := grantsEntry(userID, practiceID)
	if e, ok := c.lookup(key); ok {
		return e.grants, nil
	}
	gen := c.generation()
	gs, err := c.src.GrantsFor(ctx, userID, practiceID)
	if err != nil {
		return nil, err
	}
	c.keep(key, gen, entry{grants: gs})
	return gs, nil
}

// Remember returns what is cached under key, a key under
// access.PrincipalsKey, or what load returns, which it keeps for the TTL
// unless an invalidation of the key arrives meanwhile. The identity
// service keeps resolved principals this way, so a warm request costs no
// database round trip.
func (c *Cache) Remember(ctx context.Context, key string, load func(ctx context.Context) (any, error)) (any, error) {
	if e, ok := c.lookup(key); ok {
		return e.value, nil
	}
	gen := c.generation()
	v, err := load(ctx)
	if err != nil {
		return nil, err
	}
	c.keep(key, gen, entry{value: v})
	return v, nil
}

// OwnedItems reads through: ownership changes with every assignment.
func (c *Cache) OwnedItems(ctx context.Context, userID, practiceID, patientID string) ([]access.OwnedItem, error) {
	return c.src.OwnedItems(ctx, userID, practiceID, patientID)
}

// PatientFacts reads through, in one call when the source can.
func (c *Cache) PatientFacts(ctx context.Context, userID, practiceID, patientID string, items bool) ([]access.BreakGlassFact, []access.OwnedItem, error) {
	if pf, ok := c.src.(access.PatientFactSource); ok {
		return pf.PatientFacts(ctx, userID, practiceID, patientID, items)
	}
	bg, err := c.src.BreakGlassFor(ctx, userID, practiceID, patientID)
	if err != nil || !items {
		return bg, nil, err
	}
	owned, err := c.src.OwnedItems(ctx, userID, practiceID, patientID)
	return bg, owned, err
}

// BreakGlassFor reads through: a session opened a moment ago must count.
func (c *Cache) BreakGlassFor(ctx context.Context, userID, practiceID, patientID string) ([]access.BreakGlassFact, error) {
	return c.src.BreakGlassFor(ctx, userID, practiceID, patientID)
}

func (c *Cache) lookup(key string) (entry, bool) {
	if !c.live.Load() {
		return entry{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || c.cfg.Now().Sub(e.at) >= c.cfg.TTL {
		return entry{}, false
	}
	return e, true
}

func (c *Cache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// keep caches e unless an invalidation of key arrived since gen was read:
// the facts loaded may predate it.
func (c *Cache) keep(key string, gen uint64, e entry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.live.Load() {
		return
	}
	if since := c.gen - gen; since > 0 {
		if since > uint64(len(c.recent)) {
			return // too many to tell: assume one was about key
		}
		for _, k := range c.recent[uint64(len(c.recent))-since:] {
			if matches(k, key) {
				return
			}
		}
	}
	e.at = c.cfg.Now()
	c.entries[key] = e
}

// Invalidate drops cached facts matching key here and on every replica.
func (c *Cache) Invalidate(ctx context.Context, key string) {
	c.apply(key)
	if c.cfg.Redis == nil {
		return
	}
	if err := c.cfg.Redis.Publish(ctx, c.cfg.Channel, key).Err(); err != nil {
		// Other replicas cannot be told; they stop trusting their caches
		// when their own subscription breaks, and the TTL bounds the rest.
		c.cfg.Log.WarnContext(ctx, "access invalidation not published", "error", err.Error())
	}
}

// recentKept is how many invalidation keys keep remembers.
const recentKept = 64

// matches reports whether invalidation key covers the entry named k.
func matches(key, k string) bool {
	return key == access.AllKey || strings.HasPrefix(k, key) || (strings.HasPrefix(key, access.UserKey("")) && strings.HasSuffix(k, key))
}

func (c *Cache) apply(key string) {
	c.mu.Lock()
	c.gen++
	c.recent = append(c.recent, key)
	if len(c.recent) > recentKept {
		c.recent = append(c.recent[:0], c.recent[len(c.recent)-recentKept:]...)
	}
	for k := range c.entries {
		if matches(key, k) {
			delete(c.entries, k)
		}
	}
	c.mu.Unlock()
	if c.cfg.Invalidated != nil {
		c.cfg.Invalidated(key)
	}
}

// Run listens for invalidations from other replicas until ctx ends. Each
// (re)subscription drops the whole cache, since messages sent while
// disconnected are lost; between a failure and the next subscription the
// cache is not used at all.
func (c *Cache) Run(ctx context.Context) {
	if c.cfg.Redis == nil {
		<-ctx.Done()
		return
	}
	wait := c.cfg.Retry
	for ctx.Err() == nil {
		if c.listen(ctx, wait) {
			wait = c.cfg.Retry // it was live: start over from the shortest wait
		}
		c.live.Store(false)
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
		// Back off while Redis stays away: doubling, up to a minute.
		wait = min(2*wait, maxRetry)
	}
}

// maxRetry bounds the wait between subscriptions while Redis is away.
const maxRetry = time.Minute

// listen subscribes and applies invalidations until the subscription
// fails; it reports whether it was live, and logs the failure with the
// wait before the next attempt.
func (c *Cache) listen(ctx context.Context, wait time.Duration) (wasLive bool) {
	ps := c.cfg.Redis.Subscribe(ctx, c.cfg.Channel)
	defer ps.Close()
	// A blocking receive does not watch ctx; closing the subscription
	// ends it when the process stops.
	stop := context.AfterFunc(ctx, func() { _ = ps.Close() })
	defer stop()
	for {
		msg, err := ps.Receive(ctx)
		if err != nil {
			wasLive = c.live.Load()
			if ctx.Err() == nil && !errors.Is(err, redis.ErrClosed) {
				next := wait
				if wasLive {
					next = c.cfg.Retry
				}
				c.cfg.Log.WarnContext(ctx, "access invalidations interrupted; deciding without cache",
					"error", err.Error(), "retry_in", next.String())
			}
			c.live.Store(false)
			return wasLive
		}
		switch m := msg.(type) {
		case *redis.Subscription:
			if m.Kind == "subscribe" {
				c.apply(access.AllKey)
				c.live.Store(true)
			}
		case *redis.Message:
			c.apply(m.Payload)
		}
	}
}

// Live reports whether the cache is in use (invalidations are flowing).
func (c *Cache) Live() bool { return c.live.Load() }
