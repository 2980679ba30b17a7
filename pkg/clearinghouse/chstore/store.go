// Package chstore keeps clearinghouse connections, the files exchanged
// with them, the questions asked and the benefits answered, in PostgreSQL
// or SQLite. Its writes run inside the caller's transaction.
package chstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/clearinghouse"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/outbox"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/work"
)

// Store implements clearinghouse.Store.
type Store struct{ db *sqldb.DB }

var _ clearinghouse.Store = (*Store)(nil)

// New returns a Store over db.
func New(db *sqldb.DB) *Store { return &Store{db: db} }

const connectionColumns = `id, name, mode, address, username, host_key, secret_ref, outbound_dir, inbound_dir, archive_dir,
sender_qualifier, sender_id, receiver_qualifier, receiver_id, production, answer_minutes, ack_minutes, last_poll_at, last_error`

func scanConnection(s sqldb.Scanner) (clearinghouse.Connection, error) {
	var c clearinghouse.Connection
	var mode string
	var answer, ack int
	var polled sql.NullTime
	err := s.Scan(&c.ID, &c.Name, &mode, &c.Address, &c.Username, &c.HostKey, &c.SecretRef, &c.Outbound, &c.Inbound, &c.Archive,
		&c.SenderQualifier, &c.SenderID, &c.ReceiverQualifier, &c.ReceiverID, &c.Production, &answer, &ack, &polled, &c.LastError)
	c.Mode = clearinghouse.Mode(mode)
	c.AnswerWithin, c.AckWithin = time.Duration(answer)*time.Minute, time.Duration(ack)*time.Minute
	if polled.Valid {
		t := polled.Time.UTC()
		c.LastPollAt = &t
	}
	return c, err
}

// Connection implements clearinghouse.Store.
func (s *Store) Connection(ctx context.Context, id string) (clearinghouse.Connection, error) {
	c, found, err := sqldb.One(ctx, s.db, scanConnection, `SELECT `+connectionColumns+` FROM clearinghouse_connections WHERE id = $1`, id)
	if err == nil && !found {
		err = apperr.NotFound("clearinghouse connection")
	}
	return c, err
}

// Connections implements clearinghouse.Store.
func (s *Store) Connections(ctx context.Context) ([]clearinghouse.Connection, error) {
	return sqldb.List(ctx, s.db, scanConnection, `SELECT `+connectionColumns+` FROM clearinghouse_connections ORDER BY name`)
}

// SaveConnection implements clearinghouse.Store.
func (s *Store) SaveConnection(ctx context.Context, tx *sql.Tx, c clearinghouse.Connection, now time.Time) error {
	minutes := func(d, def time.Duration) int {
		if d <= 0 {
			d = def
		}
		return int(d / time.Minute)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO clearinghouse_connections (id, name, mode, address, username, host_key, secret_ref,
outbound_dir, inbound_dir, archive_dir, sender_qualifier, sender_id, receiver_qualifier, receiver_id, production, answer_minutes,
ack_minutes, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18)
ON CONFLICT (id) DO UPDATE SET name = excluded.name, mode = excluded.mode, address = excluded.address,
username = excluded.username, host_key = excluded.host_key, secret_ref = excluded.secret_ref,
outbound_dir = excluded.outbound_dir, inbound_dir = excluded.inbound_dir, archive_dir = excluded.archive_dir,
sender_qualifier = excluded.sender_qualifier, sender_id = excluded.sender_id,
receiver_qualifier = excluded.receiver_qualifier, receiver_id = excluded.receiver_id, production = excluded.production,
answer_minutes = excluded.answer_minutes, ack_minutes = excluded.ack_minutes, updated_at = excluded.updated_at`,
		c.ID, c.Name, string(c.Mode), c.Address, c.Username, c.HostKey, c.SecretRef, c.Outbound, c.Inbound, c.Archive,
		c.SenderQualifier, c.SenderID, c.ReceiverQualifier, c.ReceiverID, c.Production,
		minutes(c.AnswerWithin, clearinghouse.DefaultAnswerWithin), minutes(c.AckWithin, clearinghouse.DefaultAckWithin), now.UTC())
	return sqldb.MapError(err)
}

// Payers implements clearinghouse.Store.
func (s *Store) Payers(ctx context.Context, q sqldb.Querier, connectionID string) ([]clearinghouse.Payer, error) {
	return sqldb.List(ctx, q, func(r sqldb.Scanner) (clearinghouse.Payer, error) {
		var p clearinghouse.Payer
		return p, r.Scan(&p.Name, &p.ID, &p.Eligibility, &p.ClaimStatus)
	}, `SELECT payer_name, payer_id, eligibility, claim_status FROM clearinghouse_payers WHERE connection_id = $1 ORDER BY payer_name`, connectionID)
}

// SavePayers implements clearinghouse.Store.
func (s *Store) SavePayers(ctx context.Context, tx *sql.Tx, connectionID string, payers []clearinghouse.Payer) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM clearinghouse_payers WHERE connection_id = $1`, connectionID); err != nil {
		return sqldb.MapError(err)
	}
	if len(payers) == 0 {
		return nil
	}
	args := make([]any, 0, 5*len(payers))
	for _, p := range payers {
		args = append(args, connectionID, p.Name, p.ID, p.Eligibility, p.ClaimStatus)
	}
	q, args, err := s.db.Dialect.InsertRows(`INSERT INTO clearinghouse_payers (connection_id, payer_name, payer_id, eligibility, claim_status) `, 5, args, "")
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, q, args...)
	return sqldb.MapError(err)
}

