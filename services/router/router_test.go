package router_test

import (
	"context"
	"testing"

	"github.com/backdesk/backdesk/pkg/imports"
	"github.com/backdesk/backdesk/pkg/platform/outbox"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/backdesk/backdesk/services/router"
	"github.com/hibiken/asynq"
	"github.com/stretchr/testify/require"
)

func TestMalformedProvisionPayloadIsNotRetried(t *testing.T) {
	t.Parallel()
	db, _ := testenv.NewDB(t, "sqlite")
	r := newRouter(t, db, nil)
	for _, payload := range []string{`not json`, `{}`} {
		err := r.Handler().ProcessTask(context.Background(), asynq.NewTask(practice.ProvisionArgs{}.Kind(), []byte(payload)))
		require.ErrorIs(t, err, asynq.SkipRetry, payload)
	}
}

func TestNewRefusesMissingDependencies(t *testing.T) {
	t.Parallel()
	_, err := router.New(router.Deps{})
	require.Error(t, err, "a router without its dependencies would acknowledge tasks it cannot do")
}

// Every task the platform queues waits in a queue the router's workers
// serve; a task in any other queue would never run.
func TestEveryTaskWaitsInAServedQueue(t *testing.T) {
	t.Parallel()
	args := []outbox.Args{practice.ProvisionArgs{}, imports.RunArgs{}, imports.GenerateArgs{},
		imports.GenerateDailyArgs{}, work.DueArgs{}, work.RouteArgs{}}
	for _, k := range policy.Kinds {
		args = append(args, work.RouteArgs{ItemKind: k})
	}
	served := router.DefaultWeights()
	for _, a := range args {
		require.Contains(t, served, a.Queue(), "%s waits in %q", a.Kind(), a.Queue())
	}

	w, err := router.Weights("claims=7")
	require.NoError(t, err)
	require.Equal(t, 7, w["claims"])
	_, err = router.Weights("claimz=7")
	require.ErrorContains(t, err, "BACKDESK_QUEUE_WEIGHTS")
	require.ErrorContains(t, err, `"claimz" is not a queue`)
}
