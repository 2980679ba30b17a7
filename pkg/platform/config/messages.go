package config

import "slices"

// Messages is how patients' texts and e-mails leave Backdesk
// (docs/messages.md). Secrets are given by reference (env:NAME or
// file:PATH), never as values.
type Messages struct {
	// TextProvider (BACKDESK_TEXT_PROVIDER) is "twilio", "dev" (the dev
	// outbox: nothing leaves) or "" (texts wait in the queue).
	TextProvider string
	// EmailProvider (BACKDESK_EMAIL_PROVIDER) is "smtp", "dev" or "".
	EmailProvider string
	// KeywordAnswers (BACKDESK_TEXT_KEYWORD_ANSWERS) makes Backdesk answer
	// STOP, START and HELP itself; default on for "dev", off for
	// "twilio", whose opt-out handling answers them.
	KeywordAnswers bool

	TwilioAccountSID          string // BACKDESK_TWILIO_ACCOUNT_SID
	TwilioAuthTokenRef        string // BACKDESK_TWILIO_AUTH_TOKEN_REF
	TwilioFrom                string // BACKDESK_TWILIO_FROM: the default sending number
	TwilioMessagingServiceSID string // BACKDESK_TWILIO_MESSAGING_SERVICE_SID
	TwilioBaseURL             string // BACKDESK_TWILIO_BASE_URL: the API's address, for tests

	SMTPHost        string // BACKDESK_SMTP_HOST
	SMTPPort        int    // BACKDESK_SMTP_PORT: 0 picks the TLS mode's port
	SMTPTLS         string // BACKDESK_SMTP_TLS: starttls (default), implicit, none (loopback only)
	SMTPUsername    string // BACKDESK_SMTP_USERNAME
	SMTPPasswordRef string // BACKDESK_SMTP_PASSWORD_REF
	SMTPFrom        string // BACKDESK_SMTP_FROM: the sender's bare address
	SMTPFromName    string // BACKDESK_SMTP_FROM_NAME
}

// ReadMessages reads the message settings; def is the provider used for
// both channels when none is named ("dev" in the dev binary).
func ReadMessages(r *Reader, def string) Messages {
	m := Messages{
		TextProvider:              r.String("BACKDESK_TEXT_PROVIDER", def),
		EmailProvider:             r.String("BACKDESK_EMAIL_PROVIDER", def),
		TwilioAccountSID:          r.String("BACKDESK_TWILIO_ACCOUNT_SID", ""),
		TwilioAuthTokenRef:        r.String("BACKDESK_TWILIO_AUTH_TOKEN_REF", ""),
		TwilioFrom:                r.String("BACKDESK_TWILIO_FROM", ""),
		TwilioMessagingServiceSID: r.String("BACKDESK_TWILIO_MESSAGING_SERVICE_SID", ""),
		TwilioBaseURL:             r.String("BACKDESK_TWILIO_BASE_URL", ""),
		SMTPHost:                  r.String("BACKDESK_SMTP_HOST", ""),
		SMTPPort:                  r.Int("BACKDESK_SMTP_PORT", 0),
		SMTPTLS:                   r.String("BACKDESK_SMTP_TLS", ""),
		SMTPUsername:              r.String("BACKDESK_SMTP_USERNAME", ""),
		SMTPPasswordRef:           r.String("BACKDESK_SMTP_PASSWORD_REF", ""),
		SMTPFrom:                  r.String("BACKDESK_SMTP_FROM", ""),
		SMTPFromName:              r.String("BACKDESK_SMTP_FROM_NAME", ""),
	}
	m.KeywordAnswers = r.Bool("BACKDESK_TEXT_KEYWORD_ANSWERS", m.TextProvider == "dev")
	r.Check(
		Check{Bad: !oneOf(m.TextProvider, "", "dev", "twilio"), Var: "BACKDESK_TEXT_PROVIDER", Message: "must be twilio, dev or empty"},
		Check{Bad: !oneOf(m.EmailProvider, "", "dev", "smtp"), Var: "BACKDESK_EMAIL_PROVIDER", Message: "must be smtp, dev or empty"},
		// The dev outbox delivers nothing: only the dev binary may use it.
		Check{Bad: m.TextProvider == "dev" && def != "dev", Var: "BACKDESK_TEXT_PROVIDER", Message: "dev is the dev binary's outbox, which delivers nothing"},
		Check{Bad: m.EmailProvider == "dev" && def != "dev", Var: "BACKDESK_EMAIL_PROVIDER", Message: "dev is the dev binary's outbox, which delivers nothing"},
	)
	return m
}

func oneOf(v string, allowed ...string) bool { return slices.Contains(allowed, v) }

// Payments is how patients pay by link (docs/statements.md). Secrets are
// given by reference.
type Payments struct {
	// Provider (BACKDESK_PAYMENT_PROVIDER) is "stripe", "dev" (the dev
	// checkout page: no money moves) or "" (links are made, not paid).
	Provider               string
	StripeSecretKeyRef     string // BACKDESK_STRIPE_SECRET_KEY_REF
	StripeWebhookSecretRef string // BACKDESK_STRIPE_WEBHOOK_SECRET_REF
	StripeBaseURL          string // BACKDESK_STRIPE_BASE_URL: the API's address, for tests
}

// ReadPayments reads the payment settings; def is the provider when none
// is named ("dev" in the dev binary).
func ReadPayments(r *Reader, def string) Payments {
	p := Payments{
		Provider:               r.String("BACKDESK_PAYMENT_PROVIDER", def),
		StripeSecretKeyRef:     r.String("BACKDESK_STRIPE_SECRET_KEY_REF", ""),
		StripeWebhookSecretRef: r.String("BACKDESK_STRIPE_WEBHOOK_SECRET_REF", ""),
		StripeBaseURL:          r.String("BACKDESK_STRIPE_BASE_URL", ""),
	}
	r.Check(Check{Bad: !oneOf(p.Provider, "", "dev", "stripe"), Var: "BACKDESK_PAYMENT_PROVIDER", Message: "must be stripe, dev or empty"},
		// The dev checkout page takes no money and needs no sign-in to
		// mark a balance paid: only the dev binary may serve it.
		Check{Bad: p.Provider == "dev" && def != "dev", Var: "BACKDESK_PAYMENT_PROVIDER", Message: "dev is the dev binary's checkout page, which takes no money"})
	return p
}
