// Package msgstore keeps patients' messages, their links and opt-outs,
// and the practices' message settings and templates, in PostgreSQL or
// SQLite.
package msgstore

import (
	"context"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/contact"
	"github.com/backdesk/backdesk/pkg/message"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/outbox"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/policy"
)

// Store implements message.Store.
type Store struct {
	db    *sqldb.DB
	audit audit.Appender
}

var _ message.Store = (*Store)(nil)

// New returns a Store over db that writes audit events through trail.
func New(db *sqldb.DB, trail audit.Appender) *Store { return &Store{db: db, audit: trail} }

// Account implements message.Store: four reads sent together.
func (s *Store) Account(ctx context.Context, practiceID, itemID string, now time.Time) (message.Account, error) {
	a := message.Account{PracticeID: practiceID, WorkItemID: itemID, Settings: message.Settings{PerMinute: message.DefaultPerMinute}}
	found := false
	err := s.db.ReadAll(sqldb.WithPractice(ctx, practiceID),
		sqldb.Read{Query: `SELECT w.patient_id, w.kind, COALESCE(w.owner_id, ''), p.first_name, p.phone, p.email, p.do_not_contact, p.text_consent,
COALESCE((SELECT r.due_date FROM recalls r WHERE w.subject_type = 'recall' AND r.id = w.subject_id), ''),
EXISTS (SELECT 1 FROM message_optouts o WHERE o.practice_id = w.practice_id AND o.channel = 'text' AND o.address = p.phone AND p.phone <> ''),
EXISTS (SELECT 1 FROM message_optouts o WHERE o.practice_id = w.practice_id AND o.channel = 'email' AND o.address = p.email AND p.email <> '')
FROM work_items w JOIN patients p ON p.id = w.patient_id WHERE w.id = $1 AND w.practice_id = $2`,
			Args: []any{itemID, practiceID}, Row: func(r sqldb.Scanner) error {
				found = true
				var kind string
				err := r.Scan(&a.PatientID, &kind, &a.OwnerID, &a.FirstName, &a.Phone, &a.Email, &a.DoNotContact, &a.TextConsent,
					&a.DueDate, &a.TextOptedOut, &a.EmailOptedOut)
				a.Kind = policy.Kind(kind)
				return err
			}},
		sqldb.Read{Query: `SELECT a.at FROM activities a JOIN work_items w ON w.patient_id = a.patient_id
WHERE w.id = $1 AND a.at > $2 AND a.channel IN ('call', 'text', 'email') ORDER BY a.at`,
			Args: []any{itemID, now.Add(-contact.Window)}, Row: func(r sqldb.Scanner) error {
				var at time.Time
				err := r.Scan(&at)
				a.Recent = append(a.Recent, at.UTC())
				return err
			}},
		settingsRead(practiceID, &a.Settings),
		templatesRead(practiceID, &a.Templates),
	)
	if err != nil {
		return message.Account{}, err
	}
	if !found {
		return message.Account{}, apperr.NotFound("work item")
	}
	return a, nil
}

