package scalebench_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// minScanned is how many rows a table must hold for a sequential scan of
// it to count against an operation: below, reading it whole is what the
// planner should do.
const minScanned = 10_000

// seqScanCounts reads PostgreSQL's count of sequential scans of each big
// table that holds at least minScanned rows.
func (b *bench) seqScanCounts(t *testing.T) map[string]int64 {
	rows, err := b.owner.QueryContext(context.Background(), `SELECT s.relname, s.seq_scan FROM pg_stat_user_tables s
JOIN pg_class c ON c.oid = s.relid WHERE c.reltuples >= `+strconv.Itoa(minScanned))
	require.NoError(t, err)
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var name string
		var n int64
		require.NoError(t, rows.Scan(&name, &n))
		if slices.Contains(bigTables, name) {
			out[name] = n
		}
	}
	require.NoError(t, rows.Err())
	return out
}

// flushCounts makes the application role's sessions report their counts:
// a session reports when it ends, so the idle ones are closed, and the
// counts are read once they are gone.
func (b *bench) flushCounts(t *testing.T) map[string]int64 {
	// The owner's sessions too: loading reads big tables, and a session
	// keeps its counts up to a second before it reports them, which on a
	// busy machine lands in the next step.
	for _, db := range []*sqldb.DB{b.proc.DB, b.app, b.owner} {
		db.SetMaxIdleConns(0)
		db.SetMaxIdleConns(32)
	}
	ctx := context.Background()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		var open []string
		rows, err := b.owner.QueryContext(ctx, `SELECT state || ': ' || query FROM pg_stat_activity
WHERE datname = current_database() AND usename = $1`, sqldb.AppRole)
		require.NoError(t, err)
		for rows.Next() {
			var s string
			require.NoError(t, rows.Scan(&s))
			open = append(open, s)
		}
		require.NoError(t, rows.Err())
		rows.Close()
		if len(open) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the application role's sessions do not end: %v", open)
		}
	}
	// A session reports its counts as it exits, a little after it leaves
	// pg_stat_activity, and later still on a busy machine (a second and
	// more, with the other suites running): read until the counts have
	// not moved for a whole second, so that a step's scans are not put
	// down to the step after it.
	var last map[string]int64
	steady := time.Now()
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		_, err := b.owner.ExecContext(ctx, `SELECT pg_stat_force_next_flush(), pg_stat_clear_snapshot()`)
		require.NoError(t, err)
		now := b.seqScanCounts(t)
		if !maps.Equal(now, last) {
			last, steady = now, time.Now()
		}
		if time.Since(steady) >= time.Second || time.Now().After(deadline) {
			return now
		}
	}
}

// checkOperationScans runs each operation once through its route and
// fails when one made PostgreSQL read a big table sequentially.
func (b *bench) checkOperationScans(t *testing.T) {
	r := &results{size: b.c.Size}
	one := sampling{agent: 1, board: 1, summary: 1, audit: 1, export: 1}
	ctx := context.Background()
	steps := []struct {
		name string
		run  func()
	}{
		{"the agent's queue, next, item view and outcome", func() { b.agentWork(t, r, one.agent) }},
		{"the board and a practice summary", func() { b.reports(t, r, one) }},
		{"compliance's searches and a month's export", func() { b.auditReads(t, r, one) }},
		{"the daily generation of one practice", func() {
			_, err := b.dom.Imports.Generate(ctx, b.c.PracticeID(0))
			require.NoError(t, err)
		}},
		{"a reconciler pass", func() {
			_, err := b.dom.Routing.Reconcile(ctx, 500)
			require.NoError(t, err)
		}},
	}
	before := b.flushCounts(t)
	for _, s := range steps {
		stop := b.proc.DB.Watch()
		s.run()
		sent := stop()
		after := b.flushCounts(t)
		var scanned []string
		for _, name := range bigTables {
			if n := after[name] - before[name]; n > 0 {
				scanned = append(scanned, fmt.Sprintf("%s ×%d", name, n))
				for _, text := range statementsOn(sent, name) {
					t.Logf("%s: a statement of the step that reads %s: %s", s.name, name, text)
				}
			}
		}
		t.Logf("%s: sequential scans of big tables: %v", s.name, scanned)
		assert.Empty(t, scanned, "%s read big tables sequentially", s.name)
		before = after
	}
}

// statementsOn lists, once each, the statements in sent that name table,
// to show which one a sequential scan may have come from.
func statementsOn(sent []string, table string) []string {
	var out []string
	for _, text := range sent {
		if strings.Contains(text, table) && !slices.Contains(out, text) {
			out = append(out, text)
		}
	}
	return out
}
