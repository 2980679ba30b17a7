package auditstore

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/google/uuid"
	"golang.org/x/mod/sumdb/note"
)

// Review closes something compliance looked at (an anomaly) with a note.
type Review struct {
	Key        string
	Note       string
	Reviewer   string
	ReviewedAt time.Time
}

// ErrReviewed refuses a second review of the same thing.
var ErrReviewed = apperr.Conflict("already_reviewed", "this was reviewed already; its review stands", nil)

// AddReview stores r and its audit event ev in one transaction. A thing
// is reviewed once: a second review, even one racing the first, is
// refused with ErrReviewed and records nothing.
func (s *Store) AddReview(ctx context.Context, r Review, ev audit.Event) error {
	if ev.ID == "" {
		ev.ID = uuid.Must(uuid.NewV7()).String()
	}
	if ev.Time.IsZero() {
		ev.Time = r.ReviewedAt
	}
	ev.Time = ev.Time.UTC().Truncate(time.Microsecond)
	err := s.db.Tx(sqldb.AllPractices(ctx), func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM audit_reviews WHERE subject_key = $1`, r.Key).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return ErrReviewed
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit_reviews (id, subject_key, note, reviewer_subject, reviewed_at) VALUES ($1, $2, $3, $4, $5)`,
			uuid.Must(uuid.NewV7()).String(), r.Key, r.Note, r.Reviewer, r.ReviewedAt.UTC()); err != nil {
			return err
		}
		return s.Append(ctx, tx, []audit.Event{ev})
	})
	if errors.Is(err, ErrReviewed) {
		return err
	}
	err = sqldb.MapError(err)
	var ae *apperr.Error
	if errors.As(err, &ae) && ae.Kind == apperr.KindConflict && ae.Code == "conflict" {
		// Two reviews raced past the check; the unique index on the key
		// kept the first, and the second is refused like any second one.
		return ErrReviewed
	}
	return err
}

// Reviews returns the reviews of the given keys that exist.
func (s *Store) Reviews(ctx context.Context, keys []string) (map[string]Review, error) {
	out := map[string]Review{}
	for start := 0; start < len(keys); start += 500 {
		chunk := keys[start:min(start+500, len(keys))]
		args := make([]any, len(chunk))
		for i, k := range chunk {
			args[i] = k
		}
		err := s.db.Tx(sqldb.AllPractices(ctx), func(tx *sql.Tx) error {
			rows, err := tx.QueryContext(ctx, `SELECT subject_key, note, reviewer_subject, reviewed_at FROM audit_reviews
WHERE subject_key IN (`+sqldb.Numbered(1, len(chunk))+`)`, args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var r Review
				if err := rows.Scan(&r.Key, &r.Note, &r.Reviewer, &r.ReviewedAt); err != nil {
					return err
				}
				r.ReviewedAt = r.ReviewedAt.UTC()
				out[r.Key] = r
			}
			return rows.Err()
		})
		if err != nil {
			return nil, sqldb.MapError(err)
		}
	}
	return out, nil
}

// Verification is the result of one integrity check of the log.
type Verification struct {
	At             time.Time
	OK             bool
	Leaves         uint64
	Checkpoints    int
	CheckpointSize uint64
	Problem        string // the first problem found; empty when OK
	RequestedBy    string
}

// RecordVerification keeps v.
func (s *Store) RecordVerification(ctx context.Context, v Verification) error {
	err := s.db.Tx(sqldb.AllPractices(ctx), func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO audit_verifications (id, at, ok, leaves, checkpoints, checkpoint_size, problem, requested_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, uuid.Must(uuid.NewV7()).String(), v.At.UTC(), v.OK, int64(v.Leaves), v.Checkpoints,
			int64(v.CheckpointSize), v.Problem, v.RequestedBy)
		return err
	})
	return sqldb.MapError(err)
}

// LastVerification returns the latest check; ok is false when there was none.
func (s *Store) LastVerification(ctx context.Context) (v Verification, ok bool, err error) {
	err = s.db.Tx(sqldb.AllPractices(ctx), func(tx *sql.Tx) error {
		var leaves, size int64
		err := tx.QueryRowContext(ctx, `SELECT at, ok, leaves, checkpoints, checkpoint_size, problem, requested_by FROM audit_verifications
ORDER BY at DESC, id DESC LIMIT 1`).Scan(&v.At, &v.OK, &leaves, &v.Checkpoints, &size, &v.Problem, &v.RequestedBy)
		v.Leaves, v.CheckpointSize, v.At = uint64(leaves), uint64(size), v.At.UTC()
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return Verification{}, false, nil
	}
	return v, err == nil, sqldb.MapError(err)
}

// VerifyAndRecord verifies the whole log against every signed checkpoint
// and keeps the result as the last verification, requested by by. A
// tampered log is a result (OK false, the first problem), not an error;
// an error means the log could not be read or the result not kept.
func (s *Store) VerifyAndRecord(ctx context.Context, verifier note.Verifier, by string) (Verification, error) {
	rep, err := s.Verify(ctx, verifier, nil)
	v := Verification{At: time.Now().UTC(), OK: err == nil, Leaves: rep.Leaves, Checkpoints: rep.Checkpoints,
		CheckpointSize: rep.Size, RequestedBy: by}
	var problem *audit.Problem
	switch {
	case errors.As(err, &problem):
		v.Problem = problem.Error()
	case err != nil:
		return Verification{}, err
	}
	return v, s.RecordVerification(ctx, v)
}

// VerifyEvery verifies the whole log every interval and keeps each result
// (requested by "scheduled"), so compliance's integrity panel always shows
// a recent check. A failed check is logged at error level with its first
// problem; the loop goes on.
func (s *Store) VerifyEvery(ctx context.Context, verifier note.Verifier, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		v, err := s.VerifyAndRecord(ctx, verifier, "scheduled")
		switch {
		case err != nil && ctx.Err() == nil:
			log.WarnContext(ctx, "audit log verification could not run", "error", err.Error())
		case err == nil && !v.OK:
			log.ErrorContext(ctx, "audit log verification failed", "problem", v.Problem, "leaves", v.Leaves)
		}
	}
}