// Queue implements message.Store: the message, its links, its delivery
// task and its audit event travel with the caller's commit.
func (s *Store) Queue(ctx context.Context, w *sqldb.Writer, o message.Outgoing, now time.Time) error {
	m := o.Message
	w.Later(`INSERT INTO patient_messages (id, practice_id, patient_id, work_item_id, direction, channel, template_key, address,
subject, body, state, unsubscribe_url, actor_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)`,
		m.ID, m.PracticeID, m.PatientID, nullString(m.WorkItemID), string(m.Direction), string(m.Channel), m.TemplateKey, m.Address,
		m.Subject, m.Body, string(m.State), o.UnsubscribeURL, m.ActorID, now)
	for _, l := range o.Links {
		w.Later(`INSERT INTO message_links (token_hash, purpose, practice_id, patient_id, message_id, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			l.TokenHash, l.Purpose, m.PracticeID, m.PatientID, m.ID, l.ExpiresAt.UTC())
	}
	if _, err := outbox.Enqueue(ctx, w, now, message.DeliverArgs{MessageID: m.ID}, time.Time{}); err != nil {
		return err
	}
	e := disclosure(o.Disclosure, now, audit.ActionMessageSend, m)
	return s.audit.Append(ctx, w, []audit.Event{e})
}

// disclosure is the audit event of a message: its patient, item, channel
// and template, never its address or body.
func disclosure(ev audit.Event, at time.Time, action audit.Action, m message.Message) audit.Event {
	e := audit.Change(ev, at, action, m.PracticeID, audit.TargetMessage, m.ID)
	e.PatientIDs, e.WorkItemID = []string{m.PatientID}, m.WorkItemID
	e.Reason = string(m.Channel)
	if m.TemplateKey != "" {
		e.Reason += " " + m.TemplateKey
	}
	return e
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Templates implements message.Store.
func (s *Store) Templates(ctx context.Context, practiceID string) ([]message.Template, error) {
	var out []message.Template
	err := s.db.ReadAll(sqldb.WithPractice(ctx, practiceID), templatesRead(practiceID, &out))
	return out, err
}

func scanTemplate(r sqldb.Scanner) (message.Template, error) {
	var t message.Template
	var ch string
	err := r.Scan(&t.Key, &ch, &t.Name, &t.Subject, &t.Body)
	t.Channel = message.Channel(ch)
	return t, err
}

// PatientAccount implements message.Store: three reads sent together.
func (s *Store) PatientAccount(ctx context.Context, practiceID, patientID string) (message.Account, error) {
	a := message.Account{PracticeID: practiceID, PatientID: patientID, Settings: message.Settings{PerMinute: message.DefaultPerMinute}}
	found := false
	err := s.db.ReadAll(sqldb.WithPractice(ctx, practiceID),
		sqldb.Read{Query: `SELECT p.first_name, p.phone, p.email, p.do_not_contact, p.text_consent,
EXISTS (SELECT 1 FROM message_optouts o WHERE o.practice_id = p.practice_id AND o.channel = 'text' AND o.address = p.phone AND p.phone <> ''),
EXISTS (SELECT 1 FROM message_optouts o WHERE o.practice_id = p.practice_id AND o.channel = 'email' AND o.address = p.email AND p.email <> '')
FROM patients p WHERE p.id = $1 AND p.practice_id = $2`, Args: []any{patientID, practiceID}, Row: func(r sqldb.Scanner) error {
			found = true
			return r.Scan(&a.FirstName, &a.Phone, &a.Email, &a.DoNotContact, &a.TextConsent, &a.TextOptedOut, &a.EmailOptedOut)
		}},
		settingsRead(practiceID, &a.Settings),
		templatesRead(practiceID, &a.Templates),
	)
	if err == nil && !found {
		err = apperr.NotFound("patient")
	}
	return a, err
}

// settingsRead reads a practice's message settings into st; a practice
// that set none keeps what st holds (the defaults).
func settingsRead(practiceID string, st *message.Settings) sqldb.Read {
	return sqldb.Read{Query: `SELECT text_from, automatic, per_minute FROM message_settings WHERE practice_id = $1`,
		Args: []any{practiceID}, Row: func(r sqldb.Scanner) error { return r.Scan(&st.TextFrom, &st.Automatic, &st.PerMinute) }}
}

// templatesRead reads a practice's own templates into ts.
func templatesRead(practiceID string, ts *[]message.Template) sqldb.Read {
	return sqldb.Read{Query: `SELECT key, channel, name, subject, body FROM message_templates WHERE practice_id = $1 ORDER BY key, channel`,
		Args: []any{practiceID}, Row: func(r sqldb.Scanner) error {
			t, err := scanTemplate(r)
			*ts = append(*ts, t)
			return err
		}}
}
