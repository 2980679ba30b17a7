package relay_test

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/outbox"
	"github.com/backdesk/backdesk/pkg/platform/queue"
	"github.com/backdesk/backdesk/pkg/platform/relay"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/hibiken/asynq"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

const taskType = "test:touch"

func TestMain(m *testing.M) {
	otel.SetTracerProvider(sdktrace.NewTracerProvider())
	otel.SetTextMapPropagator(propagation.TraceContext{})
	if os.Getenv("OUTBOX_CHILD") != "" {
		os.Exit(childRelay())
	}
	os.Exit(m.Run())
}

// counter is a handler that records, through Once, how often each task ran
// and which trace each delivery belonged to.
type counter struct {
	db     *sqldb.DB
	mu     sync.Mutex
	runs   map[string]int // task id -> deliveries that changed the database
	traces map[string]string
}

func (c *counter) ProcessTask(ctx context.Context, t *asynq.Task) error {
	id, _ := asynq.GetTaskID(ctx)
	err := outbox.Once(ctx, c.db, id, t.Type(), time.Now(), func(tx *sql.Tx) error { return nil })
	if errors.Is(err, outbox.ErrAlreadyDone) {
		return nil
	}
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.runs[id]++
	c.traces[id] = outbox.TraceHeaders(ctx)["traceparent"]
	return nil
}

func (c *counter) snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]int{}
	for k, v := range c.runs {
		out[k] = v
	}
	return out
}

func startWorker(t *testing.T, db *sqldb.DB, redisURL string) *counter {
	t.Helper()
	opt, err := queue.RedisOpt(redisURL)
	require.NoError(t, err)
	c := &counter{db: db, runs: map[string]int{}, traces: map[string]string{}}
	srv := queue.NewServer(opt, queue.ServerConfig{Concurrency: 4, Weights: map[string]int{"system": 1}, PollInterval: 20 * time.Millisecond})
	mux := asynq.NewServeMux()
	mux.Use(queue.Tracing)
	mux.Handle(taskType, c)
	require.NoError(t, srv.Start(mux))
	t.Cleanup(srv.Shutdown)
	return c
}

