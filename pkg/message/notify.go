package message

import (
	"context"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
)

// Notice is a message Backdesk sends a patient on its own, not as a step
// of follow-up work: an e-statement's notice. It logs no activity.
type Notice struct {
	PracticeID string
	PatientID  string
	WorkItemID string // the account's follow-up, if any, to thread it with
	Channel    Channel
	Template   string
	Link       string // fills {{link}}
}

// Notify sends a notice, keeping the rules that do not depend on work:
// an address, opt-outs, do-not-contact, the practice's channels and
// consent. It is written with its audit event (actor system) and its
// delivery task in one transaction. A rule that refuses it is an error on
// field channel naming the rule, as for a send.
func (s *Service) Notify(ctx context.Context, n Notice, ev audit.Event) (Message, error) {
	prof, err := s.profiles.Profile(ctx, n.PracticeID)
	if err != nil {
		return Message{}, err
	}
	a, err := s.store.PatientAccount(ctx, n.PracticeID, n.PatientID)
	if err != nil {
		return Message{}, err
	}
	a.WorkItemID = n.WorkItemID
	now := s.clock()
	d, t, err := s.draft(a, prof, n.Channel, n.Template, n.Link, now)
	if err != nil {
		return Message{}, err
	}
	if !d.Allowed {
		return Message{}, apperr.Invalid("channel", d.Rule, "%s", d.Reason)
	}
	// The link is the notice's own (it asks for the date of birth
	// itself): no verify link is made, only an e-mail's unsubscribe link.
	o, err := s.outgoing(a, d, t, SystemActor, "", now)
	if err != nil {
		return Message{}, err
	}
	o.Disclosure = ev
	ctx = sqldb.WithPractice(ctx, n.PracticeID)
	err = s.db.Write(ctx, func(w *sqldb.Writer) error { return s.store.Queue(ctx, w, o, now) })
	return o.Message, err
}
