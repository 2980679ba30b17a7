package domains

import (
	"fmt"

	"github.com/backdesk/backdesk/pkg/billing"
	"github.com/backdesk/backdesk/pkg/billing/billstore"
	"github.com/backdesk/backdesk/pkg/payment"
	"github.com/backdesk/backdesk/pkg/payment/stripe"

	"github.com/backdesk/backdesk/pkg/message"
	"github.com/backdesk/backdesk/pkg/message/email"
	"github.com/backdesk/backdesk/pkg/message/msgstore"
	"github.com/backdesk/backdesk/pkg/message/sms/twilio"
	"github.com/backdesk/backdesk/pkg/platform/config"
	"github.com/backdesk/backdesk/services/internal/serve"
)

// messages builds the message service over the configured providers: the
// dev outbox, Twilio for texts, an SMTP relay for e-mail. A channel
// without a provider keeps its messages queued. It returns the Twilio
// client too, which checks the provider's callbacks.
func messages(p *serve.Process, d *Domains) (*message.Service, *twilio.Client, error) {
	c := p.Config.Messages
	providers := map[message.Channel]message.Provider{}
	var tw *twilio.Client
	switch c.TextProvider {
	case "dev":
		providers[message.Text] = message.DevOutbox{}
	case "twilio":
		var err error
		tw, err = twilio.New(twilio.Config{AccountSID: c.TwilioAccountSID, AuthTokenRef: c.TwilioAuthTokenRef, From: c.TwilioFrom,
			MessagingServiceSID: c.TwilioMessagingServiceSID, BaseURL: c.TwilioBaseURL})
		if err != nil {
			return nil, nil, fmt.Errorf("BACKDESK_TWILIO_*: %w", err)
		}
		providers[message.Text] = message.TextProvider{SMS: tw}
	}
	switch c.EmailProvider {
	case "dev":
		providers[message.Email] = message.DevOutbox{}
	case "smtp":
		s, err := email.New(email.Config{Host: c.SMTPHost, Port: c.SMTPPort, TLS: email.TLSMode(c.SMTPTLS), Username: c.SMTPUsername,
			PasswordRef: c.SMTPPasswordRef, From: c.SMTPFrom, FromName: c.SMTPFromName})
		if err != nil {
			return nil, nil, fmt.Errorf("BACKDESK_SMTP_*: %w", err)
		}
		providers[message.Email] = message.EmailProvider{Sender: s}
	}
	var limiter message.Limiter
	if p.Redis != nil {
		limiter = message.RedisLimiter{Redis: p.Redis}
	}
	store := msgstore.New(p.DB, p.Audit)
	svc := message.New(message.Deps{DB: p.DB, Store: store, Cadence: store, Outcomes: d.Desk, Profiles: d.Practices,
		Providers: providers, Limiter: limiter, PublicURL: p.Config.PublicURL, KeywordAnswers: c.KeywordAnswers, Log: p.Log})
	return svc, tw, nil
}

// DevOutbox reports whether the dev outbox takes any channel's messages.
func DevOutbox(c config.Messages) bool { return c.TextProvider == "dev" || c.EmailProvider == "dev" }

// billingService builds pay-by-link over the configured payment provider,
// and returns the Stripe client too, which checks its webhooks.
func billingService(p *serve.Process, d *Domains) (*billing.Service, *stripe.Client, error) {
	c := p.Config.Payments
	var provider payment.Provider
	var st *stripe.Client
	switch c.Provider {
	case "dev":
		dev, err := payment.NewDevProvider(p.Config.PublicURL, nil)
		if err != nil {
			return nil, nil, fmt.Errorf("BACKDESK_PUBLIC_URL: %w", err)
		}
		provider = dev
	case "stripe":
		var err error
		st, err = stripe.New(stripe.Config{SecretKeyRef: c.StripeSecretKeyRef, WebhookSecretRef: c.StripeWebhookSecretRef, BaseURL: c.StripeBaseURL})
		if err != nil {
			return nil, nil, fmt.Errorf("BACKDESK_STRIPE_*: %w", err)
		}
		provider = st
	}
	return billing.New(billing.Deps{Store: billstore.New(p.DB, p.Audit), Messages: d.Messages, Profiles: d.Practices, Provider: provider,
		ProviderName: c.Provider, PublicURL: p.Config.PublicURL, Log: p.Log}), st, nil
}
