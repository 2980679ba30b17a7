package msgstore

import (
	"context"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/message"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
)

// Unsubscribe implements message.Store: the address of the e-mail the
// link came in opts out of the practice's e-mails, with its audit event.
// A link used twice changes nothing more; an unknown or expired one
// reports false.
func (s *Store) Unsubscribe(ctx context.Context, tokenHash string, now time.Time) (bool, error) {
	found := false
	ctx = platform(ctx)
	err := s.db.Write(ctx, func(w *sqldb.Writer) error {
		var m message.Message
		var address string
		ok, err := w.One(ctx, `SELECT m.id, m.practice_id, m.patient_id, COALESCE(m.work_item_id, ''), m.address FROM message_links l
JOIN patient_messages m ON m.id = l.message_id WHERE l.token_hash = $1 AND l.purpose = 'unsubscribe' AND l.expires_at > $2`,
			[]any{tokenHash, now}, &m.ID, &m.PracticeID, &m.PatientID, &m.WorkItemID, &address)
		if err != nil || !ok {
			return err
		}
		found = true
		m.Channel = message.Email
		w.Later(`UPDATE message_links SET used_at = COALESCE(used_at, $2) WHERE token_hash = $1`, tokenHash, now)
		w.Later(`INSERT INTO message_optouts (practice_id, channel, address, source, at) VALUES ($1, 'email', $2, 'unsubscribe_link', $3)
ON CONFLICT (practice_id, channel, address) DO NOTHING`, m.PracticeID, address, now)
		return s.audit.Append(ctx, w, []audit.Event{withReason(disclosure(audit.Event{}, now, audit.ActionMessageOptOut, m), "email link")})
	})
	return found, sqldb.MapError(err)
}

// Message implements message.Store: one message, across practices.
func (s *Store) Message(ctx context.Context, id string) (message.Message, bool, error) {
	var m message.Message
	found := false
	err := s.db.ReadAll(platform(ctx), sqldb.Read{Query: `SELECT ` + messageColumns + ` FROM patient_messages WHERE id = $1`,
		Args: []any{id}, Row: func(r sqldb.Scanner) error {
			var err error
			m, err = scanMessage(r)
			found = true
			return err
		}})
	return m, found, err
}

// Outbox implements message.Store: the latest messages of every
// practice, newest first.
func (s *Store) Outbox(ctx context.Context, limit int) ([]message.Message, error) {
	out := []message.Message{}
	err := s.db.ReadAll(platform(ctx), sqldb.Read{Query: `SELECT ` + messageColumns + ` FROM patient_messages ORDER BY created_at DESC, id DESC LIMIT $1`,
		Args: []any{limit}, Row: func(r sqldb.Scanner) error {
			m, err := scanMessage(r)
			out = append(out, m)
			return err
		}})
	return out, err
}

// TextFrom implements message.Store: the practice's sending number.
func (s *Store) TextFrom(ctx context.Context, practiceID string) (string, error) {
	from := ""
	err := s.db.ReadAll(sqldb.WithPractice(ctx, practiceID), sqldb.Read{Query: `SELECT text_from FROM message_settings WHERE practice_id = $1`,
		Args: []any{practiceID}, Row: func(r sqldb.Scanner) error { return r.Scan(&from) }})
	return from, err
}
