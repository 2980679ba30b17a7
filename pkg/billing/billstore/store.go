// Package billstore keeps payment links, payments and statement runs in
// PostgreSQL or SQLite.
package billstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/billing"
	"github.com/backdesk/backdesk/pkg/payment"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/google/uuid"
)

// Store implements billing.Store.
type Store struct {
	db    *sqldb.DB
	audit audit.Appender
}

var _ billing.Store = (*Store)(nil)

// New returns a Store over db that writes audit events through trail.
func New(db *sqldb.DB, trail audit.Appender) *Store { return &Store{db: db, audit: trail} }

// platform is the scope of the link page and the webhook: a token or an
// event names a link, not its practice.
func platform(ctx context.Context) context.Context { return sqldb.AllPractices(ctx) }

// Due implements billing.Store.
func (s *Store) Due(ctx context.Context, practiceID, itemID string) (billing.Due, error) {
	var d billing.Due
	found := false
	err := s.db.ReadAll(sqldb.WithPractice(ctx, practiceID), sqldb.Read{Query: `SELECT b.patient_id, b.id, b.total_cents
FROM work_items w JOIN balances b ON b.id = w.subject_id AND b.practice_id = w.practice_id
WHERE w.id = $1 AND w.practice_id = $2 AND w.subject_type = 'balance'`, Args: []any{itemID, practiceID},
		Row: func(r sqldb.Scanner) error { found = true; return r.Scan(&d.PatientID, &d.BalanceID, &d.TotalCents) }})
	if err == nil && !found {
		err = apperr.NotFound("balance of the item")
	}
	return d, err
}

// CreateLink implements billing.Store.
func (s *Store) CreateLink(ctx context.Context, l billing.Link, tokenHash string, ev audit.Event, now time.Time) error {
	ctx = sqldb.WithPractice(ctx, l.PracticeID)
	err := s.db.Write(ctx, func(w *sqldb.Writer) error {
		w.Later(`INSERT INTO payment_links (id, token_hash, practice_id, patient_id, balance_id, work_item_id, amount_cents, state, created_by, created_at, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9, $10)`, l.ID, tokenHash, l.PracticeID, l.PatientID, l.BalanceID, nullString(l.WorkItemID),
			l.AmountCents, ev.Actor.Subject, now, l.ExpiresAt.UTC())
		return s.audit.Append(ctx, w, []audit.Event{ev})
	})
	return sqldb.MapError(err)
}

// LinkByHash implements billing.Store.
func (s *Store) LinkByHash(ctx context.Context, tokenHash string) (billing.Link, string, bool, error) {
	var l billing.Link
	var dob, state string
	var item sql.NullString
	var verified sql.NullTime
	found := false
	err := s.db.ReadAll(platform(ctx), sqldb.Read{Query: `SELECT l.id, l.practice_id, l.patient_id, l.balance_id, l.work_item_id, l.amount_cents, l.state,
l.failures, l.verified_at, l.checkout_id, l.expires_at, p.date_of_birth, b.total_cents,
COALESCE((SELECT SUM(y.amount_cents) FROM payments y WHERE y.link_id = l.id), 0)
FROM payment_links l JOIN patients p ON p.id = l.patient_id JOIN practices pr ON pr.id = l.practice_id JOIN balances b ON b.id = l.balance_id
WHERE l.token_hash = $1 AND pr.status = 'active'`, Args: []any{tokenHash}, Row: func(r sqldb.Scanner) error {
		found = true
		return r.Scan(&l.ID, &l.PracticeID, &l.PatientID, &l.BalanceID, &item, &l.AmountCents, &state, &l.Failures, &verified,
			&l.CheckoutID, &l.ExpiresAt, &dob, &l.BalanceCents, &l.PaidCents)
	}})
	l.WorkItemID, l.State, l.ExpiresAt = item.String, billing.LinkState(state), l.ExpiresAt.UTC()
	if verified.Valid {
		t := verified.Time.UTC()
		l.VerifiedAt = &t
	}
	return l, dob, found, err
}

// Verified implements billing.Store: each try is a guarded update, so
// of tries sent at once no more than the lock allows are counted, and a
// match after the lock verifies nothing.
func (s *Store) Verified(ctx context.Context, linkID string, match bool, ev audit.Event, now time.Time) (bool, int, error) {
	counted, failures := false, 0
	ctx = platform(ctx)
	err := s.db.Write(ctx, func(w *sqldb.Writer) error {
		set := `verified_at = $2`
		if !match {
			set = `failures = failures + 1`
		}
		ok, err := w.One(ctx, `UPDATE payment_links SET `+set+` WHERE id = $1 AND state = 'open' AND expires_at > $2 AND failures < $3
RETURNING failures`, []any{linkID, now, billing.Tries}, &failures)
		if err != nil || !ok {
			counted = false
			return err
		}
		counted = true
		return s.audit.Append(ctx, w, []audit.Event{ev})
	})
	return counted, failures, sqldb.MapError(err)
}

