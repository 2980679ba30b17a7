package auditstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

func TestPeopleNamesActorsAndFindsThem(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := auditstore.New(db)
		now := time.Date(2026, 11, 2, 14, 0, 0, 0, time.UTC)
		for _, u := range [][4]string{
			{"u-alice", "https://idp.test", "alice", "Alice Agent|alice@billing.test"},
			{"u-alice2", "https://other.test", "alice", "Alice Elsewhere|alice@other.test"},
			{"u-bob", "https://idp.test", "bob", "Bob Under_score|bob@billing.test"},
		} {
			name, email, _ := strings.Cut(u[3], "|")
			_, err := db.ExecContext(ctx, `INSERT INTO users (id, issuer, subject, name, email, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $5, $6, $6)`,
				u[0], u[1], u[2], name, email, now)
			require.NoError(t, err)
		}
		alice := auditstore.Who{Issuer: "https://idp.test", Subject: "alice"}
		ghost := auditstore.Who{Issuer: "https://idp.test", Subject: "ghost"}
		got, err := s.People(ctx, []auditstore.Who{alice, alice, ghost, {}})
		require.NoError(t, err)
		require.Equal(t, map[auditstore.Who]auditstore.Person{alice: {Who: alice, Name: "Alice Agent", Email: "alice@billing.test"}}, got,
			"the same subject at another provider is someone else; an identity nobody signed in as is absent")

		found, err := s.FindPeople(ctx, "ALICE", 10)
		require.NoError(t, err)
		require.Len(t, found, 2)
		require.Equal(t, "Alice Agent", found[0].Name)
		found, err = s.FindPeople(ctx, "billing.test", 1)
		require.NoError(t, err)
		require.Len(t, found, 1, "the limit holds")
		found, err = s.FindPeople(ctx, "b_b", 10)
		require.NoError(t, err)
		require.Empty(t, found, "an underscore is not a wildcard")
		found, err = s.FindPeople(ctx, "  ", 10)
		require.NoError(t, err)
		require.Empty(t, found, "an empty text finds nobody")
	})
}
