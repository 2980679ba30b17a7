package auditstore_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// ids runs q and returns the ids of the events found, in order.
func ids(t *testing.T, s *auditstore.Store, q auditstore.Query) []string {
	t.Helper()
	cur, err := s.Search(context.Background(), q)
	require.NoError(t, err)
	defer cur.Close()
	var out []string
	for {
		r, ok, err := cur.Next()
		require.NoError(t, err)
		if !ok {
			return out
		}
		out = append(out, r.Event.ID)
	}
}

func TestSearchFindsChangeEvents(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		b := setup(t, db)
		change := func(id string, action audit.Action, practice, typ, target, user string) audit.Event {
			e := audit.Change(audit.Event{Actor: audit.Actor{Issuer: "https://idp.test", Subject: "maria"}}, epoch, action, practice, typ, target)
			e.ID, e.UserID = id, user
			return e
		}
		decoy := b.events(1)[0] // a read whose user agent imitates a change's fields
		decoy.ID = "decoy"
		decoy.Actor.UserAgent = `x","target_type":"team","target_id":"t-1","user_id":"u-1`
		evs := []audit.Event{
			change("add", audit.ActionTeamMemberAdd, "", audit.TargetTeam, "t-1", "u-1"),
			change("create", audit.ActionTeamCreate, "", audit.TargetTeam, "t-2", ""),
			change("remove", audit.ActionTeamMemberRemove, "", audit.TargetTeam, "t-1", "u-2"),
			change("import", audit.ActionImportFinish, "prac-1", audit.TargetImport, "imp_1", "u-1"),
			change("other-import", audit.ActionImportFinish, "prac-2", audit.TargetImport, "imp-2", "u-1"),
			decoy,
		}
		require.NoError(t, db.Tx(context.Background(), func(tx *sql.Tx) error { return b.store.Append(context.Background(), tx, evs) }))

		membership := []string{string(audit.ActionTeamMemberAdd), string(audit.ActionTeamMemberRemove)}
		require.Equal(t, []string{"remove", "add"}, ids(t, b.store, auditstore.Query{Actions: membership}))
		require.Equal(t, []string{"remove", "create", "add"}, ids(t, b.store, auditstore.Query{TargetType: audit.TargetTeam}))
		require.Equal(t, []string{"remove", "add"}, ids(t, b.store, auditstore.Query{TargetType: audit.TargetTeam, TargetID: "t-1"}))
		require.Equal(t, []string{"other-import", "import", "add"}, ids(t, b.store, auditstore.Query{UserID: "u-1"}))
		require.Equal(t, []string{"import"}, ids(t, b.store, auditstore.Query{Action: string(audit.ActionImportFinish), PracticeID: "prac-1"}))
		// An underscore in the id is not a LIKE wildcard.
		require.Equal(t, []string{"import"}, ids(t, b.store, auditstore.Query{TargetID: "imp_1"}))
		require.Empty(t, ids(t, b.store, auditstore.Query{TargetID: "imp-1"}))
		// The limit counts matches, not rows the body filter dropped.
		require.Equal(t, []string{"remove"}, ids(t, b.store, auditstore.Query{TargetID: "t-1", Limit: 1}))

		// Change events verify like every other event.
		b.integrate(t)
		rep, err := b.store.Verify(context.Background(), b.verifier, nil)
		require.NoError(t, err)
		require.EqualValues(t, len(evs), rep.Leaves)
	})
}

func TestSearchByActors(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		b := setup(t, db)
		evs := b.events(3)
		evs[0].Actor.Subject = "alice"
		evs[1].Actor.Subject, evs[1].Actor.Issuer = "alice", "https://other.test"
		evs[2].Actor.Subject = "bob"
		require.NoError(t, db.Tx(context.Background(), func(tx *sql.Tx) error { return b.store.Append(context.Background(), tx, evs) }))

		alice := auditstore.Who{Issuer: "https://idp.test", Subject: "alice"}
		bob := auditstore.Who{Issuer: "https://idp.test", Subject: "bob"}
		require.Equal(t, []string{evs[2].ID, evs[0].ID}, ids(t, b.store, auditstore.Query{Actors: []auditstore.Who{alice, bob}}),
			"alice at another provider is someone else")
		require.Equal(t, []string{evs[0].ID}, ids(t, b.store, auditstore.Query{Actors: []auditstore.Who{alice}, Limit: 1}))
		require.Empty(t, ids(t, b.store, auditstore.Query{Actors: []auditstore.Who{}}), "nobody found matches nothing")
	})
}

func TestSearchByPatients(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		b := setup(t, db)
		evs := b.events(3)
		evs[0].PatientIDs = []string{"pat-a"}
		evs[1].PatientIDs = []string{"pat-0", "pat-b"} // b is not the lowest: found in the body
		evs[2].PatientIDs = []string{"pat-c"}
		evs[2].Actor.UserAgent = `"pat-a"` // a decoy in another field
		require.NoError(t, db.Tx(context.Background(), func(tx *sql.Tx) error { return b.store.Append(context.Background(), tx, evs) }))
		require.Equal(t, []string{evs[1].ID, evs[0].ID}, ids(t, b.store, auditstore.Query{PatientIDs: []string{"pat-a", "pat-b"}}))
		require.Empty(t, ids(t, b.store, auditstore.Query{PatientIDs: []string{}}), "no patient found matches nothing")
	})
}
