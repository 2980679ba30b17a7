package devstack_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/clearinghouse"
	"github.com/backdesk/backdesk/pkg/clearinghouse/demohouse"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// demoCheck is one of the demo practice's eligibility checks as stored.
type demoCheck struct {
	state, stage, reason string
}

func demoChecks(t *testing.T, db *sqldb.DB) []demoCheck {
	t.Helper()
	ctx := context.Background()
	var out []demoCheck
	// A read, not a transaction: on SQLite a transaction takes the write
	// lock, and would wait behind the stack's own writes.
	require.NoError(t, db.Scoped(sqldb.AllPractices(ctx), func(q sqldb.Querier) error {
		rows, err := q.QueryContext(ctx, `SELECT w.state, w.stage, w.stage_reason FROM work_items w
JOIN practices p ON p.id = w.practice_id WHERE p.npi = $1 AND w.kind = 'eligibility_check'`, "1962500017")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c demoCheck
			if err := rows.Scan(&c.state, &c.stage, &c.reason); err != nil {
				return err
			}
			out = append(out, c)
		}
		return rows.Err()
	}))
	return out
}

// The dev binary's demo clearinghouse runs the whole loop: the demo
// practice's eligibility checks wait for it, the exchange puts their 270
// in its outbound folder over SFTP, its answering loop acknowledges and
// answers, the poller collects the answers, and each check ends resolved
// or with an agent with the clearinghouse's reason. Nothing of the
// patients reaches the log.
func TestDemoClearinghouseAnswersTheDemoChecks(t *testing.T) {
	t.Parallel()
	for _, d := range testenv.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			b := setup(t, appDatabase(t, d))
			ctx := context.Background()
			db, svc, root := b.stack.DB, b.stack.Clearinghouse, b.stack.DemoClearinghouse
			require.NotEmpty(t, root)

			conns, err := svc.Store().Connections(ctx)
			require.NoError(t, err)
			require.Len(t, conns, 1)
			conn := conns[0]
			require.Equal(t, "Demo Clearinghouse", conn.Name)
			require.Equal(t, clearinghouse.ModeSFTP, conn.Mode)
			require.True(t, strings.HasPrefix(conn.Address, "127.0.0.1:"), conn.Address)
			require.True(t, strings.HasPrefix(conn.HostKey, "ssh-ed25519 "), "the server's host key is pinned")
			secret := strings.TrimPrefix(conn.SecretRef, "file:")
			info, err := os.Stat(secret)
			require.NoError(t, err, "the password is handed over in a file")
			require.Equal(t, os.FileMode(0o600), info.Mode().Perm())
			var payers []clearinghouse.Payer
			require.NoError(t, db.Scoped(sqldb.AllPractices(ctx), func(q sqldb.Querier) error {
				payers, err = svc.Store().Payers(ctx, q, conn.ID)
				return err
			}))
			require.Len(t, payers, 6, "every payer of the demo data")
			claimStatus := 0
			for _, p := range payers {
				require.True(t, p.Eligibility, p.Name)
				if p.ClaimStatus {
					claimStatus++
				}
			}
			require.Equal(t, 1, claimStatus, "one payer answers claim status questions: the demo shows claims asked and claims worked")

			checks := demoChecks(t, db)
			require.NotEmpty(t, checks)

			// The dev binary's first exchange may have sent the batch
			// already; the router's next one sends whatever is left.
			_, err = svc.ExchangeAll(ctx)
			require.NoError(t, err)
			// The router polls every minute; this poller polls often.
			pctx, stop := context.WithCancel(ctx)
			polled := make(chan struct{})
			go func() { defer close(polled); svc.RunPollers(pctx, 50*time.Millisecond) }()
			t.Cleanup(func() { stop(); <-polled })

			settled := func() bool {
				for _, c := range demoChecks(t, db) {
					if c.stage == clearinghouse.StageToAsk || c.stage == clearinghouse.StageAsked {
						return false
					}
				}
				return true
			}
			require.Eventually(t, settled, time.Minute, 100*time.Millisecond, "every check is answered")
			resolved, withAgents := 0, 0
			for _, c := range demoChecks(t, db) {
				switch c.state {
				case "resolved":
					resolved++
				default:
					require.Equal(t, clearinghouse.StageNeedsAgent, c.stage)
					require.Contains(t, c.reason, "The clearinghouse answered:")
					withAgents++
				}
			}
			require.Equal(t, len(checks), resolved+withAgents)
			require.GreaterOrEqual(t, resolved, 2, "most coverage is clear")
			require.GreaterOrEqual(t, withAgents, 1, "and some needs a person")

			handled, err := os.ReadDir(filepath.Join(root, demohouse.Handled))
			require.NoError(t, err)
			require.NotEmpty(t, handled, "the 270 was answered")
			var batches []clearinghouse.File
			require.Eventually(t, func() bool {
				files, err := svc.Store().Files(sqldb.AllPractices(ctx), conn.ID, 50)
				require.NoError(t, err)
				batches = batches[:0]
				for _, f := range files {
					if f.Direction == clearinghouse.Out {
						batches = append(batches, f)
					}
				}
				for _, f := range batches {
					if f.State != clearinghouse.Accepted {
						return false
					}
				}
				return len(batches) > 0
			}, time.Minute, 100*time.Millisecond, "the 999 accepted every batch")

			// A billing manager finds a batch by its control number, as the
			// clearinghouse's desk would quote it, without leading zeros.
			maria := bearer(b.token(t, "maria"))
			var listed []struct {
				ID    string `json:"id"`
				State string `json:"state"`
			}
			res := b.api.Do("GET", "/api/v1/clearinghouses/"+conn.ID+"/files", "", maria...)
			require.Equal(t, 200, res.Code, string(res.Body))
			res.JSON(t, &listed)
			require.True(t, slices.ContainsFunc(listed, func(f struct {
				ID    string `json:"id"`
				State string `json:"state"`
			}) bool {
				return f.ID == batches[0].ID && f.State == string(clearinghouse.Accepted)
			}), "the manager sees every practice's batches: %s", res.Body)
			control := strings.TrimLeft(batches[0].InterchangeControl, "0")
			res = b.api.Do("GET", "/api/v1/clearinghouses/"+conn.ID+"/files?control="+control, "", maria...)
			require.Equal(t, 200, res.Code, string(res.Body))
			var found []struct {
				ID string `json:"id"`
			}
			res.JSON(t, &found)
			require.Len(t, found, 1)
			require.Equal(t, batches[0].ID, found[0].ID)
			res = b.api.Do("GET", "/api/v1/clearinghouses/"+conn.ID+"/files?control=12a", "", maria...)
			require.Equal(t, 400, res.Code)
			require.Contains(t, string(res.Body), `"field":"control"`)

			logs := b.logs.String()
			require.Contains(t, logs, "demo clearinghouse answered a batch")
			for _, phi := range []string{"SUB0", "SUB1", "SUB2", "SUB3", "SUB4", "SUB5", "SUB6", "SUB7", "SUB8", "SUB9", "Okafor", "Navarro", "Brandt"} {
				require.NotContains(t, logs, phi, "no patient data in the log")
			}
		})
	}
}

