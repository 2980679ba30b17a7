package testenv

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// Redis returns the URL of a Redis database that belongs to this test alone.
// With BACKDESK_TEST_REDIS set, it leases one of the server's numbered
// databases 1–15 (flushed before and after use) so parallel tests and test
// processes never see each other's queues; otherwise it starts an
// in-process miniredis listening on loopback.
func Redis(t testing.TB) string {
	t.Helper()
	if InCI() || getenv(RedisVar) != "" {
		return leaseRealRedis(t, need(t, RedisVar, "Redis"))
	}
	mr := miniredis.NewMiniRedis()
	require.NoError(t, mr.Start())
	t.Cleanup(mr.Close)
	return "redis://" + mr.Addr() + "/0"
}

func leaseRealRedis(t testing.TB, base string) string {
	t.Helper()
	opt, err := redis.ParseURL(base)
	require.NoError(t, err, "parse %s", RedisVar)
	opt.DB = 0
	ctl := redis.NewClient(opt)
	defer ctl.Close()
	ctx := context.Background()
	token := fmt.Sprintf("%d:%s", os.Getpid(), randomHex(8))
	deadline := time.Now().Add(5 * time.Minute)
	for {
		for db := 1; db <= 15; db++ {
			key := fmt.Sprintf("backdesk:test:lease:%d", db)
			ok, err := ctl.SetNX(ctx, key, token, 30*time.Minute).Result()
			require.NoError(t, err, "lease a Redis database from %s", RedisVar)
			if !ok {
				ok = stealFromDeadHolder(ctx, ctl, key, token)
			}
			if !ok {
				continue
			}
			flush(t, opt, db)
			t.Cleanup(func() {
				flush(t, opt, db)
				c := redis.NewClient(opt)
				defer c.Close()
				if v, _ := c.Get(ctx, key).Result(); v == token {
					c.Del(ctx, key)
				}
			})
			u, err := url.Parse(base)
			require.NoError(t, err)
			u.Path = fmt.Sprintf("/%d", db)
			return u.String()
		}
		if time.Now().After(deadline) {
			t.Fatalf("no free Redis database on %s after waiting", RedisVar)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func flush(t testing.TB, opt *redis.Options, db int) {
	o := *opt
	o.DB = db
	c := redis.NewClient(&o)
	defer c.Close()
	require.NoError(t, c.FlushDB(context.Background()).Err())
}

// takeover replaces a lease only if it still holds the value we read.
var takeover = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("SET", KEYS[1], ARGV[2], "EX", 1800) and 1 else return 0 end`)

// stealFromDeadHolder takes a lease whose holder, a test process on this
// machine, no longer runs: a killed test run must not block the next one.
func stealFromDeadHolder(ctx context.Context, ctl *redis.Client, key, token string) bool {
	held, err := ctl.Get(ctx, key).Result()
	if err != nil {
		return false
	}
	pidText, _, _ := strings.Cut(held, ":")
	pid, err := strconv.Atoi(pidText)
	if err != nil || pid <= 0 || processAlive(pid) {
		return false
	}
	n, err := takeover.Run(ctx, ctl, []string{key}, held, token).Int()
	return err == nil && n == 1
}

func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
