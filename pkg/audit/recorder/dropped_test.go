package recorder

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// held blocks the first commit until released, so a test knows which
// events wait for the next one and can cancel some of them meanwhile.
type held struct {
	Appender         // only Append, so the recorder commits through it
	entered, release chan struct{}
	once             sync.Once
}

func (h *held) Append(ctx context.Context, q sqldb.Querier, events []audit.Event) error {
	h.once.Do(func() {
		close(h.entered)
		<-h.release
	})
	return h.Appender.Append(ctx, q, events)
}

// enqueue hands the committer an event the way Record does, but keeps the
// answer channel, so the test reads the answer itself rather than
// racing Record's own wait on the caller's context.
func enqueue(t *testing.T, r *Recorder, ctx context.Context, id string) *pending {
	t.Helper()
	e := audit.Event{
		ID: id, Time: r.cfg.Now().UTC().Truncate(time.Microsecond),
		Actor:  audit.Actor{Issuer: "https://idp", Subject: "alice", Role: "agent"},
		Action: audit.ActionRead, PracticeID: "p1", PatientIDs: []string{"pat-1"},
		Fields: []string{"name"}, Outcome: audit.OutcomeAllow, RequestID: "req", Purpose: "payment",
	}
	p := &pending{ev: e, ctx: ctx, done: make(chan error, 1)}
	r.queue <- p
	return p
}

// An event dropped because its caller gave up is never answered as
// committed: only the events that were written get nil.
func TestDroppedEventIsNotAnsweredCommitted(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		store := &held{Appender: auditstore.New(db), entered: make(chan struct{}), release: make(chan struct{})}
		r := New(db, store, Config{})
		runCtx, stop := context.WithCancel(context.Background())
		stopped := make(chan struct{})
		go func() { r.Run(runCtx); close(stopped) }()
		t.Cleanup(func() { stop(); <-stopped })

		first := enqueue(t, r, context.Background(), "evt-first")
		<-store.entered // the committer is inside the first commit

		// Both wait for the next commit; one caller gives up before it.
		gaveUp, cancel := context.WithCancel(context.Background())
		dropped := enqueue(t, r, gaveUp, "evt-dropped")
		kept := enqueue(t, r, context.Background(), "evt-kept")
		cancel()
		close(store.release)

		require.NoError(t, <-first.done)
		require.NoError(t, <-kept.done)
		require.ErrorIs(t, <-dropped.done, ErrUnavailable, "a dropped event must not be answered as committed")
		require.Equal(t, []string{"evt-first", "evt-kept"}, storedIDs(t, db))

		// A batch of nothing but dropped events answers every one unavailable.
		gone, cancelGone := context.WithCancel(context.Background())
		cancelGone()
		only := &pending{ev: dropped.ev, ctx: gone, done: make(chan error, 1)}
		r.commit([]*pending{only})
		require.ErrorIs(t, <-only.done, ErrUnavailable)
		require.Equal(t, []string{"evt-first", "evt-kept"}, storedIDs(t, db))
	})
}

func storedIDs(t *testing.T, db *sqldb.DB) []string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), `SELECT id FROM audit_events ORDER BY seq`)
	require.NoError(t, err)
	defer func() { require.NoError(t, rows.Close()) }()
	var ids []string
	for rows.Next() {
		var id string
		require.NoError(t, rows.Scan(&id))
		ids = append(ids, id)
	}
	require.NoError(t, rows.Err())
	return ids
}
