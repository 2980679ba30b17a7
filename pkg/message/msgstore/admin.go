package msgstore

import (
	"context"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/message"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
)

var _ message.AdminStore = (*Store)(nil)

// Settings implements message.AdminStore; a practice that set none has
// the defaults.
func (s *Store) Settings(ctx context.Context, practiceID string) (message.Settings, error) {
	out := message.Settings{PerMinute: message.DefaultPerMinute}
	err := s.db.ReadAll(sqldb.WithPractice(ctx, practiceID), settingsRead(practiceID, &out))
	return out, err
}

// PutSettings implements message.AdminStore, with its audit event.
func (s *Store) PutSettings(ctx context.Context, practiceID string, st message.Settings, ev audit.Event, now time.Time) error {
	ctx = sqldb.WithPractice(ctx, practiceID)
	err := s.db.Write(ctx, func(w *sqldb.Writer) error {
		w.Later(`INSERT INTO message_settings (practice_id, text_from, automatic, per_minute, updated_at) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (practice_id) DO UPDATE SET text_from = excluded.text_from, automatic = excluded.automatic, per_minute = excluded.per_minute, updated_at = excluded.updated_at`,
			practiceID, st.TextFrom, st.Automatic, st.PerMinute, now)
		e := audit.Change(ev, now, audit.ActionPracticeUpdate, practiceID, audit.TargetMessageSettings, practiceID)
		return s.audit.Append(ctx, w, []audit.Event{e})
	})
	return sqldb.MapError(err)
}

// PutTemplate implements message.AdminStore, with its audit event.
func (s *Store) PutTemplate(ctx context.Context, practiceID string, t message.Template, by string, ev audit.Event, now time.Time) error {
	ctx = sqldb.WithPractice(ctx, practiceID)
	err := s.db.Write(ctx, func(w *sqldb.Writer) error {
		w.Later(`INSERT INTO message_templates (practice_id, key, channel, name, subject, body, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (practice_id, key, channel) DO UPDATE SET name = excluded.name, subject = excluded.subject, body = excluded.body,
updated_by = excluded.updated_by, updated_at = excluded.updated_at`, practiceID, t.Key, string(t.Channel), t.Name, t.Subject, t.Body, by, now)
		e := audit.Change(ev, now, audit.ActionMessageTemplate, practiceID, audit.TargetMessageTemplate, string(t.Channel)+" "+t.Key)
		return s.audit.Append(ctx, w, []audit.Event{e})
	})
	return sqldb.MapError(err)
}

// DeleteTemplate implements message.AdminStore: the practice's copy goes,
// and the default applies again.
func (s *Store) DeleteTemplate(ctx context.Context, practiceID, key string, ch message.Channel, ev audit.Event, now time.Time) (bool, error) {
	found := false
	ctx = sqldb.WithPractice(ctx, practiceID)
	err := s.db.Write(ctx, func(w *sqldb.Writer) error {
		var k string
		ok, err := w.One(ctx, `DELETE FROM message_templates WHERE practice_id = $1 AND key = $2 AND channel = $3 RETURNING key`,
			[]any{practiceID, key, string(ch)}, &k)
		if err != nil || !ok {
			return err
		}
		found = true
		e := audit.Change(ev, now, audit.ActionMessageTemplate, practiceID, audit.TargetMessageTemplate, string(ch)+" "+key)
		e.Reason = "reset to default"
		return s.audit.Append(ctx, w, []audit.Event{e})
	})
	return found, sqldb.MapError(err)
}

// Problems implements message.AdminStore: two reads sent together, each
// bounded. A text whose hand-over broke off and that no receipt settled
// within message.UnconfirmedAfter is listed with the failures: a person
// decides whether to send it again.
func (s *Store) Problems(ctx context.Context, practiceID string, since, now time.Time) (message.Problems, error) {
	var out message.Problems
	err := s.db.ReadAll(sqldb.WithPractice(ctx, practiceID),
		sqldb.Read{Query: `SELECT o.channel, COALESCE(p.id, ''), COALESCE(p.first_name || ' ' || p.last_name, ''), o.source, o.at
FROM message_optouts o LEFT JOIN patients p ON p.practice_id = o.practice_id AND p.id = (SELECT MIN(q.id) FROM patients q
  WHERE q.practice_id = o.practice_id AND ((o.channel = 'text' AND q.phone = o.address) OR (o.channel = 'email' AND q.email = o.address)))
WHERE o.practice_id = $1 ORDER BY o.at DESC LIMIT 500`, Args: []any{practiceID}, Row: func(r sqldb.Scanner) error {
			var o message.OptOut
			var ch string
			err := r.Scan(&ch, &o.PatientID, &o.PatientName, &o.Source, &o.At)
			o.Channel, o.At = message.Channel(ch), o.At.UTC()
			out.OptOuts = append(out.OptOuts, o)
			return err
		}},
		sqldb.Read{Query: `SELECT m.id, m.patient_id, p.first_name || ' ' || p.last_name, COALESCE(m.work_item_id, ''), m.channel, m.template_key, m.state, m.error, m.updated_at
FROM patient_messages m JOIN patients p ON p.id = m.patient_id
WHERE m.practice_id = $1 AND m.updated_at >= $2 AND (m.state = 'failed' OR (m.state = 'unconfirmed' AND m.updated_at < $3))
ORDER BY m.updated_at DESC LIMIT 500`,
			Args: []any{practiceID, since, now.Add(-message.UnconfirmedAfter)}, Row: func(r sqldb.Scanner) error {
				var f message.Failure
				var ch, state string
				err := r.Scan(&f.MessageID, &f.PatientID, &f.PatientName, &f.WorkItemID, &ch, &f.TemplateKey, &state, &f.Error, &f.At)
				f.Channel, f.State, f.At = message.Channel(ch), message.State(state), f.At.UTC()
				out.Failures = append(out.Failures, f)
				return err
			}})
	return out, err
}
