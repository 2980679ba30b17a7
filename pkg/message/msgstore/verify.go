package msgstore

import (
	"context"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/message"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/policy"
)

// linkColumns read what a link's page needs to know: the link, whether
// it is still in time, whether it can be verified at all (the practice
// is active, the patient has a date of birth on file).
const linkColumns = `l.failures, l.expires_at > $2, pr.status = 'active' AND p.date_of_birth <> ''`

const linkFrom = ` FROM message_links l JOIN patients p ON p.id = l.patient_id JOIN practices pr ON pr.id = l.practice_id
WHERE l.token_hash = $1 AND l.purpose = 'verify'`

// Link implements message.Store: the state of a verify link, read
// across practices (a link names no practice). An unknown link, one
// whose time is up and one that cannot be verified all read unknown.
func (s *Store) Link(ctx context.Context, tokenHash string, now time.Time) (message.LinkState, int, error) {
	st, left := message.LinkUnknown, 0
	err := s.db.ReadAll(platform(ctx), sqldb.Read{Query: `SELECT ` + linkColumns + linkFrom,
		Args: []any{tokenHash, now}, Row: func(r sqldb.Scanner) error {
			var failures int
			var inTime, usable bool
			if err := r.Scan(&failures, &inTime, &usable); err != nil {
				return err
			}
			switch {
			case !inTime || !usable:
			case failures >= message.LinkTries:
				st = message.LinkLocked
			default:
				st, left = message.LinkAsk, message.LinkTries-failures
			}
			return nil
		}})
	return st, left, err
}

// VerifyLink implements message.Store, in one transaction: the link's
// row is locked, the date entered is compared with the patient's date of
// birth, and the failure counter or used_at changes with the try's audit
// event. A link that does not exist records nothing: it names no
// practice or patient.
func (s *Store) VerifyLink(ctx context.Context, tokenHash, dob string, ev audit.Event, now time.Time) (message.LinkVerdict, error) {
	var v message.LinkVerdict
	ctx = platform(ctx)
	err := s.db.Write(ctx, func(w *sqldb.Writer) error {
		v = message.LinkVerdict{State: message.LinkUnknown}
		var m message.Message
		var failures int
		var inTime, usable bool
		var onFile, firstName, kind string
		ok, err := w.One(ctx, `SELECT `+linkColumns+`, l.message_id, l.practice_id, l.patient_id, COALESCE(pm.work_item_id, ''),
COALESCE(wi.kind, ''), p.date_of_birth, p.first_name
FROM message_links l JOIN patients p ON p.id = l.patient_id JOIN practices pr ON pr.id = l.practice_id
JOIN patient_messages pm ON pm.id = l.message_id LEFT JOIN work_items wi ON wi.id = pm.work_item_id
WHERE l.token_hash = $1 AND l.purpose = 'verify'`+s.db.Dialect.ForUpdate("l"),
			[]any{tokenHash, now}, &failures, &inTime, &usable, &m.ID, &m.PracticeID, &m.PatientID, &m.WorkItemID, &kind, &onFile, &firstName)
		if err != nil || !ok {
			return err
		}
		e := linkEvent(ev, now, m)
		switch {
		case !inTime:
			e.Outcome, e.Reason = audit.OutcomeDeny, "expired"
		case !usable:
			e.Outcome, e.Reason = audit.OutcomeDeny, "unusable"
		case failures >= message.LinkTries:
			v.State = message.LinkLocked
			e.Outcome, e.Reason = audit.OutcomeDeny, "locked"
		case !message.SameBirthDate(onFile, dob):
			failures++
			v.Mismatch, v.State, v.TriesLeft = true, message.LinkAsk, message.LinkTries-failures
			if failures >= message.LinkTries {
				v.State = message.LinkLocked
			}
			w.Later(`UPDATE message_links SET failures = $2 WHERE token_hash = $1`, tokenHash, failures)
			e.Outcome, e.Reason, e.Counts = audit.OutcomeDeny, "mismatch", map[string]int{"failures": failures}
		default:
			v.State, v.TriesLeft = message.LinkVerified, message.LinkTries-failures
			v.PracticeID, v.FirstName, v.Kind = m.PracticeID, firstName, policy.Kind(kind)
			w.Later(`UPDATE message_links SET used_at = COALESCE(used_at, $2) WHERE token_hash = $1`, tokenHash, now)
			e.Reason, e.Fields = "verified", []string{"first_name", "work_item_kind"}
		}
		return s.audit.Append(ctx, w, []audit.Event{e})
	})
	if err != nil {
		return message.LinkVerdict{}, sqldb.MapError(err)
	}
	return v, nil
}

// linkEvent is the audit event of a try at a link's page: by the link's
// holder (with where the try came from, as ev has it), about the message,
// its patient and item.
func linkEvent(ev audit.Event, at time.Time, m message.Message) audit.Event {
	if ev.Actor.Subject == "" {
		ev.Actor.Issuer, ev.Actor.Subject, ev.Actor.Role = audit.LinkHolder.Issuer, audit.LinkHolder.Subject, audit.LinkHolder.Role
	}
	e := audit.Change(ev, at, audit.ActionMessageLinkOpen, m.PracticeID, audit.TargetMessage, m.ID)
	e.PatientIDs, e.WorkItemID = []string{m.PatientID}, m.WorkItemID
	return e
}
