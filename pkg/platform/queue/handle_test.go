package queue_test

import (
	"context"
	"errors"
	"testing"

	"github.com/backdesk/backdesk/pkg/platform/queue"
	"github.com/hibiken/asynq"
	"github.com/stretchr/testify/require"
)

type pingArgs struct {
	Name string `json:"name"`
}

func (pingArgs) Kind() string  { return "test:ping" }
func (pingArgs) Queue() string { return "system" }
func (a pingArgs) Validate() error {
	if a.Name == "" {
		return errors.New("no name")
	}
	return nil
}

type tickArgs struct{}

func (tickArgs) Kind() string  { return "test:tick" }
func (tickArgs) Queue() string { return "system" }

func TestHandleDecodesValidatesAndRefusesForGood(t *testing.T) {
	t.Parallel()
	mux := asynq.NewServeMux()
	var got []queue.Task[pingArgs]
	queue.Handle(mux, func(_ context.Context, t queue.Task[pingArgs]) error {
		got = append(got, t)
		return nil
	})
	ticks := 0
	queue.Handle(mux, func(context.Context, queue.Task[tickArgs]) error { ticks++; return nil })

	require.NoError(t, mux.ProcessTask(context.Background(), asynq.NewTask("test:ping", []byte(`{"name":"pat"}`))))
	require.Equal(t, []queue.Task[pingArgs]{{Args: pingArgs{Name: "pat"}}}, got)

	for _, payload := range []string{`not json`, `{"name":7}`, `{}`, ``} {
		err := mux.ProcessTask(context.Background(), asynq.NewTask("test:ping", []byte(payload)))
		require.ErrorIs(t, err, asynq.SkipRetry, "payload %q", payload)
	}
	require.Len(t, got, 1, "a refused payload never reaches the handler")

	require.NoError(t, mux.ProcessTask(context.Background(), asynq.NewTask("test:tick", nil)), "no payload is the zero value")
	require.Equal(t, 1, ticks)
}
