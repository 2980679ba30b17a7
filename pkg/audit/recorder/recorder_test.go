package recorder_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/audit/recorder"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// counting wraps the store to count commits.
type counting struct {
	recorder.Appender
	commits atomic.Int32
	fail    atomic.Bool
}

func (c *counting) Append(ctx context.Context, q sqldb.Querier, events []audit.Event) error {
	c.commits.Add(1)
	if c.fail.Load() {
		return errors.New("disk full")
	}
	return c.Appender.Append(ctx, q, events)
}

func event(i int) audit.Event {
	return audit.Event{
		Actor: audit.Actor{Issuer: "https://idp", Subject: "alice", Role: "agent"}, Action: audit.ActionRead,
		PracticeID: "p1", PatientIDs: []string{"pat-1"}, Fields: []string{"name"}, Outcome: audit.OutcomeAllow,
		RequestID: "req", Purpose: "payment",
	}
}

func start(t *testing.T, db *sqldb.DB, store recorder.Appender) *recorder.Recorder {
	t.Helper()
	rec := recorder.New(db, store, recorder.Config{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { rec.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return rec
}

func count(t *testing.T, db *sqldb.DB) int {
	t.Helper()
	var n int
	require.NoError(t, db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM audit_events`).Scan(&n))
	return n
}

// gated holds the first commit until released, so the events recorded
// meanwhile are known to be waiting when the next commit starts.
type gated struct {
	counting
	entered chan struct{}
	release chan struct{}
	once    sync.Once
}

func (g *gated) Append(ctx context.Context, q sqldb.Querier, events []audit.Event) error {
	g.once.Do(func() {
		close(g.entered)
		<-g.release
	})
	return g.counting.Append(ctx, q, events)
}

func TestConcurrentRecordsShareCommitsAndAreDurableOnReturn(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		store := &gated{counting: counting{Appender: auditstore.New(db)}, entered: make(chan struct{}), release: make(chan struct{})}
		rec := start(t, db, store)
		const callers = 64
		var wg sync.WaitGroup
		record := func(i int) {
			defer wg.Done()
			require.NoError(t, rec.Record(context.Background(), event(i)))
		}
		// One caller's commit is under way; the others arrive while it
		// runs and must all go out in the next commit, not one each.
		wg.Add(1)
		go record(0)
		<-store.entered
		for i := 1; i < callers; i++ {
			wg.Add(1)
			go record(i)
		}
		require.Eventually(t, func() bool { return rec.Pending() == callers-1 }, 2*time.Minute, time.Millisecond)
		close(store.release)
		wg.Wait()
		require.Equal(t, callers, count(t, db), "every event is committed before Record returns")
		require.EqualValues(t, 2, store.commits.Load(), "the callers who waited share one commit")

		require.NoError(t, rec.Record(context.Background(), event(0)))
		require.Equal(t, callers+1, count(t, db))
	})
}

func TestFailsClosed(t *testing.T) {
	t.Parallel()
	db, _ := testenv.NewDB(t, sqldb.SQLite)
	store := &counting{Appender: auditstore.New(db)}
	rec := start(t, db, store)
	store.fail.Store(true)
	err := rec.Record(context.Background(), event(1))
	require.ErrorIs(t, err, recorder.ErrUnavailable)
	require.Equal(t, apperr.KindUnavailable, apperr.KindOf(err))
	require.Zero(t, count(t, db))

	store.fail.Store(false)
	require.NoError(t, db.Close())
	err = rec.Record(context.Background(), event(2))
	require.ErrorIs(t, err, recorder.ErrUnavailable, "a closed database fails closed too")

	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	<-ctx.Done()
	require.ErrorIs(t, rec.Record(ctx, event(3)), recorder.ErrUnavailable)
}

func TestInvalidEventIsAProgrammingError(t *testing.T) {
	t.Parallel()
	db, _ := testenv.NewDB(t, sqldb.SQLite)
	rec := start(t, db, auditstore.New(db))
	err := rec.Record(context.Background(), audit.Event{})
	require.ErrorIs(t, err, audit.ErrInvalid)
	require.NotErrorIs(t, err, recorder.ErrUnavailable)
}

func TestRecordAfterStopFailsClosed(t *testing.T) {
	t.Parallel()
	db, _ := testenv.NewDB(t, sqldb.SQLite)
	rec := recorder.New(db, auditstore.New(db), recorder.Config{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { rec.Run(ctx); close(done) }()
	require.NoError(t, rec.Record(context.Background(), event(1)))
	cancel()
	<-done
	require.ErrorIs(t, rec.Record(context.Background(), event(2)), recorder.ErrUnavailable, "no committer: refuse, never hang")
}
