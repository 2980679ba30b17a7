package msgstore

import (
	"context"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/message"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
)

// StaleAfter is how long a hand-over may run before another worker takes
// the message as cut off: longer than any provider call's timeout.
const StaleAfter = 2 * time.Minute

// platform is the scope of the delivery worker and the webhooks: a task
// or a callback names a message, not its practice.
func platform(ctx context.Context) context.Context { return sqldb.AllPractices(ctx) }

const claimedColumns = `practice_id, patient_id, COALESCE(work_item_id, ''), channel, template_key, address, subject, body, unsubscribe_url, actor_id, created_at`

// Claim implements message.Store. A queued message is taken in one
// conditional update, so of two workers only one sends it. An e-mail
// whose hand-over was cut off is taken again (the same Message-ID goes
// out); a text is marked unconfirmed instead, since the provider may have
// it and its receipt says so.
func (s *Store) Claim(ctx context.Context, id string, now time.Time) (message.Claimed, bool, error) {
	var c message.Claimed
	found := false
	ctx = platform(ctx)
	err := s.db.Write(ctx, func(w *sqldb.Writer) error {
		found = false
		c = message.Claimed{}
		var ch string
		ok, err := w.One(ctx, `UPDATE patient_messages SET state = 'sending', attempts = attempts + 1, updated_at = $2
WHERE id = $1 AND direction = 'out' AND (state = 'queued' OR (state = 'sending' AND channel = 'email' AND updated_at < $3))
RETURNING `+claimedColumns, []any{id, now, now.Add(-StaleAfter)},
			&c.PracticeID, &c.PatientID, &c.WorkItemID, &ch, &c.TemplateKey, &c.Address, &c.Subject, &c.Body, &c.UnsubscribeURL, &c.ActorID, &c.CreatedAt)
		if err != nil {
			return err
		}
		if !ok {
			w.Later(`UPDATE patient_messages SET state = 'unconfirmed', updated_at = $2, error = $4
WHERE id = $1 AND state = 'sending' AND channel = 'text' AND updated_at < $3`, id, now, now.Add(-StaleAfter),
				"the hand-over to the provider broke off; waiting for its receipt before sending again")
			return nil
		}
		found = true
		c.ID, c.Channel, c.Direction, c.State = id, message.Channel(ch), message.Out, message.Sending
		c.PerMinute = message.DefaultPerMinute
		var optedOut, dnc bool
		if _, err := w.One(ctx, `SELECT COALESCE((SELECT text_from FROM message_settings WHERE practice_id = $1), ''),
COALESCE((SELECT per_minute FROM message_settings WHERE practice_id = $1), 0),
EXISTS (SELECT 1 FROM message_optouts WHERE practice_id = $1 AND channel = $3 AND address = $4),
COALESCE((SELECT do_not_contact FROM patients WHERE id = $2), false)`, []any{c.PracticeID, c.PatientID, ch, c.Address},
			&c.TextFrom, &c.PerMinute, &optedOut, &dnc); err != nil {
			return err
		}
		if strings.HasPrefix(c.TemplateKey, "keyword_") {
			return nil // the carriers require the answer to a keyword, STOP included
		}
		switch {
		case optedOut:
			c.Blocked = "the patient opted out before it went"
		case dnc:
			c.Blocked = "the patient asked not to be contacted before it went"
		}
		return nil
	})
	return c, found, sqldb.MapError(err)
}

// Requeue implements message.Store.
func (s *Store) Requeue(ctx context.Context, id, reason string, now time.Time) error {
	err := s.db.Write(platform(ctx), func(w *sqldb.Writer) error {
		w.Later(`UPDATE patient_messages SET state = 'queued', error = $2, updated_at = $3 WHERE id = $1 AND state = 'sending'`, id, reason, now)
		return nil
	})
	return sqldb.MapError(err)
}

// Finish implements message.Store: the message's end, with its audit
// event, in one transaction.
func (s *Store) Finish(ctx context.Context, id string, state message.State, providerID, reason string, now time.Time) error {
	ctx = platform(ctx)
	err := s.db.Write(ctx, func(w *sqldb.Writer) error {
		var m message.Message
		var ch string
		ok, err := w.One(ctx, `UPDATE patient_messages SET state = $2, provider_id = $3, error = $4, updated_at = $5,
sent_at = CASE WHEN $2 IN ('sent', 'delivered') THEN $5 ELSE sent_at END
WHERE id = $1 AND state = 'sending' RETURNING practice_id, patient_id, COALESCE(work_item_id, ''), channel, template_key`,
			[]any{id, string(state), providerID, reason, now}, &m.PracticeID, &m.PatientID, &m.WorkItemID, &ch, &m.TemplateKey)
		if err != nil || !ok {
			return err
		}
		m.ID, m.Channel = id, message.Channel(ch)
		e := disclosure(audit.Event{}, now, audit.ActionMessageStatus, m)
		e.Reason += " " + string(state)
		return s.audit.Append(ctx, w, []audit.Event{e})
	})
	return sqldb.MapError(err)
}

// rank orders the states a receipt may move a message through: a receipt
// never moves a message back.
var rank = map[message.State]int{message.Queued: 0, message.Sending: 1, message.Unconfirmed: 1, message.Sent: 2, message.Delivered: 3, message.Failed: 3}

// Status implements message.Store: the message is found by its own id
// (carried in the callback's address) or the provider's; a receipt for
// an unconfirmed message records the provider's id, which settles it.
func (s *Store) Status(ctx context.Context, messageID, providerID string, state message.State, reason string, now time.Time) (bool, error) {
	var before []string
	for st, r := range rank {
		if r < rank[state] {
			before = append(before, string(st))
		}
	}
	if len(before) == 0 {
		return false, nil
	}
	found := false
	ctx = platform(ctx)
	err := s.db.Write(ctx, func(w *sqldb.Writer) error {
		var m message.Message
		var ch string
		in, args := s.db.Dialect.In("state", 6, before)
		ok, err := w.One(ctx, `UPDATE patient_messages SET state = $3, error = $4, updated_at = $5,
provider_id = CASE WHEN provider_id = '' THEN $2 ELSE provider_id END,
sent_at = COALESCE(sent_at, $5)
WHERE (id = $1 OR (provider_id = $2 AND provider_id <> '')) AND direction = 'out' AND `+in+`
RETURNING id, practice_id, patient_id, COALESCE(work_item_id, ''), channel, template_key`,
			append([]any{messageID, providerID, string(state), reason, now}, args...), &m.ID, &m.PracticeID, &m.PatientID, &m.WorkItemID, &ch, &m.TemplateKey)
		if err != nil || !ok {
			return err
		}
		found = true
		m.Channel = message.Channel(ch)
		e := disclosure(audit.Event{}, now, audit.ActionMessageStatus, m)
		e.Reason += " " + string(state)
		return s.audit.Append(ctx, w, []audit.Event{e})
	})
	return found, sqldb.MapError(err)
}
