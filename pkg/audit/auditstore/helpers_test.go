package auditstore_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/note"
)

type testBundle struct {
	db       *sqldb.DB
	store    *auditstore.Store
	signer   note.Signer
	verifier note.Verifier
	next     int
}

func setup(t testing.TB, db *sqldb.DB) *testBundle {
	t.Helper()
	skey, vkey, err := audit.GenerateKey("backdesk.test/audit")
	require.NoError(t, err)
	signer, err := audit.ParseSigner(skey)
	require.NoError(t, err)
	verifier, err := audit.ParseVerifier(vkey)
	require.NoError(t, err)
	return &testBundle{db: db, store: auditstore.New(db), signer: signer, verifier: verifier}
}

var epoch = time.Date(2026, 11, 2, 14, 0, 0, 0, time.UTC)

func (b *testBundle) events(n int) []audit.Event {
	out := make([]audit.Event, n)
	for i := range out {
		b.next++
		k := b.next
		out[i] = audit.Event{
			ID:         fmt.Sprintf("evt-%06d", k),
			Time:       epoch.Add(time.Duration(k) * 1234567 * time.Nanosecond),
			Actor:      audit.Actor{Issuer: "https://idp.test", Subject: fmt.Sprintf("agent-%d", k%7), Role: "agent", SessionRef: "s1", IP: "10.0.0.1", UserAgent: "test"},
			Action:     audit.ActionRead,
			PracticeID: fmt.Sprintf("prac-%d", k%3),
			PatientIDs: []string{fmt.Sprintf("pat-%d", k%50), fmt.Sprintf("pat-%d", k%11)},
			Fields:     []string{"name", "balance"},
			Purpose:    "collections",
			Outcome:    audit.OutcomeAllow,
			RequestID:  fmt.Sprintf("req-%d", k),
		}
	}
	return out
}

// appendN appends n new events in one transaction.
func (b *testBundle) appendN(t testing.TB, n int) []audit.Event {
	t.Helper()
	evs := b.events(n)
	err := b.db.Tx(context.Background(), func(tx *sql.Tx) error {
		return b.store.Append(context.Background(), tx, evs)
	})
	require.NoError(t, err)
	return evs
}

func (b *testBundle) integrate(t testing.TB) audit.Checkpoint {
	t.Helper()
	cp, err := b.store.Integrate(context.Background(), b.signer)
	require.NoError(t, err)
	return cp
}

// tamper runs stmts as the database superuser with the append-only
// triggers out of the way, as an attacker with the database's keys would.
func tamper(t *testing.T, db *sqldb.DB, stmts ...string) {
	t.Helper()
	ctx := context.Background()
	conn, err := testenv.OwnerDB(t, db).Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	if db.Dialect == sqldb.Postgres {
		_, err := conn.ExecContext(ctx, `SET session_replication_role = replica`)
		require.NoError(t, err)
		defer func() { _, _ = conn.ExecContext(ctx, `RESET session_replication_role`) }()
	} else {
		_, err := conn.ExecContext(ctx, `PRAGMA foreign_keys = OFF`)
		require.NoError(t, err)
		defer func() { _, _ = conn.ExecContext(ctx, `PRAGMA foreign_keys = ON`) }()
		for _, tr := range []string{"audit_events_no_update", "audit_events_no_delete", "audit_leaves_no_update",
			"audit_leaves_no_delete", "audit_checkpoints_no_update", "audit_checkpoints_no_delete"} {
			_, err := conn.ExecContext(ctx, `DROP TRIGGER IF EXISTS `+tr)
			require.NoError(t, err)
		}
	}
	for _, s := range stmts {
		_, err := conn.ExecContext(ctx, s)
		require.NoError(t, err, s)
	}
}

// leafHash is RFC 6962's leaf hash written out, so the proof tests do not
// lean on the code they test.
func leafHash(body []byte) []byte {
	h := sha256.Sum256(append([]byte{0}, body...))
	return h[:]
}