// Link implements clearinghouse.Store; tx carries the practice's scope.
func (s *Store) Link(ctx context.Context, tx *sql.Tx, practiceID, connectionID string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO clearinghouse_links (practice_id, connection_id, created_at)
VALUES ($1, $2, $3) ON CONFLICT (practice_id) DO UPDATE SET connection_id = excluded.connection_id`, practiceID, connectionID, now.UTC())
	return sqldb.MapError(err)
}

// FilePatients implements clearinghouse.Store.
func (s *Store) FilePatients(ctx context.Context, tx *sql.Tx, fileID string) ([]string, error) {
	return sqldb.List(ctx, tx, func(r sqldb.Scanner) (string, error) {
		var id string
		return id, r.Scan(&id)
	}, `SELECT DISTINCT patient_id FROM clearinghouse_inquiries WHERE file_id = $1 OR answer_file_id = $1 ORDER BY patient_id`, fileID)
}

// Linked implements clearinghouse.Store.
func (s *Store) Linked(ctx context.Context, q sqldb.Querier, practiceID string) (clearinghouse.Connection, bool, error) {
	return sqldb.One(ctx, q, scanConnection, `SELECT `+prefixed("c.", connectionColumns)+` FROM clearinghouse_links l
JOIN clearinghouse_connections c ON c.id = l.connection_id WHERE l.practice_id = $1`, practiceID)
}

// prefixed qualifies each column of a list with a table alias.
func prefixed(alias, columns string) string {
	parts := strings.Split(columns, ",")
	for i, p := range parts {
		parts[i] = alias + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// PendingChecks implements clearinghouse.Store.
func (s *Store) PendingChecks(ctx context.Context, tx *sql.Tx, connectionID string, limit int) ([]clearinghouse.Check, error) {
	return sqldb.List(ctx, tx, func(r sqldb.Scanner) (clearinghouse.Check, error) {
		var c clearinghouse.Check
		var planned, dob string
		var owner sql.NullString
		err := r.Scan(&c.ItemID, &c.PracticeID, &c.PatientID, &c.State, &owner, &c.VisitAt, &planned, &c.PayerName, &c.MemberID,
			&c.FirstName, &c.LastName, &dob, &c.Practice, &c.NPI, &c.Timezone)
		c.Owned = owner.Valid
		c.VisitAt = c.VisitAt.UTC()
		c.Planned = strings.Fields(planned)
		if t, perr := time.Parse(time.DateOnly, dob); perr == nil {
			c.BirthDate = t
		}
		return c, err
	}, `SELECT w.id, w.practice_id, w.patient_id, w.state, w.owner_id, a.starts_at, a.planned_procedures, a.payer_name,
a.subscriber_id, p.first_name, p.last_name, p.date_of_birth, pr.name, pr.npi, pr.timezone
FROM clearinghouse_links l
JOIN work_items w ON w.practice_id = l.practice_id AND w.kind = 'eligibility_check' AND w.stage = $2
 AND w.state NOT IN ('resolved', 'closed') AND w.subject_type = 'appointment'
JOIN appointments a ON a.id = w.subject_id
JOIN patients p ON p.id = w.patient_id
JOIN practices pr ON pr.id = w.practice_id
WHERE l.connection_id = $1 ORDER BY w.practice_id, a.starts_at, w.id LIMIT $3`+s.skipLocked("w"), connectionID, clearinghouse.StageToAsk, limit)
}

// skipLocked is the clause that lets two exchanges run at once (two
// router replicas) without asking about the same check twice: on
// PostgreSQL each takes the rows the other has not locked; SQLite runs one
// writer at a time.
func (s *Store) skipLocked(alias string) string {
	if s.db.Dialect != sqldb.Postgres {
		return ""
	}
	return " FOR UPDATE OF " + alias + " SKIP LOCKED"
}

// NextControl implements clearinghouse.Store: one statement that takes
// the next number under the row's lock, so two batches never share one.
// ISA13 has nine digits; after 999999999 it starts again at 1.
func (s *Store) NextControl(ctx context.Context, tx *sql.Tx, sender string) (int64, error) {
	var n int64
	err := tx.QueryRowContext(ctx, `INSERT INTO x12_control_numbers (sender, last_interchange) VALUES ($1, 1)
ON CONFLICT (sender) DO UPDATE SET last_interchange = CASE WHEN x12_control_numbers.last_interchange >= 999999999 THEN 1
ELSE x12_control_numbers.last_interchange + 1 END RETURNING last_interchange`, sender).Scan(&n)
	return n, sqldb.MapError(err)
}

const fileColumns = `id, connection_id, practice_id, direction, name, kind, interchange_control, sha256, size, state, note,
patients, created_at, sent_at, acked_at, retain_until`

func scanFile(r sqldb.Scanner) (clearinghouse.File, error) {
	var f clearinghouse.File
	var practice sql.NullString
	var dir, state string
	var sent, acked sql.NullTime
	err := r.Scan(&f.ID, &f.ConnectionID, &practice, &dir, &f.Name, &f.Kind, &f.InterchangeControl, &f.SHA256, &f.Size, &state,
		&f.Note, &f.Patients, &f.CreatedAt, &sent, &acked, &f.RetainUntil)
	f.PracticeID, f.Direction, f.State = practice.String, clearinghouse.Direction(dir), clearinghouse.FileState(state)
	f.CreatedAt, f.RetainUntil = f.CreatedAt.UTC(), f.RetainUntil.UTC()
	if sent.Valid {
		t := sent.Time.UTC()
		f.SentAt = &t
	}
	if acked.Valid {
		t := acked.Time.UTC()
		f.AckedAt = &t
	}
	return f, err
}

// AddFile implements clearinghouse.Store.
func (s *Store) AddFile(ctx context.Context, tx *sql.Tx, f clearinghouse.File) (clearinghouse.File, bool, error) {
	var practice any
	if f.PracticeID != "" {
		practice = f.PracticeID
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO clearinghouse_files (id, connection_id, practice_id, direction, name, kind,
interchange_control, sha256, size, body, state, note, patients, created_at, retain_until)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) ON CONFLICT (connection_id, direction, sha256) DO NOTHING`,
		f.ID, f.ConnectionID, practice, string(f.Direction), f.Name, f.Kind, f.InterchangeControl, f.SHA256, f.Size, f.Body,
		string(f.State), f.Note, f.Patients, f.CreatedAt.UTC(), f.RetainUntil.UTC())
	if err != nil {
		return f, false, sqldb.MapError(err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return f, err == nil, err
	}
	old, _, err := sqldb.One(ctx, tx, scanFile, `SELECT `+fileColumns+` FROM clearinghouse_files
WHERE connection_id = $1 AND direction = $2 AND sha256 = $3`, f.ConnectionID, string(f.Direction), f.SHA256)
	return old, false, err
}

