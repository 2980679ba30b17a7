package message

import (
	"context"
	"strings"

	"github.com/backdesk/backdesk/pkg/message/sms"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
)

// ProviderStatus maps a text provider's status word to a state: queued,
// accepted and sending are still on their way (sent); sent and delivered
// arrived as far as the provider can tell; failed and undelivered did
// not. Other words (read, receiving) change nothing.
func ProviderStatus(word string) (State, bool) {
	switch strings.ToLower(word) {
	case "accepted", "scheduled", "queued", "sending", "sent":
		return Sent, true
	case "delivered", "read":
		return Delivered, true
	case "failed", "undelivered", "canceled":
		return Failed, true
	}
	return "", false
}

// Status applies a provider's receipt for the message messageID (from the
// callback's address; empty when it has none). A receipt for a message
// Backdesk does not know is ignored (reported false): the provider may
// hold messages sent before a restore.
func (s *Service) Status(ctx context.Context, messageID string, st sms.Status) (bool, error) {
	state, ok := ProviderStatus(st.Status)
	if !ok {
		return false, nil
	}
	reason := ""
	if state == Failed {
		reason = "the carrier did not deliver it"
		if st.ErrorCode != "" {
			reason += " (provider code " + st.ErrorCode + ")"
		}
	}
	return s.store.Status(ctx, messageID, st.ProviderID, state, reason, s.clock())
}

// Receive applies a text from a patient: STOP and its synonyms opt the
// number out of the practice's texts at once, START opts it back in, HELP
// asks who is writing; anything else is a reply, threaded with what was
// sent and brought to the item's owner. With KeywordAnswers set,
// Backdesk answers the keywords itself, as carriers require of the
// sender. A text from a number Backdesk never wrote to is dropped
// (reported not found), since no practice can be named for it.
func (s *Service) Receive(ctx context.Context, in sms.Inbound) (Inbound, error) {
	kw := sms.ClassifyKeyword(in.Body)
	got, err := s.store.Receive(ctx, in, kw, s.clock())
	if err != nil || !got.Found {
		return got, err
	}
	if s.answers && got.Keyword != sms.NoKeyword {
		if err := s.answer(ctx, got, got.Keyword); err != nil {
			return got, err
		}
	}
	return got, nil
}

// KeywordAnswer is what Backdesk answers to a keyword, in the words the
// carriers' guidelines ask for.
func KeywordAnswer(practiceName, practicePhone string, kw sms.Keyword) string {
	switch kw {
	case sms.StopKeyword:
		return practiceName + ": you will no longer receive texts from us. Reply START to receive them again."
	case sms.StartKeyword:
		return practiceName + ": you will receive texts from us again. Reply STOP to stop, HELP for help."
	case sms.HelpKeyword:
		return practiceName + ": reminders about your dental care and account. For help call " + PhoneWords(practicePhone) +
			". Msg&data rates may apply. Reply STOP to stop."
	}
	return ""
}

// answer queues the answer to a keyword. It is not a follow-up contact:
// it records no activity and keeps no rule but the carriers' own, which
// require it even of a number that just opted out.
func (s *Service) answer(ctx context.Context, got Inbound, kw sms.Keyword) error {
	prof, err := s.profiles.Profile(ctx, got.PracticeID)
	if err != nil {
		return err
	}
	now := s.clock()
	o := Outgoing{Message: Message{ID: newID(), PracticeID: got.PracticeID, PatientID: got.PatientID, WorkItemID: got.WorkItemID,
		Direction: Out, Channel: Text, TemplateKey: "keyword_" + strings.ToLower(kw.String()), Address: got.From,
		Body: KeywordAnswer(prof.Practice.Name, prof.Phone, kw), State: Queued, ActorID: SystemActor, CreatedAt: now}}
	ctx = sqldb.WithPractice(ctx, got.PracticeID)
	return s.db.Write(ctx, func(w *sqldb.Writer) error { return s.store.Queue(ctx, w, o, now) })
}

// Unsubscribe applies an e-mail's one-click unsubscribe link: its address
// opts out of the practice's e-mails. An unknown or expired link reports
// false, and says nothing about whom it was for.
func (s *Service) Unsubscribe(ctx context.Context, token string) (bool, error) {
	return s.store.Unsubscribe(ctx, HashToken(token), s.clock())
}

// ReplyAsPatient answers a text in the dev outbox as its patient would:
// the reply goes through Receive exactly as a provider's webhook does.
func (s *Service) ReplyAsPatient(ctx context.Context, messageID, body string) (Inbound, error) {
	m, ok, err := s.store.Message(ctx, messageID)
	switch {
	case err != nil:
		return Inbound{}, err
	case !ok:
		return Inbound{}, apperr.NotFound("message")
	case m.Direction != Out || m.Channel != Text:
		return Inbound{}, apperr.Invalid("message_id", "not_a_text", "only a text sent to a patient can be answered")
	case strings.TrimSpace(body) == "":
		return Inbound{}, apperr.Invalid("body", "required", "write the patient's reply")
	}
	from, err := s.store.TextFrom(ctx, m.PracticeID)
	if err != nil {
		return Inbound{}, err
	}
	return s.Receive(ctx, sms.Inbound{ProviderID: "dev:" + newID(), From: m.Address, To: from, Body: body})
}
