package checklist_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/practice/checklist"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

func TestChecklistFollowsOnboarding(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		now := time.Now().UTC()
		exec := func(q string, args ...any) {
			t.Helper()
			require.NoError(t, db.Tx(sqldb.WithPractice(ctx, "pr-c"), func(tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, q, args...)
				return err
			}))
		}
		exec(`INSERT INTO practices (id, name, npi, timezone, status, created_at, updated_at) VALUES ('pr-c', 'C', '1', 'UTC', 'draft', $1, $1)`, now)
		exec(`INSERT INTO users (id, issuer, subject, created_at, last_seen_at) VALUES ('u-pat', 'iss', 'pat', $1, $1)`, now)
		exec(`INSERT INTO practice_memberships (practice_id, user_id, role, created_at) VALUES ('pr-c', 'u-pat', 'practice_admin', $1)`, now)

		c, err := checklist.Read(ctx, db, "pr-c")
		require.NoError(t, err)
		require.Len(t, c.Steps, 6)
		require.Equal(t, 0, c.Done, "the first admin alone does not count as inviting others")
		require.Equal(t, "baa", c.Next)

		exec(`UPDATE practices SET baa_signed_on = '2026-01-02' WHERE id = 'pr-c'`)
		exec(`INSERT INTO invitations (id, practice_id, email, role, invited_by, created_at, expires_at) VALUES ('inv', 'pr-c', 'a@b.c', 'practice_admin', 'u-pat', $1, $1)`, now)
		c, err = checklist.Read(ctx, db, "pr-c")
		require.NoError(t, err)
		require.Equal(t, 2, c.Done)
		require.Equal(t, "locations", c.Next, "the first step not done is next, even with later ones done")
		require.True(t, c.Steps[2].Done)
	})
}
