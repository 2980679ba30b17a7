package message

import (
	"context"
	"fmt"

	"github.com/backdesk/backdesk/pkg/message/email"
	"github.com/backdesk/backdesk/pkg/message/sms"
)

// TextProvider delivers texts through an sms.Provider (Twilio).
type TextProvider struct{ SMS sms.Provider }

// Deliver implements Provider.
func (p TextProvider) Deliver(ctx context.Context, d Delivery) (Receipt, error) {
	r, err := p.SMS.Send(ctx, sms.Text{To: d.To, From: d.From, Body: d.Body, StatusCallback: d.StatusURL, Key: d.ID})
	if err != nil {
		return Receipt{}, err
	}
	return Receipt{ProviderID: r.ProviderID}, nil
}

// EmailProvider delivers e-mails over SMTP.
type EmailProvider struct{ Sender *email.Sender }

// Deliver implements Provider. The message id is the Message-ID's local
// part, so a message sent twice after a broken hand-over has one
// Message-ID, which mail systems take as one message.
func (p EmailProvider) Deliver(ctx context.Context, d Delivery) (Receipt, error) {
	err := p.Sender.Send(ctx, email.Mail{To: d.To, Subject: d.Subject, Body: d.Body, MessageID: d.ID, UnsubscribeURL: d.UnsubscribeURL})
	if err != nil {
		return Receipt{}, err
	}
	return Receipt{ProviderID: "smtp:" + d.ID}, nil
}

// DevOutbox is the dev binary's provider: it takes every message and
// reports it delivered, so the whole loop runs without a provider and the
// messages show on the dev outbox page. It never reaches anyone.
type DevOutbox struct{}

// Deliver implements Provider.
func (DevOutbox) Deliver(_ context.Context, d Delivery) (Receipt, error) {
	if d.To == "" {
		return Receipt{}, fmt.Errorf("dev outbox: no address: %w", ErrPermanent)
	}
	return Receipt{ProviderID: "dev:" + d.ID, Delivered: true}, nil
}