// AddInquiries implements clearinghouse.Store.
func (s *Store) AddInquiries(ctx context.Context, tx *sql.Tx, in []clearinghouse.Inquiry) error {
	for start := 0; start < len(in); start += batchRows {
		part := in[start:min(start+batchRows, len(in))]
		args := make([]any, 0, 7*len(part))
		for _, q := range part {
			args = append(args, q.Trace, q.PracticeID, q.WorkItemID, q.PatientID, q.Kind, q.FileID, q.AskedAt.UTC())
		}
		q, args, err := s.db.Dialect.InsertRows(`INSERT INTO clearinghouse_inquiries (trace, practice_id, work_item_id, patient_id, kind,
file_id, asked_at) `, 7, args, "")
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return sqldb.MapError(err)
		}
	}
	return nil
}

// Files implements clearinghouse.Store.
func (s *Store) Files(ctx context.Context, connectionID string, limit int) ([]clearinghouse.File, error) {
	var out []clearinghouse.File
	err := s.db.Scoped(ctx, func(q sqldb.Querier) error {
		var err error
		out, err = sqldb.List(ctx, q, scanFile, `SELECT `+fileColumns+` FROM clearinghouse_files WHERE connection_id = $1
ORDER BY created_at DESC, id DESC LIMIT $2`, connectionID, limit)
		return err
	})
	return out, err
}

