package auditstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// CommitEvents stores a group all or nothing, and what it stores is read
// back, integrated and verified like any appended event.
func TestCommitEventsIsAtomicAndVerifiable(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		store := auditstore.New(db)
		at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
		group := func(prefix string, n int) []audit.Event {
			out := make([]audit.Event, n)
			for i := range out {
				out[i] = audit.Event{
					ID: fmt.Sprintf("%s-%d", prefix, i), Time: at.Add(time.Duration(i) * time.Millisecond),
					Actor: audit.Actor{Subject: "alice"}, Action: audit.ActionRead, Outcome: audit.OutcomeAllow,
				}
				if i%2 == 0 { // half name a practice and patients, half leave them NULL
					out[i].PracticeID, out[i].PatientIDs = "prac-1", []string{"pat-b", "pat-a"}
				}
			}
			return out
		}
		require.NoError(t, store.CommitEvents(ctx, nil))
		first := group("ok", 5)
		require.NoError(t, store.CommitEvents(ctx, first))

		bad := group("bad", 3)
		bad[2].ID = first[0].ID // a duplicate id fails the whole group
		require.Error(t, store.CommitEvents(ctx, bad))
		_, err := store.Find(ctx, "bad-0")
		require.Error(t, err, "nothing of a failed group is kept")

		got, err := store.Find(ctx, "ok-0")
		require.NoError(t, err)
		require.Equal(t, []string{"pat-a", "pat-b"}, got.Event.PatientIDs)
		cur, err := store.Search(ctx, auditstore.Query{PatientID: "pat-a"})
		require.NoError(t, err)
		n := 0
		for {
			_, ok, err := cur.Next()
			require.NoError(t, err)
			if !ok {
				break
			}
			n++
		}
		require.NoError(t, cur.Close())
		require.Equal(t, 3, n, "the search column holds the lowest patient id")

		skey, vkey, err := audit.GenerateKey("backdesk.test/commit")
		require.NoError(t, err)
		signer, err := audit.ParseSigner(skey)
		require.NoError(t, err)
		verifier, err := audit.ParseVerifier(vkey)
		require.NoError(t, err)
		cp, err := store.Integrate(ctx, signer)
		require.NoError(t, err)
		require.Equal(t, uint64(5), cp.Size)
		rep, err := store.Verify(ctx, verifier, nil)
		require.NoError(t, err)
		require.Equal(t, uint64(5), rep.Leaves)
	})
}