// Started again on the same database, the dev binary serves the demo
// clearinghouse on a new port with a new host key and password, and the
// connection follows: the exchange reaches it, and the practice stays
// linked.
func TestDemoClearinghouseMovesWithEachStart(t *testing.T) {
	t.Parallel()
	_, dbURL := testenv.NewEmptyDB(t, sqldb.SQLite)
	ctx := context.Background()
	connection := func(b bundle) clearinghouse.Connection {
		conns, err := b.stack.Clearinghouse.Store().Connections(ctx)
		require.NoError(t, err)
		require.Len(t, conns, 1)
		return conns[0]
	}
	first := setup(t, dbURL)
	before := connection(first)
	require.NoError(t, first.stop())

	second := setup(t, dbURL)
	after := connection(second)
	require.NotEqual(t, before.HostKey, after.HostKey, "a host key made at start")
	require.Equal(t, before.SecretRef, after.SecretRef)
	require.Equal(t, first.stack.DemoClearinghouse, second.stack.DemoClearinghouse, "the folder beside the database")
	box, err := clearinghouse.DialSFTP(ctx, after)
	require.NoError(t, err, "the new server is reached with the new settings")
	require.NoError(t, box.Close())
	_, err = clearinghouse.DialSFTP(ctx, before)
	require.Error(t, err, "the old settings reach nothing")
	var practiceID string
	require.NoError(t, second.stack.DB.QueryRowContext(ctx, `SELECT id FROM practices WHERE npi = $1`, "1962500017").Scan(&practiceID))
	require.NoError(t, second.stack.DB.Scoped(sqldb.WithPractice(ctx, practiceID), func(q sqldb.Querier) error {
		linked, ok, err := second.stack.Clearinghouse.Store().Linked(ctx, q, practiceID)
		require.True(t, ok)
		require.Equal(t, "Demo Clearinghouse", linked.Name)
		return err
	}))
}
