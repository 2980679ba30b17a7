package ctl

import (
	"context"
	"fmt"
	"io"

	"github.com/backdesk/backdesk/pkg/platform/config"
	"github.com/backdesk/backdesk/pkg/platform/queue"
	"github.com/backdesk/backdesk/pkg/platform/session"
	"github.com/redis/go-redis/v9"
)

// sessionsCmd runs "sessions revoke-all": every browser session ends at
// once and everybody signs in again. Operators run it after an upgrade
// that changes what sessions hold, or after an incident.
func sessionsCmd(ctx context.Context, args []string, getenv config.Getenv, stdout, stderr io.Writer) int {
	if len(args) != 1 || args[0] != "revoke-all" {
		fmt.Fprintln(stderr, "usage: backdeskctl sessions revoke-all")
		return 2
	}
	r := config.NewReader(getenv)
	url := r.URL("BACKDESK_REDIS_URL", "", "redis", "rediss", "redis-sentinel", "redis-socket")
	r.Check(config.Check{Bad: url == "", Var: "BACKDESK_REDIS_URL", Message: "is required but not set"})
	if err := r.Err(); err != nil {
		fmt.Fprintf(stderr, "backdeskctl sessions: %v\n", err)
		return 2
	}
	rdb, _, err := redisClient(url)
	if err != nil {
		fmt.Fprintf(stderr, "backdeskctl sessions: %v\n", err)
		return 2
	}
	defer rdb.Close()
	n, err := session.NewStore(rdb, session.Config{}).DeleteAll(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "backdeskctl sessions: ended %d sessions, then: %v\n", n, err)
		return 1
	}
	fmt.Fprintf(stdout, "ended %d browser sessions; everybody signs in again\n", n)
	return 0
}

// redisClient connects to the Redis of url (BACKDESK_REDIS_URL) as the
// services do, and says which numbered database it names.
func redisClient(url string) (redis.UniversalClient, int, error) {
	opt, err := queue.RedisOpt(url)
	if err != nil {
		return nil, 0, err
	}
	rdb, ok := opt.MakeRedisClient().(redis.UniversalClient)
	if !ok {
		return nil, 0, fmt.Errorf("BACKDESK_REDIS_URL: unsupported connection type")
	}
	return rdb, queue.RedisDB(opt), nil
}
