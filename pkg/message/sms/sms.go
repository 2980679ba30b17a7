package sms

import "context"

// Text is one message to send.
type Text struct {
	// To is the recipient's number in E.164 form ("+14155550123");
	// NormalizeUS makes it from a number as people write it.
	To string
	// From is the sending number; empty means the provider's configured
	// sender.
	From string
	// Body is the message as the patient reads it.
	Body string
	// StatusCallback is the public URL the provider calls as the message's
	// delivery status changes; empty means no callbacks.
	StatusCallback string
	// Key is the caller's idempotency key for this message, e.g. its
	// outbox row. Callers send a text at most once per key, and keep the
	// key with the Receipt so that a retry after an unclear failure can be
	// told from a new message. A provider that supports idempotency keys
	// passes it on; one that does not ignores it.
	Key string
}

// Receipt is the provider's acknowledgment of a text it accepted.
type Receipt struct {
	// ProviderID is the provider's id for the message; status callbacks
	// name it.
	ProviderID string
	// Status is the provider's word for the message's state on
	// acceptance, e.g. "queued" or "accepted".
	Status string
}

// Status is a delivery status callback: what became of a sent message.
type Status struct {
	// ProviderID is the message's id, as in its Receipt.
	ProviderID string
	// Status is the provider's word for the new state, e.g. "sent",
	// "delivered", "undelivered" or "failed".
	Status string
	// ErrorCode is the provider's code for a failure; empty otherwise.
	ErrorCode string
}

// Inbound is a text a patient sent to one of the office's numbers.
type Inbound struct {
	// ProviderID is the provider's id for the message.
	ProviderID string
	// From is the patient's number, To the office's, both in E.164 form.
	From, To string
	// Body is the text as the patient wrote it; empty for a message that
	// carried only media.
	Body string
}

// Provider sends texts.
type Provider interface {
	// Send asks the provider to deliver the text. A nil error means the
	// provider took it; delivery is reported later as Status callbacks.
	// On failure, Temporary says whether the same text may be tried
	// again.
	Send(ctx context.Context, t Text) (Receipt, error)
}
