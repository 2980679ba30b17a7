package msgstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/contact"
	"github.com/backdesk/backdesk/pkg/message"
	"github.com/backdesk/backdesk/pkg/platform/outbox"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/work"
)

var _ message.CadenceStore = (*Store)(nil)

// AutomaticPractices implements message.CadenceStore.
func (s *Store) AutomaticPractices(ctx context.Context) ([]string, error) {
	var ids []string
	err := s.db.ReadAll(platform(ctx), sqldb.Read{Query: `SELECT m.practice_id FROM message_settings m JOIN practices p ON p.id = m.practice_id
WHERE m.automatic AND p.status = 'active' ORDER BY m.practice_id`, Row: func(r sqldb.Scanner) error {
		var id string
		err := r.Scan(&id)
		ids = append(ids, id)
		return err
	}})
	return ids, err
}

// Candidates implements message.CadenceStore: four reads sent together.
func (s *Store) Candidates(ctx context.Context, practiceID string, now time.Time, limit int) (message.Candidates, error) {
	c := message.Candidates{Recent: map[string][]time.Time{}, Settings: message.Settings{PerMinute: message.DefaultPerMinute}}
	in, kinds := s.db.Dialect.In("w.kind", 4, message.CadenceKinds())
	err := s.db.ReadAll(sqldb.WithPractice(ctx, practiceID),
		sqldb.Read{Query: `SELECT w.id, w.patient_id, w.kind, w.state, COALESCE(w.owner_id, ''), w.cadence_step, w.created_at, w.next_contact_at,
p.first_name, p.phone, p.email, p.do_not_contact, p.text_consent,
COALESCE((SELECT r.due_date FROM recalls r WHERE w.subject_type = 'recall' AND r.id = w.subject_id), ''),
EXISTS (SELECT 1 FROM message_optouts o WHERE o.practice_id = w.practice_id AND o.channel = 'text' AND o.address = p.phone AND p.phone <> ''),
EXISTS (SELECT 1 FROM message_optouts o WHERE o.practice_id = w.practice_id AND o.channel = 'email' AND o.address = p.email AND p.email <> '')
FROM work_items w JOIN patients p ON p.id = w.patient_id
WHERE w.practice_id = $1 AND w.state IN ('open', 'assigned', 'waiting') AND COALESCE(w.next_contact_at, w.created_at) <= $2 AND ` + in + `
ORDER BY COALESCE(w.next_contact_at, w.created_at), w.id LIMIT $3`,
			Args: append([]any{practiceID, now, limit}, kinds...), Row: func(r sqldb.Scanner) error {
				var it message.CadenceItem
				var kind string
				var next sql.NullTime
				err := r.Scan(&it.WorkItemID, &it.PatientID, &kind, &it.State, &it.OwnerID, &it.Step, &it.CreatedAt, &next,
					&it.FirstName, &it.Phone, &it.Email, &it.DoNotContact, &it.TextConsent, &it.DueDate, &it.TextOptedOut, &it.EmailOptedOut)
				it.PracticeID, it.Kind, it.CreatedAt = practiceID, policy.Kind(kind), it.CreatedAt.UTC()
				if next.Valid {
					t := next.Time.UTC()
					it.NextContactAt = &t
				}
				c.Items = append(c.Items, it)
				return err
			}},
		sqldb.Read{Query: `SELECT patient_id, at FROM activities WHERE practice_id = $1 AND at > $2 AND channel IN ('call', 'text', 'email')`,
			Args: []any{practiceID, now.Add(-contact.Window)}, Row: func(r sqldb.Scanner) error {
				var id string
				var at time.Time
				err := r.Scan(&id, &at)
				c.Recent[id] = append(c.Recent[id], at.UTC())
				return err
			}},
		settingsRead(practiceID, &c.Settings),
		templatesRead(practiceID, &c.Templates),
	)
	return c, err
}

// cadenceRows bounds the rows one statement carries.
const cadenceRows = 500

// SendCadence implements message.CadenceStore. The items move first, in
// one statement a chunk; only those still at their planned step (and not
// being worked) are written on: so a step is taken once, even by two
// sweeps at once.
func (s *Store) SendCadence(ctx context.Context, practiceID string, sends []message.CadenceSend, now time.Time) (int, error) {
	taken := 0
	ctx = sqldb.WithPractice(ctx, practiceID)
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		taken = 0
		for start := 0; start < len(sends); start += cadenceRows {
			n, err := s.sendChunk(ctx, tx, sends[start:min(start+cadenceRows, len(sends))], now)
			if err != nil {
				return err
			}
			taken += n
		}
		return nil
	})
	return taken, sqldb.MapError(err)
}

