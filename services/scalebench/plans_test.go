package scalebench_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// How a lookup is explained.
type explainMode struct {
	generic bool // the plan PostgreSQL caches once a prepared statement has run often enough; else the first runs' custom plan
	// matches explains counting the rows the lookup matches, its LIMIT
	// dropped, with sequential scans priced out: what is left to read
	// whole is what no index serves, at any size of data.
	matches bool
}

func (m explainMode) String() string {
	s := "custom"
	if m.generic {
		s = "generic"
	}
	if m.matches {
		s += ", matches"
	}
	return s
}

// finalLimit is a LIMIT on the statement's last parameter.
var finalLimit = regexp.MustCompile(`(?s)\s+LIMIT \$(\d+)\s*$`)

// explain plans l as the application role, under l's practice scope, as
// the services run it.
func (b *bench) explain(ctx context.Context, l lookup, m explainMode) (planNode, error) {
	text, args := l.statement(b.sample)
	if m.matches {
		if !strings.HasPrefix(text, "SELECT") {
			return planNode{}, fmt.Errorf("%s: only a SELECT can be counted", l.name)
		}
		if loc := finalLimit.FindStringSubmatchIndex(text); loc != nil {
			if n, _ := strconv.Atoi(text[loc[2]:loc[3]]); n == len(args) {
				text, args = text[:loc[0]], args[:n-1]
			}
		}
		text = `SELECT count(*) FROM (` + text + `) matched`
	}
	var out []byte
	err := b.app.Tx(ctx, func(tx *sql.Tx) error {
		if m.matches {
			if _, err := tx.ExecContext(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
				return err
			}
		}
		if l.scope != nil {
			if _, err := tx.ExecContext(ctx, `SELECT set_config('backdesk.practice_id', $1, true)`, l.scope(b.sample)); err != nil {
				return err
			}
		}
		if !m.generic {
			return tx.QueryRowContext(ctx, `EXPLAIN (FORMAT JSON) `+text, args...).Scan(&out)
		}
		if _, err := tx.ExecContext(ctx, `SET LOCAL plan_cache_mode = force_generic_plan`); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `PREPARE scalebench_lookup AS `+text); err != nil {
			return err
		}
		execute := `EXPLAIN (FORMAT JSON) EXECUTE scalebench_lookup`
		if len(args) > 0 {
			lits := make([]string, len(args))
			for i, a := range args {
				lits[i] = literal(a)
			}
			execute += `(` + strings.Join(lits, ", ") + `)`
		}
		err := tx.QueryRowContext(ctx, execute).Scan(&out)
		_, _ = tx.ExecContext(ctx, `DEALLOCATE scalebench_lookup`)
		return err
	})
	if err != nil {
		return planNode{}, fmt.Errorf("%s: %w", l.name, err)
	}
	var plans []struct {
		Plan planNode `json:"Plan"`
	}
	if err := json.Unmarshal(out, &plans); err != nil || len(plans) != 1 {
		return planNode{}, fmt.Errorf("%s: plan does not parse: %v", l.name, err)
	}
	return plans[0].Plan, nil
}

// literal writes an argument as SQL, for EXECUTE.
func literal(a any) string {
	quote := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
	switch v := a.(type) {
	case nil:
		return "NULL"
	case string:
		return quote(v)
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case time.Time:
		return quote(v.UTC().Format(time.RFC3339Nano)) + "::timestamptz"
	case []string:
		q := make([]string, len(v))
		for i, s := range v {
			q[i] = quote(s)
		}
		return "ARRAY[" + strings.Join(q, ", ") + "]::text[]"
	case []time.Time:
		q := make([]string, len(v))
		for i, t := range v {
			q[i] = quote(t.UTC().Format(time.RFC3339Nano))
		}
		return "ARRAY[" + strings.Join(q, ", ") + "]::timestamptz[]"
	case []int64:
		q := make([]string, len(v))
		for i, n := range v {
			q[i] = strconv.FormatInt(n, 10)
		}
		return "ARRAY[" + strings.Join(q, ", ") + "]::bigint[]"
	}
	panic(fmt.Sprintf("no literal for %T", a))
}

// checkPlans explains every lookup in the catalog, as sent (logged, with
// the indexes a plan walks in order until its LIMIT), and counting what it
// matches, custom and generic plan: that count must be served by an
// index, whatever the size of the data. Then it runs each operation once
// through its route and reads PostgreSQL's own counts of sequential scans
// per table, which catches a statement the catalog does not list.
func (b *bench) checkPlans(t *testing.T) {
	ctx := context.Background()
	indexes := b.indexes(t)
	for _, l := range lookups {
		text, _ := l.statement(b.sample)
		for _, m := range []explainMode{{}, {generic: true}, {matches: true}, {generic: true, matches: true}} {
			if m.matches && !strings.HasPrefix(text, "SELECT") {
				continue // an UPDATE is judged as sent
			}
			plan, err := b.explain(ctx, l, m)
			require.NoError(t, err)
			if !m.matches {
				t.Logf("%s (%s): %s", l.name, m, plan)
				if w := plan.walked(indexes); len(w) > 0 {
					t.Logf("%s (%s): walks %s in order until its limit", l.name, m, strings.Join(w, ", "))
				}
			}
			if !m.matches && strings.HasPrefix(text, "SELECT") {
				continue
			}
			if scans := plan.unindexed(indexes); len(scans) > 0 && l.scans == "" {
				t.Errorf("%s (%s plan) reads a big table whole: %s", l.name, m, strings.Join(scans, ", "))
			}
		}
	}
	b.checkOperationScans(t)
}

// indexes describes every index of the schema.
func (b *bench) indexes(t *testing.T) map[string]index {
	rows, err := b.owner.QueryContext(context.Background(), `SELECT c.relname, t.relname, COALESCE(a.attname, ''), i.indpred IS NOT NULL
FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
WHERE n.nspname = 'public'`)
	require.NoError(t, err)
	defer rows.Close()
	out := map[string]index{}
	for rows.Next() {
		var name string
		var ix index
		require.NoError(t, rows.Scan(&name, &ix.table, &ix.first, &ix.partial))
		out[name] = ix
	}
	require.NoError(t, rows.Err())
	return out
}
