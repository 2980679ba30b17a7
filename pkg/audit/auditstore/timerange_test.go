package auditstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// TestSearchByTimeFindsEveryEventInTheRange searches a trail whose times
// disagree with its order in every way a real one can: a day of history
// loaded in order, then events recorded late (telling of the middle of
// that day), events from a clock an hour ahead and events on time. Every
// window, each way round and page by page, must find exactly the events
// whose time lies in it. On PostgreSQL the search bounds seq from the
// range and reads the late events apart (migration 0026); the late list
// must hold exactly the events recorded out of time.
func TestSearchByTimeFindsEveryEventInTheRange(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		b := setup(t, db)
		now := time.Now().UTC().Truncate(time.Millisecond)
		dayAgo := now.Add(-24 * time.Hour)
		var all []audit.Event // in the order stored, so in seq order

		history := b.events(240)
		for i := range history {
			history[i].Time = dayAgo.Add(time.Duration(i) * 6 * time.Minute)
		}
		appendAsHistory(t, db, b.store, history)
		all = append(all, history...)

		late := b.events(6)
		for i := range late {
			late[i].Time = dayAgo.Add(time.Duration(10+i) * time.Hour) // a day's middle, recorded now
		}
		ahead := b.events(3)
		for i := range ahead {
			ahead[i].Time = now.Add(time.Hour + time.Duration(i)*time.Minute) // a clock an hour fast
		}
		onTime := b.events(4)
		for i := range onTime {
			onTime[i].Time = now.Add(-time.Duration(i) * time.Second)
		}
		for _, group := range [][]audit.Event{onTime[:2], late[:3], ahead, late[3:], onTime[2:]} {
			require.NoError(t, db.Tx(ctx, func(tx *sql.Tx) error { return b.store.Append(ctx, tx, group) }))
			all = append(all, group...)
		}
		if db.Dialect == sqldb.Postgres {
			var listed []string
			rows, err := db.QueryContext(ctx, `SELECT e.id FROM audit_events_late l JOIN audit_events e ON e.seq = l.seq ORDER BY l.seq`)
			require.NoError(t, err)
			for rows.Next() {
				var id string
				require.NoError(t, rows.Scan(&id))
				listed = append(listed, id)
			}
			require.NoError(t, rows.Err())
			var want []string
			for _, e := range all {
				if slices.ContainsFunc(slices.Concat(late, ahead), func(x audit.Event) bool { return x.ID == e.ID }) {
					want = append(want, e.ID)
				}
			}
			require.Equal(t, want, listed, "the late list holds the events recorded out of time, and only those")
		}

		windows := []struct{ from, to time.Time }{
			{dayAgo.Add(9 * time.Hour), dayAgo.Add(12 * time.Hour)},              // history and the late events
			{dayAgo.Add(10 * time.Hour), dayAgo.Add(10*time.Hour + time.Minute)}, // one late event, one of history
			{dayAgo.Add(2 * time.Hour), dayAgo.Add(3 * time.Hour)},               // history only
			{now.Add(-time.Minute), now.Add(2 * time.Hour)},                      // on time and ahead
			{dayAgo.Add(20 * time.Hour), time.Time{}},                            // to the end
			{time.Time{}, dayAgo.Add(11 * time.Hour)},                            // from the start
			{dayAgo.Add(-time.Hour), dayAgo},                                     // nothing
		}
		for _, w := range windows {
			var want []string
			for _, e := range all {
				if (w.from.IsZero() || !e.Time.Before(w.from)) && (w.to.IsZero() || e.Time.Before(w.to)) {
					want = append(want, e.ID)
				}
			}
			name := fmt.Sprintf("%s to %s", w.from.Format(time.TimeOnly), w.to.Format(time.TimeOnly))
			require.Equal(t, want, pages(t, b.store, auditstore.Query{From: w.from, To: w.to, OldestFirst: true}, 7), "oldest first, %s", name)
			slices.Reverse(want)
			require.Equal(t, want, pages(t, b.store, auditstore.Query{From: w.from, To: w.to}, 7), "newest first, %s", name)
			require.Equal(t, want, ids(t, b.store, auditstore.Query{From: w.from, To: w.to}), "in one go, %s", name)
		}
	})
}

// appendAsHistory stores events as a loader of a historical trail does:
// in order, with backdesk.audit_history on (PostgreSQL), so none is taken
// for late though all are older than the clock.
func appendAsHistory(t *testing.T, db *sqldb.DB, s *auditstore.Store, events []audit.Event) {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	if db.Dialect == sqldb.Postgres {
		_, err = conn.ExecContext(ctx, `SET backdesk.audit_history = on`)
		require.NoError(t, err)
		defer conn.ExecContext(ctx, `RESET backdesk.audit_history`) //nolint:errcheck // the connection is discarded on failure
	}
	tx, err := conn.BeginTx(ctx, nil)
	require.NoError(t, err)
	require.NoError(t, s.Append(ctx, tx, events))
	require.NoError(t, tx.Commit())
}

// pages runs q a page of size at a time, each page after the last seq of
// the one before, and returns the ids found in order.
func pages(t *testing.T, s *auditstore.Store, q auditstore.Query, size int) []string {
	t.Helper()
	q.Limit = size
	var out []string
	for {
		cur, err := s.Search(context.Background(), q)
		require.NoError(t, err)
		n := 0
		for {
			r, ok, err := cur.Next()
			require.NoError(t, err)
			if !ok {
				break
			}
			out, q.After, n = append(out, r.Event.ID), r.Seq, n+1
		}
		require.NoError(t, cur.Close())
		if n < size {
			return out
		}
	}
}
