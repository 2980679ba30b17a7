package practicestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/practice"
)

const (
	updatePractice = `UPDATE practices SET name = $3, timezone = $4, updated_at = $5, require_mfa = $6, version = version + 1
WHERE id = $1 AND version = $2`
	recordBAA = `UPDATE practices SET baa_signer_name = $2, baa_signer_title = $3, baa_signed_on = $4,
baa_document_sha256 = $5, baa_recorded_by = $6, baa_recorded_at = $7, updated_at = $7, version = version + 1
WHERE id = $1 AND status <> 'offboarded'`
	selectStatus     = `SELECT status FROM practices WHERE id = $1`
	updateStatus     = `UPDATE practices SET status = $2, status_reason = $3, status_changed_at = $4, updated_at = $4, version = version + 1, retain_until = $5 WHERE id = $1 AND status = $6`
	countAdmins      = `SELECT COUNT(*) FROM practice_memberships WHERE practice_id = $1 AND role = 'practice_admin'`
	listAllPractices = practiceColumns + ` WHERE id > $1 ORDER BY id LIMIT $2`
)

// List implements practice.Storer. Ids are time-ordered, so ordering by id
// lists oldest first and the last id is the cursor.
func (s *Store) List(ctx context.Context, ids []string, after string, limit int) ([]practice.Practice, error) {
	query, args := listAllPractices, []any{after, limit}
	if ids != nil {
		if len(ids) == 0 {
			return []practice.Practice{}, nil
		}
		marks := make([]string, len(ids))
		for i, id := range ids {
			marks[i] = fmt.Sprintf("$%d", i+3)
			args = append(args, id)
		}
		query = practiceColumns + ` WHERE id > $1 AND id IN (` + strings.Join(marks, ", ") + `) ORDER BY id LIMIT $2`
	}
	var out []practice.Practice
	err := s.db.Scoped(ctx, func(q sqldb.Querier) error {
		rows, err := q.QueryContext(ctx, query, args...)
		if err != nil {
			return fmt.Errorf("list practices: %w", sqldb.MapError(err))
		}
		defer rows.Close()
		out = []practice.Practice{}
		for rows.Next() {
			p, err := scanPractice(rows)
			if err != nil {
				return fmt.Errorf("list practices: %w", err)
			}
			out = append(out, p)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Update implements practice.Storer.
func (s *Store) Update(ctx context.Context, id string, version int, in practice.NewPractice, at time.Time, ev audit.Event) error {
	n, err := s.exec(ctx, ev, updatePractice, id, version, in.Name, in.Timezone, at, in.RequireMFA != nil && *in.RequireMFA)
	if err != nil {
		return fmt.Errorf("update practice: %w", err)
	}
	if n == 0 {
		if _, err := s.Get(ctx, id); err != nil {
			return err
		}
		return &apperr.Error{Kind: apperr.KindConflict, Code: "stale_version", Field: "version", Message: "the practice changed since you read it; reload and try again"}
	}
	return nil
}

// RecordBAA implements practice.Storer.
func (s *Store) RecordBAA(ctx context.Context, id string, b practice.BAA, ev audit.Event) error {
	n, err := s.exec(ctx, ev, recordBAA, id, b.SignerName, b.SignerTitle, b.SignedOn.String(), b.DocumentSHA256, b.RecordedBy, b.RecordedAt)
	if err != nil {
		return fmt.Errorf("record BAA: %w", err)
	}
	if n == 0 {
		if _, err := s.Get(ctx, id); err != nil {
			return err
		}
		return &apperr.Error{Kind: apperr.KindConflict, Code: "offboarded", Message: "the practice is offboarded"}
	}
	return nil
}

// Transition implements practice.Storer. The update is conditional on the
// status read, so two concurrent changes cannot both succeed.
func (s *Store) Transition(ctx context.Context, id string, t practice.Transition, ev audit.Event) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		var cur string
		if err := tx.QueryRowContext(ctx, selectStatus, id).Scan(&cur); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return apperr.NotFound("practice")
			}
			return fmt.Errorf("read status: %w", sqldb.MapError(err))
		}
		allowed := false
		for _, f := range t.From {
			allowed = allowed || string(f) == cur
		}
		if !allowed {
			return &apperr.Error{Kind: apperr.KindConflict, Code: "invalid_transition", Message: fmt.Sprintf("a %s practice cannot become %s", cur, t.To)}
		}
		var retain any
		if !t.RetainUntil.IsZero() {
			retain = t.RetainUntil.String()
		}
		var reason any
		if t.Reason != "" {
			reason = strings.TrimSpace(t.Reason)
		}
		res, err := tx.ExecContext(ctx, updateStatus, id, string(t.To), reason, t.At, retain, cur)
		if err != nil {
			return fmt.Errorf("change status: %w", sqldb.MapError(err))
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return &apperr.Error{Kind: apperr.KindConflict, Code: "stale_version", Message: "the practice changed at the same time; try again"}
		}
		ev.Reason = "from " + cur
		return s.audit.Append(ctx, tx, []audit.Event{ev})
	})
}

// AdminCount implements practice.Storer.
func (s *Store) AdminCount(ctx context.Context, id string) (int, error) {
	var n int
	err := s.db.Scoped(ctx, func(q sqldb.Querier) error { return q.QueryRowContext(ctx, countAdmins, id).Scan(&n) })
	if err != nil {
		return 0, fmt.Errorf("count admins: %w", sqldb.MapError(err))
	}
	return n, nil
}

// exec runs one change statement under ctx's practice scope and returns
// the rows it affected; when it affected any, ev is appended in the same
// transaction.
func (s *Store) exec(ctx context.Context, ev audit.Event, query string, args ...any) (int64, error) {
	var n int64
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, query, args...)
		if err != nil {
			return sqldb.MapError(err)
		}
		if n, _ = res.RowsAffected(); n == 0 {
			return nil
		}
		return s.audit.Append(ctx, tx, []audit.Event{ev})
	})
	return n, err
}