// SetCheckout implements billing.Store.
func (s *Store) SetCheckout(ctx context.Context, linkID, checkoutID string, ev audit.Event) error {
	ctx = platform(ctx)
	err := s.db.Write(ctx, func(w *sqldb.Writer) error {
		w.Later(`UPDATE payment_links SET checkout_id = $2 WHERE id = $1`, linkID, checkoutID)
		return s.audit.Append(ctx, w, []audit.Event{ev})
	})
	return sqldb.MapError(err)
}

// ApplyPaid implements billing.Store. The payment's insert is the guard:
// an event id already recorded inserts nothing, and nothing else changes.
// The balance goes down by the amount, its oldest part first; the link is
// paid when nothing is left of what it was for; the follow-up logs the
// outcome "paid" (channel payment_link, actor system) and is resolved
// when the balance is paid off, or comes back to its owner when not.
func (s *Store) ApplyPaid(ctx context.Context, provider string, ev payment.Event, now time.Time) (billing.Paid, error) {
	var p billing.Paid
	ctx = platform(ctx)
	err := s.db.Write(ctx, func(w *sqldb.Writer) error {
		p = billing.Paid{}
		var linkID, balanceID string
		var item sql.NullString
		ok, err := w.One(ctx, `SELECT id, practice_id, patient_id, balance_id, work_item_id FROM payment_links WHERE id = $1`,
			[]any{ev.ClientReference}, &linkID, &p.PracticeID, &p.PatientID, &balanceID, &item)
		if err != nil || !ok {
			return err // an event for no link of ours: acknowledged, nothing recorded
		}
		p.WorkItemID = item.String
		payID := uuid.Must(uuid.NewV7()).String()
		var got string
		ok, err = w.One(ctx, `INSERT INTO payments (id, practice_id, patient_id, balance_id, work_item_id, link_id, provider, provider_event_id,
provider_payment, amount_cents, currency, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
ON CONFLICT (provider, provider_event_id) DO NOTHING RETURNING id`,
			[]any{payID, p.PracticeID, p.PatientID, balanceID, nullString(p.WorkItemID), linkID, provider, ev.ID, ev.PaymentIntent,
				ev.AmountCents, ev.Currency, now}, &got)
		if err != nil || !ok {
			return err // seen before
		}
		p.Applied, p.AmountCents = true, ev.AmountCents
		var b [5]int64 // total, then the aging buckets, oldest first
		if _, err := w.One(ctx, `SELECT total_cents, aged_over_90_cents, aged_61_90_cents, aged_31_60_cents, aged_0_30_cents
FROM balances WHERE id = $1`+s.db.Dialect.ForUpdate(), []any{balanceID}, &b[0], &b[1], &b[2], &b[3], &b[4]); err != nil {
			return err
		}
		left := ev.AmountCents
		for i := 1; i < len(b); i++ { // the oldest part of the balance is paid first
			take := min(max(b[i], 0), left)
			b[i] -= take
			left -= take
		}
		b[0] -= ev.AmountCents
		p.BalanceCents = b[0]
		w.Later(`UPDATE balances SET total_cents = $2, aged_over_90_cents = $3, aged_61_90_cents = $4, aged_31_60_cents = $5, aged_0_30_cents = $6,
last_payment_cents = $7, last_payment_date = $8, updated_at = $9 WHERE id = $1`,
			balanceID, b[0], b[1], b[2], b[3], b[4], ev.AmountCents, now.Format(time.DateOnly), now)
		// The link is spent once it took what it was for, or nothing is
		// left to pay.
		w.Later(`UPDATE payment_links SET paid_at = $3, state = CASE WHEN $2 <= 0
OR (SELECT COALESCE(SUM(y.amount_cents), 0) FROM payments y WHERE y.link_id = payment_links.id) >= amount_cents THEN 'paid' ELSE state END
WHERE id = $1`, linkID, p.BalanceCents, now)
		if p.WorkItemID != "" {
			var state string
			resolved, err := w.One(ctx, `UPDATE work_items SET version = version + 1, updated_at = $2,
state = CASE WHEN $3 <= 0 THEN 'resolved' WHEN state = 'waiting' AND owner_id IS NOT NULL THEN 'assigned' ELSE state END,
finished_at = CASE WHEN $3 <= 0 THEN $2 ELSE finished_at END
WHERE id = $1 AND state NOT IN ('resolved', 'closed') RETURNING state`, []any{p.WorkItemID, now, p.BalanceCents}, &state)
			if err != nil {
				return err
			}
			p.Resolved = resolved && state == string(work.Resolved)
			w.Later(`INSERT INTO activities (id, practice_id, work_item_id, patient_id, actor_id, channel, outcome, note, paid_cents, at)
VALUES ($1, $2, $3, $4, $5, 'payment_link', $6, 'paid online through the payment link', $7, $8)`,
				uuid.Must(uuid.NewV7()).String(), p.PracticeID, p.WorkItemID, p.PatientID, work.SystemActor, string(work.Paid), ev.AmountCents, now)
		}
		e := audit.Change(audit.Event{}, now, billing.ActionPaid, p.PracticeID, billing.TargetPayment, payID)
		e.PatientIDs, e.WorkItemID, e.Reason = []string{p.PatientID}, p.WorkItemID, provider
		return s.audit.Append(ctx, w, []audit.Event{e})
	})
	return p, sqldb.MapError(err)
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}
