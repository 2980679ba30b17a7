package serve_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/backdesk/backdesk/pkg/platform/config"
	"github.com/backdesk/backdesk/services/internal/serve"
	"github.com/stretchr/testify/require"
)

func TestOpenNamesTheVariableAtFault(t *testing.T) {
	t.Parallel()
	base := config.Base{Addr: "127.0.0.1:0", RedisURL: "redis://127.0.0.1:6379/0", ShutdownTimeout: 1}
	tests := map[string]struct {
		db, redis, want string
	}{
		"unreachable database": {db: "postgres://nobody@127.0.0.1:1/x?sslmode=disable&connect_timeout=2", redis: base.RedisURL, want: "BACKDESK_DATABASE_URL"},
		"unsupported database": {db: "oracle://x", redis: base.RedisURL, want: "BACKDESK_DATABASE_URL"},
		"bad redis":            {db: "sqlite://" + t.TempDir() + "/db", redis: "http://nope", want: "BACKDESK_REDIS_URL"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := base
			c.DatabaseURL, c.RedisURL = tc.db, tc.redis
			_, err := serve.Open(context.Background(), "test", c, &bytes.Buffer{})
			require.ErrorContains(t, err, tc.want)
		})
	}
}
