package access

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/redis/go-redis/v9"
)

// InvalidationChannel is the Redis pub/sub channel replicas share.
const InvalidationChannel = "backdesk:access:invalidate"

// DeciderConfig tunes a Decider; the zero value of each field means its default.
type DeciderConfig struct {
	// TTL bounds how long a cached practice status or grant list is used
	// even if an invalidation is lost (default 30s). Expiry and lapse need
	// no invalidation: they are computed from the cached times.
	TTL time.Duration
	// Redis carries invalidations between replicas; nil keeps them local.
	Redis   redis.UniversalClient
	Channel string
	Now     Clock
	Log     *slog.Logger
	// MFA is the platform's rule on second factors for PHI.
	MFA MFARule
	// Invalidated, when set, is called after each invalidation is applied,
	// with its key; tests use it to wait for a message.
	Invalidated func(key string)
}

// Decider is the one decision point every service uses. It caches practice
// statuses and grants in-process; any change to them is published on Redis
// and every replica drops what it cached. While the subscription is down
// the cache is bypassed, so a lost message never leaves a revoked grant
// working.
type Decider struct {
	store FactSource
	cfg   DeciderConfig

	mu      sync.Mutex
	gen     uint64
	entries map[string]cached
	live    atomic.Bool
}

type cached struct {
	at       time.Time
	practice PracticeFacts
	grants   []GrantFact
}

// NewDecider returns a Decider over store.
func NewDecider(store FactSource, cfg DeciderConfig) *Decider {
	if cfg.TTL == 0 {
		cfg.TTL = 30 * time.Second
	}
	if cfg.Channel == "" {
		cfg.Channel = InvalidationChannel
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	d := &Decider{store: store, cfg: cfg, entries: map[string]cached{}}
	if cfg.Redis == nil {
		d.live.Store(true)
	}
	return d
}

// Decide loads the facts for p, a and r and evaluates them. An error means
// the facts could not be read; callers fail closed.
func (d *Decider) Decide(ctx context.Context, p identity.Principal, a Action, r Resource) (Decision, error) {
	now := d.cfg.Now()
	f := Facts{MFA: d.cfg.MFA}
	var err error
	if r.PracticeID != "" && a != ReadAudit {
		pf, err := d.practice(ctx, r.PracticeID)
		if err != nil {
			return Decision{}, err
		}
		f.PracticeStatus, f.PracticeRequiresMFA = pf.Status, pf.RequireMFA
	}
	if a == ReadPatient && f.PracticeStatus != "" {
		if f.BreakGlass, err = d.store.BreakGlassFor(ctx, p.UserID, r.PracticeID, r.PatientID); err != nil {
			return Decision{}, err
		}
		if !p.AdminOf(r.PracticeID) && p.Has(identity.Agent) {
			if f.Grants, err = d.grants(ctx, p.UserID, r.PracticeID); err != nil {
				return Decision{}, err
			}
			if f.Items, err = d.store.OwnedItems(ctx, p.UserID, r.PracticeID, r.PatientID); err != nil {
				return Decision{}, err
			}
		}
	}
	return Evaluate(now, p, a, r, f), nil
}

func (d *Decider) practice(ctx context.Context, practiceID string) (PracticeFacts, error) {
	key := "practice:" + practiceID + ":status"
	if e, ok := d.lookup(key); ok {
		return e.practice, nil
	}
	gen := d.generation()
	f, err := d.store.Practice(ctx, practiceID)
	if err != nil {
		return PracticeFacts{}, err
	}
	d.keep(key, gen, cached{practice: f})
	return f, nil
}

func (d *Decider) grants(ctx context.Context, userID, practiceID string) ([]GrantFact, error) {
	key := "practice:" + practiceID + ":user:" + userID
	if e, ok := d.lookup(key); ok {
		return e.grants, nil
	}
	gen := d.generation()
	gs, err := d.store.GrantsFor(ctx, userID, practiceID)
	if err != nil {
		return nil, err
	}
	d.keep(key, gen, cached{grants: gs})
	return gs, nil
}

func (d *Decider) lookup(key string) (cached, bool) {
	if !d.live.Load() {
		return cached{}, false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	e, ok := d.entries[key]
	if !ok || d.cfg.Now().Sub(e.at) >= d.cfg.TTL {
		return cached{}, false
	}
	return e, true
}

func (d *Decider) generation() uint64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.gen
}

// keep caches e unless an invalidation arrived since gen was read: the
// facts loaded may predate it.
func (d *Decider) keep(key string, gen uint64, e cached) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.gen != gen || !d.live.Load() {
		return
	}
	e.at = d.cfg.Now()
	d.entries[key] = e
}

// Invalidate drops cached facts matching key here and on every replica.
func (d *Decider) Invalidate(ctx context.Context, key string) {
	d.apply(key)
	if d.cfg.Redis == nil {
		return
	}
	if err := d.cfg.Redis.Publish(ctx, d.cfg.Channel, key).Err(); err != nil {
		// Other replicas cannot be told; they stop trusting their caches
		// when their own subscription breaks, and the TTL bounds the rest.
		d.cfg.Log.WarnContext(ctx, "access invalidation not published", "error", err.Error())
	}
}

func (d *Decider) apply(key string) {
	d.mu.Lock()
	d.gen++
	for k := range d.entries {
		if key == AllKey || strings.HasPrefix(k, key) || (strings.HasPrefix(key, ":user:") && strings.HasSuffix(k, key)) {
			delete(d.entries, k)
		}
	}
	d.mu.Unlock()
	if d.cfg.Invalidated != nil {
		d.cfg.Invalidated(key)
	}
}

// Run listens for invalidations from other replicas until ctx ends. Each
// (re)subscription drops the whole cache, since messages sent while
// disconnected are lost; between a failure and the next subscription the
// cache is not used at all.
func (d *Decider) Run(ctx context.Context) {
	if d.cfg.Redis == nil {
		<-ctx.Done()
		return
	}
	for ctx.Err() == nil {
		d.listen(ctx)
		d.live.Store(false)
		select {
		case <-ctx.Done():
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func (d *Decider) listen(ctx context.Context) {
	ps := d.cfg.Redis.Subscribe(ctx, d.cfg.Channel)
	defer ps.Close()
	// A blocking receive does not watch ctx; closing the subscription
	// ends it when the process stops.
	stop := context.AfterFunc(ctx, func() { _ = ps.Close() })
	defer stop()
	for {
		msg, err := ps.Receive(ctx)
		if err != nil {
			if ctx.Err() == nil && !errors.Is(err, redis.ErrClosed) {
				d.cfg.Log.WarnContext(ctx, "access invalidations interrupted; deciding without cache", "error", err.Error())
			}
			d.live.Store(false)
			return
		}
		switch m := msg.(type) {
		case *redis.Subscription:
			if m.Kind == "subscribe" {
				d.apply(AllKey)
				d.live.Store(true)
			}
		case *redis.Message:
			d.apply(m.Payload)
		}
	}
}

// Live reports whether the cache is in use (invalidations are flowing).
func (d *Decider) Live() bool { return d.live.Load() }