// FilesByControl implements clearinghouse.Store, through
// clearinghouse_files_control.
func (s *Store) FilesByControl(ctx context.Context, connectionID, control string) ([]clearinghouse.File, error) {
	var out []clearinghouse.File
	err := s.db.Scoped(ctx, func(q sqldb.Querier) error {
		var err error
		out, err = sqldb.List(ctx, q, scanFile, `SELECT `+fileColumns+` FROM clearinghouse_files
WHERE interchange_control = $2 AND connection_id = $1 ORDER BY created_at DESC, id DESC`, connectionID, control)
		return err
	})
	return out, err
}

// FileBody implements clearinghouse.Store.
func (s *Store) FileBody(ctx context.Context, id string) (clearinghouse.File, error) {
	var body []byte
	var f clearinghouse.File
	var found bool
	err := s.db.Scoped(ctx, func(q sqldb.Querier) error {
		var err error
		f, found, err = sqldb.One(ctx, q, func(r sqldb.Scanner) (clearinghouse.File, error) {
			var f clearinghouse.File
			err := r.Scan(&f.ID, &f.ConnectionID, &f.Name, &f.Kind, &f.InterchangeControl, &f.PracticeID, &f.State, &body)
			return f, err
		}, `SELECT id, connection_id, name, kind, interchange_control, COALESCE(practice_id, ''), state, body
FROM clearinghouse_files WHERE id = $1`, id)
		return err
	})
	if err == nil && !found {
		err = apperr.NotFound("clearinghouse file")
	}
	f.Body = body
	return f, err
}

// SetFileState implements clearinghouse.Store. Sending stamps sent_at;
// an acknowledgment or its lack stamps acked_at.
func (s *Store) SetFileState(ctx context.Context, q sqldb.Querier, id string, state clearinghouse.FileState, note string, at time.Time) error {
	var err error
	switch state {
	case clearinghouse.Sent:
		// A fast clearinghouse's acknowledgment can be applied between
		// the put and this mark: the batch keeps what it said, and
		// gains only when it was sent.
		_, err = q.ExecContext(ctx, `UPDATE clearinghouse_files SET sent_at = COALESCE(sent_at, $3),
note = CASE WHEN state = 'built' THEN $2 ELSE note END, state = CASE WHEN state = 'built' THEN 'sent' ELSE state END
WHERE id = $1`, id, note, at.UTC())
	case clearinghouse.Overdue:
		// Only a batch still waiting is late; one acknowledged meanwhile
		// is not.
		_, err = q.ExecContext(ctx, `UPDATE clearinghouse_files SET state = 'overdue', note = $2 WHERE id = $1 AND state = 'sent'`,
			id, note)
	default:
		col := "acked_at"
		if state == clearinghouse.Applied || state == clearinghouse.Failed {
			col = "sent_at"
		}
		_, err = q.ExecContext(ctx, `UPDATE clearinghouse_files SET state = $2, note = $3, `+col+` = $4 WHERE id = $1`,
			id, string(state), note, at.UTC())
	}
	return sqldb.MapError(err)
}

