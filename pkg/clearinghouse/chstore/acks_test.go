package chstore_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/clearinghouse"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// A 999 that accepts a batch marks it accepted; one that rejects it marks
// it rejected with the reasons in words and brings its unanswered checks
// to agents, since no answer will come for them.
func TestAcknowledgmentsMarkTheBatchesTheyAnswer(t *testing.T) {
	for _, c := range []struct {
		file  string
		state clearinghouse.FileState
		check string
	}{
		{"999-accepted.edi", clearinghouse.Accepted, "waiting"},
		{"999-rejected.edi", clearinghouse.Rejected, "open"},
	} {
		t.Run(c.file, func(t *testing.T) {
			testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
				x := setupExchange(t, db)
				ctx := context.Background()
				rep, err := x.ch.AskEligibility(ctx, "ch-1")
				require.NoError(t, err)
				require.Len(t, rep.Batches, 1)
				body, err := os.ReadFile("testdata/" + c.file)
				require.NoError(t, err)
				got, err := x.ch.Receive(ctx, "ch-1", c.file, body)
				require.NoError(t, err)
				require.Equal(t, 1, got.Acks)
				files, err := x.store.Files(sqldb.AllPractices(ctx), "ch-1", 10)
				require.NoError(t, err)
				var batch clearinghouse.File
				for _, f := range files {
					if f.ID == rep.Batches[0].ID {
						batch = f
					}
				}
				require.Equal(t, c.state, batch.State)

				// The sender marks the batch sent after its put; a fast
				// clearinghouse's acknowledgment may already be applied
				// then. What it said stays; the batch gains its sent time.
				later := x.now.Add(time.Minute)
				require.NoError(t, db.Scoped(sqldb.AllPractices(ctx), func(q sqldb.Querier) error {
					if err := x.store.SetFileState(sqldb.AllPractices(ctx), q, batch.ID, clearinghouse.Sent, "", later); err != nil {
						return err
					}
					return x.store.SetFileState(sqldb.AllPractices(ctx), q, batch.ID, clearinghouse.Overdue, "late", later)
				}))
				files, err = x.store.Files(sqldb.AllPractices(ctx), "ch-1", 10)
				require.NoError(t, err)
				for _, f := range files {
					if f.ID == batch.ID {
						require.Equal(t, c.state, f.State, "an acknowledged batch stays acknowledged")
						require.Equal(t, batch.Note, f.Note)
						require.NotNil(t, f.SentAt)
					}
				}
				checks := x.checks(t)
				for _, id := range []string{"E1", "E2"} {
					require.Equal(t, c.check, checks[id].state, id)
				}
				if c.state == clearinghouse.Rejected {
					require.Contains(t, batch.Note, "rejected")
					require.Contains(t, checks["E1"].reason, "Acme Clearinghouse rejected the batch this item's question went out in")
					require.Contains(t, checks["E1"].reason, "NM109")
					require.False(t, strings.Contains(checks["E1"].reason, "M1001"), "no member id in the reason")
				}
			})
		})
	}
}
