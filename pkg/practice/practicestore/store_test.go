package practicestore_test

import (
	"context"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/pkg/practice/practicestore"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// The conformance suite for practice storage: every case runs on SQLite and,
// when configured, on PostgreSQL.
func TestStore(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		clock := time.Date(2026, 3, 2, 15, 4, 5, 123456000, time.UTC)
		svc := practice.NewService(practicestore.New(db, auditstore.New(db)), func() time.Time { return clock }, nil)

		p, err := svc.Create(ctx, practice.NewPractice{Name: " Smile Dental ", NPI: "1234567893", Timezone: "America/Chicago"})
		require.NoError(t, err)
		require.Equal(t, "Smile Dental", p.Name)
		require.Equal(t, practice.Draft, p.Status)

		ctx = sqldb.WithPractice(ctx, p.ID) // as the practice's routes do
		got, err := svc.Get(ctx, p.ID)
		require.NoError(t, err)
		require.Equal(t, p, got, "a stored practice reads back unchanged, times included")

		var tasks int
		require.NoError(t, db.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE task_type = $1`, practice.ProvisionArgs{}.Kind()).Scan(&tasks))
		require.Equal(t, 1, tasks, "creating a practice queues its provisioning in the same transaction")

		_, err = svc.Create(ctx, practice.NewPractice{Name: "Other", NPI: "1234567893", Timezone: "UTC"})
		require.ErrorIs(t, err, apperr.ErrConflict)
		var ae *apperr.Error
		require.ErrorAs(t, err, &ae)
		require.Equal(t, "npi", ae.Field)
		require.NoError(t, db.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox`).Scan(&tasks))
		require.Equal(t, 1, tasks, "a refused practice leaves no outbox row behind")

		byNPI, err := svc.GetByNPI(sqldb.AllPractices(ctx), "1234567893") // which practice has it is not known yet
		require.NoError(t, err)
		require.Equal(t, p.ID, byNPI.ID)

		_, err = svc.Get(ctx, "01890000-0000-7000-8000-000000000000")
		require.ErrorIs(t, err, apperr.ErrNotFound)

		clock = clock.Add(time.Minute)
		require.NoError(t, svc.Provision(ctx, "task-1", practice.ProvisionArgs{PracticeID: p.ID}))
		require.NoError(t, svc.Provision(ctx, "task-1", practice.ProvisionArgs{PracticeID: p.ID}))
		got, err = svc.Get(ctx, p.ID)
		require.NoError(t, err)
		require.NotNil(t, got.ProvisionedAt)
		require.True(t, got.ProvisionedAt.Equal(clock))
		require.Equal(t, 2, got.Version, "a redelivered provisioning task changes nothing")
	})
}
