package ctl_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

func TestAuditVerifyAndCheckpoint(t *testing.T) {
	t.Parallel()
	for _, d := range testenv.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db, url := testenv.NewDB(t, d)
			skey, vkey, err := audit.GenerateKey("backdesk.test/audit")
			require.NoError(t, err)
			signer, err := audit.ParseSigner(skey)
			require.NoError(t, err)
			store := auditstore.New(db)
			appendAndIntegrate := func(from, n int) {
				evs := make([]audit.Event, n)
				for i := range evs {
					evs[i] = audit.Event{ID: fmt.Sprintf("evt-%03d", from+i), Time: time.Now(), Actor: audit.Actor{Subject: "agent-1"},
						Action: audit.ActionRead, PatientIDs: []string{"pat-1"}, Outcome: audit.OutcomeAllow}
				}
				require.NoError(t, db.Tx(ctx, func(tx *sql.Tx) error { return store.Append(ctx, tx, evs) }))
				_, err := store.Integrate(ctx, signer)
				require.NoError(t, err)
			}
			env := map[string]string{"BACKDESK_DATABASE_URL": url, "BACKDESK_AUDIT_VERIFY_KEY": vkey}

			code, _, errOut := run(env, "audit", "checkpoint")
			require.Equal(t, 1, code)
			require.Contains(t, errOut, "no checkpoint yet")

			appendAndIntegrate(1, 20)
			code, out, errOut := run(env, "audit", "checkpoint")
			require.Equal(t, 0, code, errOut)
			require.True(t, strings.HasPrefix(out, "backdesk.test/audit\n20\n"), out)
			saved := filepath.Join(t.TempDir(), "checkpoint.txt")
			require.NoError(t, os.WriteFile(saved, []byte(out), 0o600))

			appendAndIntegrate(21, 10)
			code, out, errOut = run(env, "audit", "verify", "--checkpoint", saved)
			require.Equal(t, 0, code, errOut)
			require.Equal(t, "audit log verified: 30 events in the log under 2 signed checkpoints (latest size 30), 0 not yet integrated; consistent with the saved checkpoint at size 20\n", out)

			// The signing key alone is enough: the public key is derived from it.
			code, _, errOut = run(map[string]string{"BACKDESK_DATABASE_URL": url, "BACKDESK_AUDIT_SIGNING_KEY": skey}, "audit", "verify")
			require.Equal(t, 0, code, errOut)

			superuserEdit(t, db, `UPDATE audit_events SET body = replace(body, '"allow"', '"deny"') WHERE id = 'evt-007'`)
			code, _, errOut = run(env, "audit", "verify", "--checkpoint", saved)
			require.Equal(t, 1, code)
			require.Contains(t, errOut, "FAILED: altered event evt-007 at leaf 6")
		})
	}
}

func TestAuditUsageAndConfiguration(t *testing.T) {
	t.Parallel()
	code, _, errOut := run(nil, "audit")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "audit verify")
	code, _, errOut = run(nil, "audit", "frobnicate")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, `unknown command "frobnicate"`)
	code, _, errOut = run(map[string]string{"BACKDESK_DATABASE_URL": "sqlite://x.db"}, "audit", "verify")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "BACKDESK_AUDIT_VERIFY_KEY")
	code, _, errOut = run(map[string]string{"BACKDESK_DATABASE_URL": "sqlite://x.db", "BACKDESK_AUDIT_VERIFY_KEY": "nonsense"}, "audit", "verify")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "BACKDESK_AUDIT_VERIFY_KEY")
}

// superuserEdit changes audit rows past the append-only triggers, as an
// attacker holding the database's superuser would.
func superuserEdit(t *testing.T, db *sqldb.DB, stmt string) {
	t.Helper()
	ctx := context.Background()
	conn, err := testenv.OwnerDB(t, db).Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	pre := []string{`DROP TRIGGER audit_events_no_update`}
	if db.Dialect == sqldb.Postgres {
		pre = []string{`SET session_replication_role = replica`}
	}
	for _, s := range append(pre, stmt) {
		_, err := conn.ExecContext(ctx, s)
		require.NoError(t, err, s)
	}
	if db.Dialect == sqldb.Postgres {
		_, err = conn.ExecContext(ctx, `RESET session_replication_role`)
		require.NoError(t, err)
	}
}