// ClaimSend implements clearinghouse.Store: one conditional update.
func (s *Store) ClaimSend(ctx context.Context, q sqldb.Querier, id string, at time.Time) (bool, error) {
	res, err := q.ExecContext(ctx, `UPDATE clearinghouse_files SET state = 'sent', sent_at = $2 WHERE id = $1 AND state = 'built'`,
		id, at.UTC())
	if err != nil {
		return false, sqldb.MapError(err)
	}
	n, err := res.RowsAffected()
	return n == 1, sqldb.MapError(err)
}

// ReleaseSend implements clearinghouse.Store.
func (s *Store) ReleaseSend(ctx context.Context, q sqldb.Querier, id string) error {
	_, err := q.ExecContext(ctx, `UPDATE clearinghouse_files SET state = 'built', sent_at = NULL WHERE id = $1 AND state = 'sent'`, id)
	return sqldb.MapError(err)
}

// ByControl implements clearinghouse.Store.
func (s *Store) ByControl(ctx context.Context, tx *sql.Tx, connectionID, control string) ([]clearinghouse.File, error) {
	return sqldb.List(ctx, tx, scanFile, `SELECT `+fileColumns+` FROM clearinghouse_files
WHERE interchange_control = $1 AND connection_id = $2 AND direction = 'out'`, control, connectionID)
}

// Answering implements clearinghouse.Store.
func (s *Store) Answering(ctx context.Context, tx *sql.Tx, traces []string) ([]clearinghouse.Answering, error) {
	in, args := s.db.Dialect.In("q.trace", 1, traces)
	return sqldb.List(ctx, tx, scanAnswering, answeringColumns+in, args...)
}

// AskedIn implements clearinghouse.Store.
func (s *Store) AskedIn(ctx context.Context, tx *sql.Tx, fileID string) ([]clearinghouse.Answering, error) {
	return sqldb.List(ctx, tx, scanAnswering, answeringColumns+"q.file_id = $1", fileID)
}

const answeringColumns = `SELECT q.trace, q.practice_id, q.work_item_id, q.patient_id, q.kind, q.file_id, q.asked_at, q.answered_at,
w.state, w.owner_id, w.kind, a.starts_at, a.planned_procedures, a.payer_name,
(SELECT count(*) FROM clearinghouse_inquiries n WHERE n.work_item_id = q.work_item_id)
FROM clearinghouse_inquiries q JOIN work_items w ON w.id = q.work_item_id
LEFT JOIN appointments a ON w.subject_type = 'appointment' AND a.id = w.subject_id
WHERE `

func scanAnswering(r sqldb.Scanner) (clearinghouse.Answering, error) {
	var a clearinghouse.Answering
	var answered, visit sql.NullTime
	var planned, payer, owner sql.NullString
	err := r.Scan(&a.Trace, &a.PracticeID, &a.WorkItemID, &a.PatientID, &a.Kind, &a.FileID, &a.AskedAt, &answered,
		&a.ItemState, &owner, &a.ItemKind, &visit, &planned, &payer, &a.Times)
	a.Answered, a.Owned = answered.Valid, owner.Valid
	a.VisitAt, a.Planned, a.PayerName = visit.Time.UTC(), strings.Fields(planned.String), payer.String
	return a, err
}

