package testenv

import (
	"context"
	"testing"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/stretchr/testify/require"
)

// AuditEvents returns the stored audit events that q matches, oldest
// first, with their canonical bodies, for tests that check what a change
// recorded.
func AuditEvents(t testing.TB, db *sqldb.DB, q auditstore.Query) []auditstore.Stored {
	t.Helper()
	q.OldestFirst = true
	cur, err := auditstore.New(db).Search(context.Background(), q)
	require.NoError(t, err)
	defer cur.Close()
	var out []auditstore.Stored
	for {
		r, ok, err := cur.Next()
		require.NoError(t, err)
		if !ok {
			return out
		}
		out = append(out, r)
	}
}

// AuditActions returns the actions of the stored events q matches, oldest
// first.
func AuditActions(t testing.TB, db *sqldb.DB, q auditstore.Query) []audit.Action {
	t.Helper()
	var out []audit.Action
	for _, r := range AuditEvents(t, db, q) {
		out = append(out, r.Event.Action)
	}
	return out
}
