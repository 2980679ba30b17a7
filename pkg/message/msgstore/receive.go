package msgstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/message"
	"github.com/backdesk/backdesk/pkg/message/sms"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/google/uuid"
)

// PatientActor is the actor id kept on a message a patient sent.
const PatientActor = "patient"

// Receive implements message.Store, in one transaction. The practice is
// the one whose number the text came to; when no practice has that
// number (a shared sender), the one that last texted the patient's
// number. The patient and item are those of the last text sent to the
// number, else the practice's patient with that number. A text already
// received (the provider's retry) changes nothing.
func (s *Store) Receive(ctx context.Context, in sms.Inbound, kw sms.Keyword, now time.Time) (message.Inbound, error) {
	var got message.Inbound
	ctx = platform(ctx)
	err := s.db.Write(ctx, func(w *sqldb.Writer) error {
		got = message.Inbound{From: in.From}
		var dup bool
		if _, err := w.One(ctx, `SELECT EXISTS (SELECT 1 FROM patient_messages WHERE provider_id = $1 AND direction = 'in'),
COALESCE((SELECT MIN(practice_id) FROM message_settings WHERE text_from = $2 AND text_from <> ''), '')`,
			[]any{in.ProviderID, in.To}, &dup, &got.PracticeID); err != nil {
			return err
		}
		if dup {
			return nil
		}
		var item sql.NullString
		ok, err := w.One(ctx, `SELECT practice_id, patient_id, work_item_id FROM patient_messages
WHERE address = $1 AND direction = 'out' AND channel = 'text' AND ($2 = '' OR practice_id = $2)
ORDER BY created_at DESC LIMIT 1`, []any{in.From, got.PracticeID}, &got.PracticeID, &got.PatientID, &item)
		if err != nil {
			return err
		}
		got.WorkItemID = item.String
		if !ok && got.PracticeID != "" {
			if ok, err = w.One(ctx, `SELECT id FROM patients WHERE practice_id = $1 AND phone = $2 ORDER BY id LIMIT 1`,
				[]any{got.PracticeID, in.From}, &got.PatientID); err != nil {
				return err
			}
		}
		if !ok {
			return nil // nobody Backdesk wrote to: no practice or patient to keep it with
		}
		got.Found = true
		if kw == sms.StartKeyword {
			// START and YES change consent only for a number that opted
			// out; from anyone else "Yes" is an answer to the message.
			var out bool
			if _, err := w.One(ctx, `SELECT EXISTS (SELECT 1 FROM message_optouts WHERE practice_id = $1 AND channel = 'text' AND address = $2)`,
				[]any{got.PracticeID, in.From}, &out); err != nil {
				return err
			}
			if !out {
				kw = sms.NoKeyword
			}
		}
		got.Keyword = kw
		got.MessageID = uuid.Must(uuid.NewV7()).String()
		m := message.Message{ID: got.MessageID, PracticeID: got.PracticeID, PatientID: got.PatientID, WorkItemID: got.WorkItemID,
			Direction: message.In, Channel: message.Text}
		w.Later(`INSERT INTO patient_messages (id, practice_id, patient_id, work_item_id, direction, channel, address, body, state,
provider_id, actor_id, created_at, updated_at) VALUES ($1, $2, $3, $4, 'in', 'text', $5, $6, 'received', $7, $8, $9, $9)`,
			m.ID, m.PracticeID, m.PatientID, nullString(m.WorkItemID), in.From, in.Body, in.ProviderID, PatientActor, now)
		why := "text reply"
		if kw != sms.NoKeyword {
			why = "text " + kw.String()
		}
		events := []audit.Event{withReason(disclosure(audit.Event{}, now, audit.ActionMessageReceive, m), why)}
		switch kw {
		case sms.StopKeyword:
			w.Later(`INSERT INTO message_optouts (practice_id, channel, address, source, at) VALUES ($1, 'text', $2, 'keyword', $3)
ON CONFLICT (practice_id, channel, address) DO NOTHING`, m.PracticeID, in.From, now)
			events = append(events, withReason(disclosure(audit.Event{}, now, audit.ActionMessageOptOut, m), "text keyword"))
		case sms.StartKeyword:
			w.Later(`DELETE FROM message_optouts WHERE practice_id = $1 AND channel = 'text' AND address = $2`, m.PracticeID, in.From)
			events = append(events, withReason(disclosure(audit.Event{}, now, audit.ActionMessageOptIn, m), "text keyword"))
		case sms.NoKeyword:
			if m.WorkItemID != "" {
				// The owner hears of it at once: a waiting item comes back.
				w.Later(`UPDATE work_items SET replied_at = $2, version = version + 1, updated_at = $2,
state = CASE WHEN state = 'waiting' AND owner_id IS NOT NULL THEN 'assigned' ELSE state END
WHERE id = $1 AND state NOT IN ('resolved', 'closed')`, m.WorkItemID, now)
			}
		}
		return s.audit.Append(ctx, w, events)
	})
	return got, sqldb.MapError(err)
}

func withReason(e audit.Event, reason string) audit.Event {
	e.Reason = reason
	return e
}

// Thread implements message.Store.
func (s *Store) Thread(ctx context.Context, practiceID, itemID string) ([]message.Message, error) {
	out := []message.Message{}
	err := s.db.ReadAll(sqldb.WithPractice(ctx, practiceID), sqldb.Read{Query: `SELECT ` + messageColumns + `
FROM patient_messages WHERE practice_id = $1 AND work_item_id = $2 ORDER BY created_at, id`, Args: []any{practiceID, itemID},
		Row: func(r sqldb.Scanner) error {
			m, err := scanMessage(r)
			out = append(out, m)
			return err
		}})
	return out, err
}

const messageColumns = `id, practice_id, patient_id, COALESCE(work_item_id, ''), direction, channel, template_key, address, subject, body,
state, error, actor_id, created_at, sent_at`

func scanMessage(r sqldb.Scanner) (message.Message, error) {
	var m message.Message
	var dir, ch, state string
	var sent sql.NullTime
	err := r.Scan(&m.ID, &m.PracticeID, &m.PatientID, &m.WorkItemID, &dir, &ch, &m.TemplateKey, &m.Address, &m.Subject, &m.Body,
		&state, &m.Error, &m.ActorID, &m.CreatedAt, &sent)
	m.Direction, m.Channel, m.State = message.Direction(dir), message.Channel(ch), message.State(state)
	m.CreatedAt = m.CreatedAt.UTC()
	if sent.Valid {
		t := sent.Time.UTC()
		m.SentAt = &t
	}
	return m, err
}