// Answer implements clearinghouse.Store.
func (s *Store) Answer(ctx context.Context, tx *sql.Tx, fileID string, answers []clearinghouse.Answered, at time.Time) error {
	for start := 0; start < len(answers); start += batchRows {
		part := answers[start:min(start+batchRows, len(answers))]
		args := make([]any, 0, 3*len(part))
		for _, a := range part {
			args = append(args, a.Trace, a.Outcome, a.Reason)
		}
		q, qargs, err := s.db.Dialect.WithRows("trace, outcome, reason", 3, args, `UPDATE clearinghouse_inquiries
SET answered_at = %s, answer_file_id = %s, outcome = v.outcome, reason = v.reason FROM v WHERE clearinghouse_inquiries.trace = v.trace`,
			at.UTC(), fileID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, q, qargs...); err != nil {
			return fmt.Errorf("record answers: %w", sqldb.MapError(err))
		}
	}
	return nil
}

// batchRows bounds the rows one statement carries, well within SQLite's
// limit on parameters.
const batchRows = 500

// AddBenefits implements clearinghouse.Store.
func (s *Store) AddBenefits(ctx context.Context, tx *sql.Tx, bs []clearinghouse.Benefits) error {
	for start := 0; start < len(bs); start += batchRows {
		part := bs[start:min(start+batchRows, len(bs))]
		args := make([]any, 0, 14*len(part))
		for _, b := range part {
			lines, err := json.Marshal(b.Lines)
			if err != nil {
				return err
			}
			// A maximum not sent is stored as NULL: -1 travels in the
			// column's array and is turned back into NULL.
			left := int64(-1)
			if b.MaxLeft != nil {
				left = *b.MaxLeft
			}
			args = append(args, b.ID, b.PracticeID, b.PatientID, b.PayerName, b.Plan, b.Group, b.Coverage, string(b.Summary),
				string(lines), left, b.BenefitsEnd, b.AnsweredAt.UTC(), b.FileID, b.WorkItemID)
		}
		cols := `id, practice_id, patient_id, payer_name, plan, group_number, coverage, summary, lines, max_left_cents, benefits_end,
answered_at, file_id, work_item_id`
		q, qargs, err := s.db.Dialect.WithRows(cols, 14, args, `INSERT INTO benefit_summaries (`+cols+`)
SELECT id, practice_id, patient_id, payer_name, plan, group_number, coverage, summary, lines, NULLIF(max_left_cents, -1),
benefits_end, answered_at, file_id, work_item_id FROM v`)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, q, qargs...); err != nil {
			return fmt.Errorf("store benefits: %w", sqldb.MapError(err))
		}
	}
	return nil
}

// LatestBenefits implements clearinghouse.Store.
func (s *Store) LatestBenefits(ctx context.Context, q sqldb.Querier, patientIDs []string) (map[string]clearinghouse.Benefits, error) {
	in, args := s.db.Dialect.In("b.patient_id", 1, patientIDs)
	list, err := sqldb.List(ctx, q, scanBenefits, `SELECT b.id, b.practice_id, b.patient_id, b.payer_name, b.plan, b.group_number,
b.coverage, b.summary, b.lines, b.answered_at FROM benefit_summaries b WHERE `+in+` ORDER BY b.patient_id, b.answered_at DESC, b.id DESC`, args...)
	if err != nil {
		return nil, err
	}
	out := map[string]clearinghouse.Benefits{}
	for _, b := range list {
		if _, ok := out[b.PatientID]; !ok {
			out[b.PatientID] = b
		}
	}
	return out, nil
}

func scanBenefits(r sqldb.Scanner) (clearinghouse.Benefits, error) {
	var b clearinghouse.Benefits
	var summary, lines string
	if err := r.Scan(&b.ID, &b.PracticeID, &b.PatientID, &b.PayerName, &b.Plan, &b.Group, &b.Coverage, &summary, &lines, &b.AnsweredAt); err != nil {
		return b, err
	}
	b.Summary, b.AnsweredAt = []byte(summary), b.AnsweredAt.UTC()
	return b, json.Unmarshal([]byte(lines), &b.Lines)
}

