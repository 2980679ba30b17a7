package router_test

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/routing/routingstore"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) {
	if os.Getenv("ROUTER_CHILD_DB") != "" {
		os.Exit(childRouter())
	}
	os.Exit(m.Run())
}

// A router process killed with SIGKILL after choosing an owner and before
// committing loses nothing: the database rolls its transaction back, the
// item is open and unowned, and the reconciler of the next router routes
// it, exactly once.
func TestRouterProcessKilledMidRouting(t *testing.T) {
	t.Parallel()
	for _, d := range testenv.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			db, dbURL := testenv.NewDB(t, d)
			routingWorld(t, db, 3, 10, 4)
			createItems(t, db, 4)

			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "ROUTER_CHILD_DB="+dbURL, "ROUTER_CHILD_ITEM=wi-00002")
			out, err := cmd.StdoutPipe()
			require.NoError(t, err)
			cmd.Stderr = os.Stderr
			require.NoError(t, cmd.Start())
			line, err := bufio.NewReader(out).ReadString('\n')
			require.NoError(t, err)
			require.True(t, strings.HasPrefix(line, "DECIDED wi-00002 "), line)
			require.NoError(t, cmd.Process.Kill())
			_ = cmd.Wait()

			ctx := context.Background()
			state := func(id string) (owner sql.NullString, st string, version int) {
				require.NoError(t, db.Tx(sqldb.AllPractices(ctx), func(tx *sql.Tx) error {
					return tx.QueryRowContext(ctx, `SELECT owner_id, state, version FROM work_items WHERE id = $1`, id).Scan(&owner, &st, &version)
				}))
				return owner, st, version
			}
			owner, st, version := state("wi-00002")
			require.False(t, owner.Valid, "the killed router's choice never committed")
			require.Equal(t, "open", st)
			require.Equal(t, 1, version)

			// The next router's reconciler, once the grace has passed.
			later := routingstore.New(db, auditstore.New(db), routingstore.Config{Now: func() time.Time { return time.Now().Add(2 * routingstore.Grace) }})
			rep, err := later.Reconcile(ctx, 100)
			require.NoError(t, err)
			require.Equal(t, 4, rep.Routed, "the killed item and the three nobody had routed yet")
			for i := range 4 {
				owner, st, version := state(fmt.Sprintf("wi-%05d", i))
				require.True(t, owner.Valid)
				require.Equal(t, "assigned", st)
				require.Equal(t, 2, version, "assigned exactly once")
			}
		})
	}
}

// childRouter routes one item and, having chosen its owner, reports and
// holds the transaction open until it is killed.
func childRouter() int {
	ctx := context.Background()
	db, err := sqldb.Open(ctx, os.Getenv("ROUTER_CHILD_DB"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	store := routingstore.New(db, auditstore.New(db), routingstore.Config{BeforeCommit: func(_ context.Context, itemID, ownerID string) error {
		fmt.Printf("DECIDED %s %s\n", itemID, ownerID)
		select {} // killed here, between decision and commit
	}})
	_, err = store.Route(ctx, os.Getenv("ROUTER_CHILD_ITEM"))
	fmt.Fprintln(os.Stderr, "child router returned", err)
	return 1
}
