package auditstore_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// Each verification is kept; a tampered log is a failed result naming
// the problem, and the scheduled loop keeps results too.
func TestVerificationsAreKept(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		b := setup(t, db)
		_, ok, err := b.store.LastVerification(ctx)
		require.NoError(t, err)
		require.False(t, ok, "none yet")
		b.appendN(t, 12)
		b.integrate(t)
		v, err := b.store.VerifyAndRecord(ctx, b.verifier, "carol")
		require.NoError(t, err)
		require.True(t, v.OK, v.Problem)
		require.EqualValues(t, 12, v.Leaves)
		last, ok, err := b.store.LastVerification(ctx)
		require.NoError(t, err)
		require.True(t, ok)
		require.True(t, last.OK)
		require.Equal(t, "carol", last.RequestedBy)

		tamper(t, db, `UPDATE audit_events SET body = replace(body, '"outcome":"allow"', '"outcome":"deny"') WHERE id = 'evt-000005'`)
		v, err = b.store.VerifyAndRecord(ctx, b.verifier, "carol")
		require.NoError(t, err, "a tampered log is a result, not an error")
		require.False(t, v.OK)
		require.Contains(t, v.Problem, "evt-000005")

		loop, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			b.store.VerifyEvery(loop, b.verifier, 10*time.Millisecond, slog.New(slog.NewTextHandler(io.Discard, nil)))
			close(done)
		}()
		require.Eventually(t, func() bool {
			last, _, err := b.store.LastVerification(ctx)
			return err == nil && last.RequestedBy == "scheduled"
		}, 2*time.Minute, 10*time.Millisecond)
		cancel()
		<-done
		last, _, err = b.store.LastVerification(ctx)
		require.NoError(t, err)
		require.False(t, last.OK, "the scheduled check sees the tampering too")
	})
}

// A review is kept once with its audit event.
func TestReviewsAreKeptOnce(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		b := setup(t, db)
		r := auditstore.Review{Key: "anomaly:volume:iss|s:e1", Note: "Checked with the team lead", Reviewer: "carol", ReviewedAt: epoch}
		ev := audit.Event{Actor: audit.Actor{Subject: "carol"}, Action: audit.ActionUpdate, Outcome: audit.OutcomeAllow}
		require.NoError(t, b.store.AddReview(ctx, r, ev))
		require.ErrorIs(t, b.store.AddReview(ctx, r, ev), auditstore.ErrReviewed)
		got, err := b.store.Reviews(ctx, []string{r.Key, "anomaly:other"})
		require.NoError(t, err)
		require.Len(t, got, 1)
		require.Equal(t, "Checked with the team lead", got[r.Key].Note)
		var n int
		require.NoError(t, db.QueryRowContext(ctx, `SELECT count(*) FROM audit_events WHERE actor_subject = 'carol'`).Scan(&n))
		require.Equal(t, 1, n, "one audit event, for the review that was kept")
	})
}

// Reviews racing each other still leave one review and one event; every
// other one is refused as a second review.
func TestConcurrentReviewsKeepOne(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		b := setup(t, db)
		r := auditstore.Review{Key: "anomaly:break_glass:iss|dave:e1", Note: "Checked against the call log", Reviewer: "carol", ReviewedAt: epoch}
		const racers = 6
		errs := make(chan error, racers)
		for range racers {
			go func() {
				ev := audit.Event{Actor: audit.Actor{Subject: "carol-race"}, Action: audit.ActionUpdate, Outcome: audit.OutcomeAllow}
				errs <- b.store.AddReview(ctx, r, ev)
			}()
		}
		kept := 0
		for range racers {
			err := <-errs
			if err == nil {
				kept++
				continue
			}
			require.ErrorIs(t, err, auditstore.ErrReviewed)
		}
		require.Equal(t, 1, kept, "closed once")
		var n int
		require.NoError(t, db.QueryRowContext(ctx, `SELECT count(*) FROM audit_events WHERE actor_subject = 'carol-race'`).Scan(&n))
		require.Equal(t, 1, n, "one audit event, for the review that was kept")
	})
}