// Unacknowledged implements clearinghouse.Store.
func (s *Store) Unacknowledged(ctx context.Context, tx *sql.Tx, connectionID string, cutoff time.Time) ([]clearinghouse.File, error) {
	return sqldb.List(ctx, tx, scanFile, `SELECT `+fileColumns+` FROM clearinghouse_files
WHERE state = 'sent' AND sent_at < $1 AND connection_id = $2 AND direction = 'out' ORDER BY sent_at`, cutoff.UTC(), connectionID)
}

// Unsent implements clearinghouse.Store.
func (s *Store) Unsent(ctx context.Context, connectionID string) ([]clearinghouse.File, error) {
	var out []clearinghouse.File
	err := s.db.Scoped(sqldb.AllPractices(ctx), func(q sqldb.Querier) error {
		var err error
		out, err = sqldb.List(ctx, q, func(r sqldb.Scanner) (clearinghouse.File, error) {
			var body []byte
			f, err := scanFile(scanTail{r, &body})
			f.Body = body
			return f, err
		}, `SELECT `+fileColumns+`, body FROM clearinghouse_files
WHERE connection_id = $1 AND direction = 'out' AND state = 'built' ORDER BY created_at, id`, connectionID)
		return err
	})
	return out, err
}

// scanTail scans a file's columns and then one more, the body.
type scanTail struct {
	r    sqldb.Scanner
	body *[]byte
}

func (s scanTail) Scan(dest ...any) error { return s.r.Scan(append(dest, s.body)...) }

// Pending implements clearinghouse.Store.
func (s *Store) Pending(ctx context.Context, connectionID string) ([]string, error) {
	var ids []string
	err := s.db.Scoped(ctx, func(q sqldb.Querier) error {
		var err error
		ids, err = sqldb.List(ctx, q, func(r sqldb.Scanner) (string, error) {
			var id string
			return id, r.Scan(&id)
		}, `SELECT id FROM clearinghouse_files WHERE connection_id = $1 AND direction = 'in' AND state = 'received'
ORDER BY created_at, id LIMIT 100`, connectionID)
		return err
	})
	return ids, err
}

// Polled implements clearinghouse.Store.
func (s *Store) Polled(ctx context.Context, connectionID string, at time.Time, problem string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE clearinghouse_connections SET last_poll_at = $2, last_error = $3 WHERE id = $1`,
		connectionID, at.UTC(), problem)
	return sqldb.MapError(err)
}

// AwaitAnswers implements clearinghouse.Store. An item an agent is
// working (in progress) keeps its state and only takes the stage.
func (s *Store) AwaitAnswers(ctx context.Context, tx *sql.Tx, itemIDs []string, stage, reason string, until, now time.Time) error {
	if len(itemIDs) == 0 {
		return nil
	}
	d := s.db.Dialect
	in, args := d.In("id", 5, itemIDs)
	rows, err := tx.QueryContext(ctx, `UPDATE work_items SET stage = $1, stage_reason = $2,
state = CASE WHEN state = 'in_progress' THEN state ELSE 'waiting' END,
next_contact_at = CASE WHEN state = 'in_progress' THEN next_contact_at ELSE $3 END,
version = version + 1, updated_at = $4 WHERE state NOT IN ('resolved', 'closed') AND `+in+` RETURNING id, state`,
		append([]any{stage, reason, until.UTC(), now.UTC()}, args...)...)
	if err != nil {
		return fmt.Errorf("await answers: %w", sqldb.MapError(err))
	}
	var timers []outbox.Message
	for rows.Next() {
		var id, state string
		if err := rows.Scan(&id, &state); err != nil {
			rows.Close()
			return err
		}
		if state != string(work.Waiting) {
			continue
		}
		m, err := outbox.New(work.DueArgs{WorkItemID: id}, until)
		if err != nil {
			rows.Close()
			return err
		}
		timers = append(timers, m)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if err := rows.Err(); err != nil {
		return sqldb.MapError(err)
	}
	if len(timers) == 0 {
		return nil
	}
	_, err = outbox.AddBatch(ctx, tx, d, now, timers)
	return err
}