func (s *Store) sendChunk(ctx context.Context, tx *sql.Tx, sends []message.CadenceSend, now time.Time) (int, error) {
	d := s.db.Dialect
	args := make([]any, 0, 3*len(sends))
	for _, c := range sends {
		args = append(args, c.WorkItemID, int64(c.Step), c.NextContactAt.UTC())
	}
	q, qargs, err := d.WithRows("id, step, next_at", 3, args, `UPDATE work_items SET cadence_step = cadence_step + 1, attempts = attempts + 1,
next_contact_at = v.next_at, version = version + 1, updated_at = %s,
state = CASE WHEN work_items.state = 'open' THEN 'open' ELSE 'waiting' END
FROM v WHERE work_items.id = v.id AND work_items.cadence_step = v.step AND work_items.state IN ('open', 'assigned', 'waiting')
RETURNING work_items.id, work_items.state`, now)
	if err != nil {
		return 0, err
	}
	rows, err := tx.QueryContext(ctx, q, qargs...)
	if err != nil {
		return 0, fmt.Errorf("take cadence steps: %w", err)
	}
	moved := map[string]string{}
	for rows.Next() {
		var id, state string
		if err := rows.Scan(&id, &state); err != nil {
			rows.Close()
			return 0, err
		}
		moved[id] = state
	}
	if err := rows.Close(); err != nil {
		return 0, err
	}
	var acts, msgs, links []any
	var tasks []outbox.Message
	var events []audit.Event
	nMsgs, nLinks := 0, 0
	for _, c := range sends {
		state, ok := moved[c.WorkItemID]
		if !ok {
			continue // worked, finished or stepped since it was read
		}
		m := c.Message
		acts = append(acts, c.ActivityID, m.PracticeID, m.WorkItemID, m.PatientID, message.SystemActor, string(m.Channel), string(work.Sent),
			"sent automatically by the cadence", c.NextContactAt.UTC(), now)
		msgs = append(msgs, m.ID, m.PracticeID, m.PatientID, m.WorkItemID, string(m.Channel), m.TemplateKey, m.Address, m.Subject, m.Body,
			c.UnsubscribeURL, now)
		nMsgs++
		for _, l := range c.Links {
			links = append(links, l.TokenHash, l.Purpose, m.PracticeID, m.PatientID, m.ID, l.ExpiresAt.UTC())
			nLinks++
		}
		deliver, err := outbox.New(message.DeliverArgs{MessageID: m.ID}, time.Time{})
		if err != nil {
			return 0, err
		}
		tasks = append(tasks, deliver)
		if state == string(work.Waiting) {
			due, err := outbox.New(work.DueArgs{WorkItemID: m.WorkItemID}, c.NextContactAt)
			if err != nil {
				return 0, err
			}
			tasks = append(tasks, due)
		}
		events = append(events, disclosure(c.Disclosure, now, audit.ActionMessageSend, m))
	}
	if nMsgs == 0 {
		return 0, nil
	}
	if err := insert(ctx, tx, d, `INSERT INTO activities (id, practice_id, work_item_id, patient_id, actor_id, channel, outcome, note, next_contact_at, at) `, 10, acts); err != nil {
		return 0, err
	}
	const cols = `id, practice_id, patient_id, work_item_id, channel, template_key, address, subject, body, unsubscribe_url, created_at`
	q, qargs, err = d.WithRows(cols, 11, msgs, `INSERT INTO patient_messages (`+cols+`, direction, state, actor_id, updated_at)
SELECT `+cols+`, 'out', 'queued', '`+message.SystemActor+`', created_at FROM v`)
	if err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, q, qargs...); err != nil {
		return 0, fmt.Errorf("write cadence messages: %w", err)
	}
	if nLinks > 0 {
		if err := insert(ctx, tx, d, `INSERT INTO message_links (token_hash, purpose, practice_id, patient_id, message_id, expires_at) `, 6, links); err != nil {
			return 0, err
		}
	}
	if _, err := outbox.AddBatch(ctx, tx, d, now, tasks); err != nil {
		return 0, err
	}
	return nMsgs, s.audit.Append(ctx, tx, events)
}

// insert writes rows (ncols values each) with one multi-row statement.
func insert(ctx context.Context, tx *sql.Tx, d sqldb.Dialect, head string, ncols int, rows []any) error {
	q, args, err := d.InsertRows(head, ncols, rows, "")
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("%s: %w", head[:min(len(head), 40)], err)
	}
	return nil
}
