package message

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// window is the span a rate counts over.
const window = time.Minute

// RedisLimiter counts each practice's messages per minute in Redis, so
// every worker of every replica keeps one count.
type RedisLimiter struct{ Redis redis.UniversalClient }

// Wait implements Limiter with a fixed window: the minute's count is
// raised, and a count past the limit waits for the next minute.
func (l RedisLimiter) Wait(ctx context.Context, key string, perMinute int, now time.Time) (time.Duration, error) {
	start := now.Truncate(window)
	k := "backdesk:message-rate:" + key + ":" + strconv.FormatInt(start.Unix(), 10)
	pipe := l.Redis.TxPipeline()
	n := pipe.Incr(ctx, k)
	pipe.Expire(ctx, k, 2*window)
	if _, err := pipe.Exec(ctx); err != nil {
		return 0, err
	}
	if n.Val() > int64(perMinute) {
		return start.Add(window).Sub(now), nil
	}
	return 0, nil
}

// MemoryLimiter counts in the process: for the dev binary and tests.
type MemoryLimiter struct {
	mu     sync.Mutex
	counts map[string]int
}

// NewMemoryLimiter returns an empty MemoryLimiter.
func NewMemoryLimiter() *MemoryLimiter { return &MemoryLimiter{counts: map[string]int{}} }

// Wait implements Limiter.
func (l *MemoryLimiter) Wait(_ context.Context, key string, perMinute int, now time.Time) (time.Duration, error) {
	start := now.Truncate(window)
	k := key + ":" + strconv.FormatInt(start.Unix(), 10)
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.counts) > 10000 {
		clear(l.counts)
	}
	l.counts[k]++
	if l.counts[k] > perMinute {
		return start.Add(window).Sub(now), nil
	}
	return 0, nil
}
