// Package payerstore keeps payers' statements about a practice's claims
// (remittances and claim statuses) and the claims' adjudication, in
// PostgreSQL or SQLite, and writes what a remittance does to its claims'
// follow-up work many items a statement. Its writes run inside the
// caller's transaction.
package payerstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/backdesk/backdesk/pkg/payer"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/records"
	"github.com/google/uuid"
)

// Store implements payer.Store.
type Store struct{ db *sqldb.DB }

var _ payer.Store = (*Store)(nil)

// New returns a Store over db.
func New(db *sqldb.DB) *Store { return &Store{db: db} }

const (
	// A statement already recorded (same fingerprint) is not recorded
	// again: the conflict clause makes the insert a no-op.
	insertStatus = `INSERT INTO claim_status_events (id, practice_id, claim_id, import_id, fingerprint, category, code, entity,
effective_date, payer_claim_control, other_statuses, service_lines, paid_cents, check_number, payment_date, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) ON CONFLICT (practice_id, fingerprint) DO NOTHING`
	claimPaid   = `UPDATE claims SET status = $2, paid_cents = $3, updated_at = $4 WHERE id = $1`
	claimStatus = `UPDATE claims SET status = $2, updated_at = $3 WHERE id = $1 AND (status NOT IN ('paid', 'partially_paid') OR $2 = 'paid')`
)

// inserted runs an insert that may be a no-op and says whether it added
// the row.
func inserted(res sql.Result, err error) (bool, error) {
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// AddStatus implements payer.Store.
func (s *Store) AddStatus(ctx context.Context, tx *sql.Tx, practiceID, importID, claimID string, st payer.StatusLine, now time.Time) (bool, error) {
	others, err := json.Marshal(nonNil(st.Others))
	if err != nil {
		return false, err
	}
	lines, err := json.Marshal(nonNil(st.Lines))
	if err != nil {
		return false, err
	}
	return inserted(tx.ExecContext(ctx, insertStatus, newID(), practiceID, claimID, importID, st.Fingerprint(), st.Category, st.Code,
		st.Entity, st.EffectiveDate, st.PayerClaimControl, string(others), string(lines), st.PaidCents, st.CheckNumber,
		st.PaymentDate, now.UTC()))
}

// SetClaimPaid implements payer.Store.
func (s *Store) SetClaimPaid(ctx context.Context, tx *sql.Tx, claimID string, status records.ClaimStatus, paid int64, now time.Time) error {
	_, err := tx.ExecContext(ctx, claimPaid, claimID, string(status), paid, now.UTC())
	return err
}

// SetClaimStatus implements payer.Store.
func (s *Store) SetClaimStatus(ctx context.Context, tx *sql.Tx, claimID string, status records.ClaimStatus, now time.Time) error {
	_, err := tx.ExecContext(ctx, claimStatus, claimID, string(status), now.UTC())
	return err
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }
