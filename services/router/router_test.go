package router_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/pkg/practice/practicestore"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/backdesk/backdesk/services/router"
	"github.com/hibiken/asynq"
	"github.com/stretchr/testify/require"
)

func TestMalformedProvisionPayloadIsNotRetried(t *testing.T) {
	t.Parallel()
	db, _ := testenv.NewDB(t, "sqlite")
	r := router.New(practice.NewService(practicestore.New(db), nil, nil), nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	for _, payload := range []string{`not json`, `{}`} {
		err := r.Handler().ProcessTask(context.Background(), asynq.NewTask(practice.TaskProvision, []byte(payload)))
		require.ErrorIs(t, err, asynq.SkipRetry, payload)
	}
}