func addRows(t *testing.T, ctx context.Context, db *sqldb.DB, n int) []string {
	t.Helper()
	var ids []string
	require.NoError(t, db.Tx(ctx, func(tx *sql.Tx) error {
		for i := 0; i < n; i++ {
			id, err := outbox.Add(ctx, tx, time.Now(), outbox.Message{Type: taskType, Queue: "system", Payload: []byte(fmt.Sprintf(`{"n":%d}`, i))})
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	}))
	return ids
}

// pastLease is a clock after any lease a relay of this test took.
func pastLease() time.Time { return time.Now().Add(time.Hour) }

func client(t *testing.T, redisURL string) *asynq.Client {
	t.Helper()
	opt, err := queue.RedisOpt(redisURL)
	require.NoError(t, err)
	c := asynq.NewClient(opt)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func unsent(t *testing.T, db *sqldb.DB) int {
	t.Helper()
	var n int
	require.NoError(t, db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL`).Scan(&n))
	return n
}

func requireEachOnce(t *testing.T, c *counter, ids []string) {
	t.Helper()
	require.Eventually(t, func() bool { return len(c.snapshot()) == len(ids) }, 30*time.Second, 20*time.Millisecond, "every task must be delivered")
	// Give a duplicate the chance to show up before judging.
	time.Sleep(300 * time.Millisecond)
	runs := c.snapshot()
	for _, id := range ids {
		require.Equal(t, 1, runs[id], "task %s", id)
	}
	require.Len(t, runs, len(ids))
}

func TestTraceRunsFromWriterToHandler(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		redisURL := testenv.Redis(t)
		ctx, span := otel.Tracer("test").Start(context.Background(), "http request")
		ids := addRows(t, ctx, db, 1)
		span.End()

		c := startWorker(t, db, redisURL)
		n, err := relay.New(db, client(t, redisURL), relay.Config{}).RelayOnce(context.Background())
		require.NoError(t, err)
		require.Equal(t, 1, n)
		requireEachOnce(t, c, ids)
		c.mu.Lock()
		defer c.mu.Unlock()
		require.Contains(t, c.traces[ids[0]], span.SpanContext().TraceID().String())
		require.Zero(t, unsent(t, db))
	})
}

func TestRelayCrashAfterEnqueueDeliversOnce(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		redisURL := testenv.Redis(t)
		ids := addRows(t, ctx, db, 5)

		// The first relay dies after putting three tasks in Redis but
		// before marking any row sent: its transaction never commits.
		crash := errors.New("relay killed")
		sentBeforeCrash := 0
		r1 := relay.New(db, client(t, redisURL), relay.Config{AfterEnqueue: func(string) {
			sentBeforeCrash++
			if sentBeforeCrash == 3 {
				panic(crash)
			}
		}})
		require.PanicsWithValue(t, crash, func() { _, _ = r1.RelayOnce(ctx) })
		require.Equal(t, 5, unsent(t, db), "nothing may be marked sent by the crashed relay")

		c := startWorker(t, db, redisURL)
		// The restarted relay re-sends all five once the crashed one's
		// lease is over; the three already in Redis are refused by their
		// task id.
		r2 := relay.New(db, client(t, redisURL), relay.Config{Now: pastLease})
		n, err := r2.RelayOnce(ctx)
		require.NoError(t, err)
		require.Equal(t, 5, n)
		requireEachOnce(t, c, ids)

		// Even a row re-sent after its task finished is refused (retention).
		_, err = db.ExecContext(ctx, `UPDATE outbox SET sent_at = NULL`)
		require.NoError(t, err)
		_, err = r2.RelayOnce(ctx)
		require.NoError(t, err)
		requireEachOnce(t, c, ids)
	})
}

func TestRelayRunPicksUpRowsCommittedWhileDown(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		redisURL := testenv.Redis(t)
		ids := addRows(t, ctx, db, 3) // committed; no relay running
		c := startWorker(t, db, redisURL)
		r := relay.New(db, client(t, redisURL), relay.Config{Interval: 50 * time.Millisecond})
		done := make(chan struct{})
		go func() { r.Run(ctx); close(done) }()
		requireEachOnce(t, c, ids)
		more := addRows(t, ctx, db, 2)
		r.Notify()
		requireEachOnce(t, c, append(ids, more...))
		cancel()
		<-done
	})
}

func TestRelayKeepsRowsWhenRedisIsDown(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		addRows(t, ctx, db, 2)
		dead := asynq.NewClient(asynq.RedisClientOpt{Addr: "127.0.0.1:1", DialTimeout: 200 * time.Millisecond})
		defer dead.Close()
		fixed := time.Now()
		clock := func() time.Time { return fixed }
		n, err := relay.New(db, dead, relay.Config{Now: clock}).RelayOnce(ctx)
		require.NoError(t, err)
		require.Zero(t, n)
		require.Equal(t, 2, unsent(t, db))
		var attempts int
		var lastErr sql.NullString
		require.NoError(t, db.QueryRowContext(ctx, `SELECT MAX(attempts), MAX(last_error) FROM outbox`).Scan(&attempts, &lastErr))
		require.Equal(t, 1, attempts)
		require.NotEmpty(t, lastErr.String)

		// Failing rows wait before their next try, so rows behind them
		// are not starved: a second pass right away does not touch them.
		n, err = relay.New(db, dead, relay.Config{Now: clock}).RelayOnce(ctx)
		require.NoError(t, err)
		require.Zero(t, n)
		require.NoError(t, db.QueryRowContext(ctx, `SELECT MAX(attempts) FROM outbox`).Scan(&attempts))
		require.Equal(t, 1, attempts, "not retried before its backoff")
		later := func() time.Time { return fixed.Add(time.Hour) }
		_, err = relay.New(db, dead, relay.Config{Now: later}).RelayOnce(ctx)
		require.NoError(t, err)
		require.NoError(t, db.QueryRowContext(ctx, `SELECT MAX(attempts) FROM outbox`).Scan(&attempts))
		require.Equal(t, 2, attempts, "retried once the backoff passed")
	})
}

// TestRelayProcessKilledBetweenEnqueueAndCommit kills a real relay process
// with SIGKILL in the window after its task reached Redis and before its
// transaction committed, then restarts relaying here.
func TestRelayProcessKilledBetweenEnqueueAndCommit(t *testing.T) {
	t.Parallel()
	for _, d := range testenv.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			db, dbURL := testenv.NewDB(t, d)
			redisURL := testenv.Redis(t)
			ctx := context.Background()
			ids := addRows(t, ctx, db, 2)

			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "OUTBOX_CHILD=1", "OUTBOX_DB="+dbURL, "OUTBOX_REDIS="+redisURL)
			out, err := cmd.StdoutPipe()
			require.NoError(t, err)
			cmd.Stderr = os.Stderr
			require.NoError(t, cmd.Start())
			line, err := bufio.NewReader(out).ReadString('\n')
			require.NoError(t, err)
			require.True(t, strings.HasPrefix(line, "ENQUEUED "), line)
			require.NoError(t, cmd.Process.Kill())
			_ = cmd.Wait()
			require.Equal(t, 2, unsent(t, db))

			c := startWorker(t, db, redisURL)
			// The killed child's rows stay leased to it until the lease
			// ends; the relay here runs past that time and sweeps again,
			// as its loop does.
			r := relay.New(db, client(t, redisURL), relay.Config{Now: pastLease})
			require.Eventually(t, func() bool {
				if _, err := r.RelayOnce(ctx); err != nil {
					t.Logf("relay: %v", err)
					return false
				}
				return unsent(t, db) == 0
			}, 30*time.Second, 50*time.Millisecond, "the rows are relayed once the child's locks are gone")
			requireEachOnce(t, c, ids)
			require.Zero(t, unsent(t, db))
		})
	}
}

// childRelay is the body of the process the test above kills.
func childRelay() int {
	ctx := context.Background()
	db, err := sqldb.Open(ctx, os.Getenv("OUTBOX_DB"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	opt, err := queue.RedisOpt(os.Getenv("OUTBOX_REDIS"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	r := relay.New(db, asynq.NewClient(opt), relay.Config{AfterEnqueue: func(id string) {
		fmt.Printf("ENQUEUED %s\n", id)
		select {} // wait to be killed before marking anything sent
	}})
	_, err = r.RelayOnce(ctx)
	fmt.Fprintln(os.Stderr, "child relay returned", err)
	return 1
}

// TestRelayWakesOnCommitFromAnotherProcess: on PostgreSQL a commit from any
// connection wakes a listening relay at once, long before its sweep.
func TestRelayWakesOnCommitFromAnotherProcess(t *testing.T) {
	t.Parallel()
	db, url := testenv.NewDB(t, sqldb.Postgres)
	redisURL := testenv.Redis(t)
	c := startWorker(t, db, redisURL)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := relay.New(db, client(t, redisURL), relay.Config{Interval: time.Hour})
	go r.Run(ctx)
	go r.Listen(ctx, url, slog.Default())

	other, err := sqldb.Open(ctx, url) // a writer that cannot call Notify
	require.NoError(t, err)
	defer other.Close()
	time.Sleep(200 * time.Millisecond) // let the relay's first pass and LISTEN settle
	ids := addRows(t, ctx, other, 3)
	requireEachOnce(t, c, ids)
}

// enqueuer runs a hook before handing each task to Redis.
type enqueuer struct {
	relay.Enqueuer
	before func()
}

func (e enqueuer) EnqueueContext(ctx context.Context, task *asynq.Task, opts ...asynq.Option) (*asynq.TaskInfo, error) {
	e.before()
	return e.Enqueuer.EnqueueContext(ctx, task, opts...)
}

// TestRelayHoldsNoTransactionWhileEnqueueing: while the relay talks to
// Redis, other writers can change the very rows it is sending, so a slow
// Redis never holds up the business transactions that write the outbox.
func TestRelayHoldsNoTransactionWhileEnqueueing(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		redisURL := testenv.Redis(t)
		ids := addRows(t, ctx, db, 3)
		c := startWorker(t, db, redisURL)
		var writes []error
		e := enqueuer{Enqueuer: client(t, redisURL), before: func() {
			// A hang guard, not a measure: a writer blocked by the relay
			// would wait here until the deadline.
			wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			writes = append(writes, db.Tx(wctx, func(tx *sql.Tx) error {
				if _, err := tx.ExecContext(wctx, `UPDATE outbox SET last_error = 'touched' WHERE id = $1`, ids[0]); err != nil {
					return err
				}
				_, err := outbox.Add(wctx, tx, time.Now(), outbox.Message{Type: taskType, Queue: "system", Payload: []byte(`{}`)})
				return err
			}))
		}}
		n, err := relay.New(db, e, relay.Config{}).RelayOnce(ctx)
		require.NoError(t, err)
		require.Equal(t, 3, n)
		require.Len(t, writes, 3)
		for _, err := range writes {
			require.NoError(t, err, "a writer waited on the relay")
		}
		requireEachOnce(t, c, ids)
	})
}
