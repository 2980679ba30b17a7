package chstore

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/backdesk/backdesk/pkg/clearinghouse"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
)

var _ clearinghouse.ClaimStatusStore = (*Store)(nil)

// ClaimPayers implements clearinghouse.ClaimStatusStore.
func (s *Store) ClaimPayers(ctx context.Context, tx *sql.Tx, itemIDs []string) (map[string]string, error) {
	out := make(map[string]string, len(itemIDs))
	for start := 0; start < len(itemIDs); start += batchRows {
		in, args := s.db.Dialect.In("w.id", 1, itemIDs[start:min(start+batchRows, len(itemIDs))])
		rows, err := tx.QueryContext(ctx, `SELECT w.id, c.payer_name FROM work_items w JOIN claims c ON c.id = w.subject_id
WHERE w.kind = 'claim_followup' AND w.subject_type = 'claim' AND `+in, args...)
		if err != nil {
			return nil, fmt.Errorf("read claims' payers: %w", sqldb.MapError(err))
		}
		for rows.Next() {
			var id, payer string
			if err := rows.Scan(&id, &payer); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = payer
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		if err := rows.Err(); err != nil {
			return nil, sqldb.MapError(err)
		}
	}
	return out, nil
}

// PendingClaims implements clearinghouse.ClaimStatusStore. The payer's
// claim control number is the latest a status reported for the claim.
func (s *Store) PendingClaims(ctx context.Context, tx *sql.Tx, connectionID string, limit int) ([]clearinghouse.ClaimQuestion, error) {
	return sqldb.List(ctx, tx, func(r sqldb.Scanner) (clearinghouse.ClaimQuestion, error) {
		var c clearinghouse.ClaimQuestion
		var service, dob string
		var owner sql.NullString
		err := r.Scan(&c.ItemID, &c.PracticeID, &c.PatientID, &c.State, &owner, &c.ClaimNumber, &c.PayerName, &c.MemberID,
			&service, &c.BilledCents, &c.PayerClaimNumber, &c.FirstName, &c.LastName, &dob, &c.Practice, &c.NPI, &c.Timezone)
		c.Owned = owner.Valid
		if t, perr := time.Parse(time.DateOnly, service); perr == nil {
			c.ServiceDate = t
		}
		if t, perr := time.Parse(time.DateOnly, dob); perr == nil {
			c.BirthDate = t
		}
		return c, err
	}, `SELECT w.id, w.practice_id, w.patient_id, w.state, w.owner_id, c.external_id, c.payer_name, c.subscriber_id,
c.date_of_service, c.billed_cents,
COALESCE((SELECT e.payer_claim_control FROM claim_status_events e WHERE e.claim_id = c.id AND e.payer_claim_control <> ''
 ORDER BY e.created_at DESC, e.id DESC LIMIT 1), ''),
p.first_name, p.last_name, p.date_of_birth, pr.name, pr.npi, pr.timezone
FROM clearinghouse_links l
JOIN work_items w ON w.practice_id = l.practice_id AND w.kind = 'claim_followup' AND w.stage = $2
 AND w.state NOT IN ('resolved', 'closed') AND w.subject_type = 'claim'
JOIN claims c ON c.id = w.subject_id
JOIN patients p ON p.id = w.patient_id
JOIN practices pr ON pr.id = w.practice_id
WHERE l.connection_id = $1 ORDER BY w.practice_id, c.external_id, w.id LIMIT $3`+s.skipLocked("w"),
		connectionID, clearinghouse.StageToAsk, limit)
}

// ClaimsAsked implements clearinghouse.ClaimStatusStore: from the
// practices linked to the connection, through their claims by number
// (claims_external), to the claims' follow-ups and their unanswered 276
// inquiries whose batch went through the connection. The connection's
// placeholder comes before the numbers' in the text: SQLite numbers a
// bare "?" after the highest placeholder it has read.
func (s *Store) ClaimsAsked(ctx context.Context, tx *sql.Tx, connectionID string, numbers []string) ([]clearinghouse.ClaimAsked, error) {
	var out []clearinghouse.ClaimAsked
	for start := 0; start < len(numbers); start += batchRows {
		in, args := s.db.Dialect.In("c.external_id", 2, numbers[start:min(start+batchRows, len(numbers))])
		part, err := sqldb.List(ctx, tx, func(r sqldb.Scanner) (clearinghouse.ClaimAsked, error) {
			var a clearinghouse.ClaimAsked
			var owner sql.NullString
			err := r.Scan(&a.Trace, &a.PracticeID, &a.WorkItemID, &a.PatientID, &a.Kind, &a.FileID, &a.AskedAt, &a.ClaimNumber,
				&a.PracticeNPI, &a.ItemState, &a.ItemStage, &owner)
			a.AskedAt, a.Owned = a.AskedAt.UTC(), owner.Valid
			return a, err
		}, `SELECT q.trace, q.practice_id, q.work_item_id, q.patient_id, q.kind, q.file_id, q.asked_at, c.external_id,
pr.npi, w.state, w.stage, w.owner_id
FROM clearinghouse_links l
JOIN claims c ON l.connection_id = $1 AND c.practice_id = l.practice_id AND `+in+`
JOIN work_items w ON w.subject_type = 'claim' AND w.subject_id = c.id AND w.kind = 'claim_followup'
JOIN clearinghouse_inquiries q ON q.work_item_id = w.id AND q.kind = '276' AND q.answered_at IS NULL
JOIN clearinghouse_files f ON f.id = q.file_id AND f.connection_id = l.connection_id
JOIN practices pr ON pr.id = l.practice_id`, append([]any{connectionID}, args...)...)
		if err != nil {
			return nil, err
		}
		out = append(out, part...)
	}
	slices.SortFunc(out, func(x, y clearinghouse.ClaimAsked) int {
		return cmp.Or(y.AskedAt.Compare(x.AskedAt), cmp.Compare(y.Trace, x.Trace))
	})
	return out, nil
}

// Standing implements clearinghouse.ClaimStatusStore.
func (s *Store) Standing(ctx context.Context, tx *sql.Tx, itemIDs []string) (map[string]clearinghouse.ItemStanding, error) {
	out := make(map[string]clearinghouse.ItemStanding, len(itemIDs))
	for start := 0; start < len(itemIDs); start += batchRows {
		in, args := s.db.Dialect.In("id", 1, itemIDs[start:min(start+batchRows, len(itemIDs))])
		rows, err := tx.QueryContext(ctx, `SELECT id, state, stage, owner_id FROM work_items WHERE `+in, args...)
		if err != nil {
			return nil, fmt.Errorf("read items' standing: %w", sqldb.MapError(err))
		}
		for rows.Next() {
			var id string
			var it clearinghouse.ItemStanding
			var owner sql.NullString
			if err := rows.Scan(&id, &it.State, &it.Stage, &owner); err != nil {
				rows.Close()
				return nil, err
			}
			it.Owned = owner.Valid
			out[id] = it
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		if err := rows.Err(); err != nil {
			return nil, sqldb.MapError(err)
		}
	}
	return out, nil
}
