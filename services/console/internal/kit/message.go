package kit

import "time"

// PatientMessage is one text or e-mail to or from a patient, as the API
// answers it on an item's thread and in the dev outbox.
type PatientMessage struct {
	ID        string     `json:"id"`
	Direction string     `json:"direction"` // out or in
	Channel   string     `json:"channel"`   // text or email
	Template  string     `json:"template"`
	Subject   string     `json:"subject"`
	Body      string     `json:"body"`
	State     string     `json:"state"`
	Error     string     `json:"error"` // why it failed, in words
	SentBy    string     `json:"sent_by"`
	CreatedAt time.Time  `json:"created_at"`
	SentAt    *time.Time `json:"sent_at"`
}

// messageStates say where a message is, for people. The API's states
// are the provider's steps; an agent wants to know whether the patient
// has it.
var messageStates = map[string]string{
	"queued":      "Waiting to be sent",
	"sending":     "Being sent",
	"unconfirmed": "Handed to the provider, not yet confirmed",
	"sent":        "Sent, not yet delivered",
	"delivered":   "Delivered",
	"failed":      "Not delivered",
	"received":    "Received",
}

// StateText says in words where the message is, with why it failed when
// it did.
func (m PatientMessage) StateText() string {
	s, ok := messageStates[m.State]
	if !ok {
		s = Label(m.State)
	}
	if m.State == "failed" && m.Error != "" {
		s += ": " + m.Error
	}
	return s
}

// ChannelText names the message's channel: "Text" or "E-mail".
func (m PatientMessage) ChannelText() string { return ChannelText(m.Channel) }

// Inbound reports a message the patient sent.
func (m PatientMessage) Inbound() bool { return m.Direction == "in" }

// ChannelText names a message channel for people.
func ChannelText(ch string) string {
	switch ch {
	case "text":
		return "Text"
	case "email":
		return "E-mail"
	}
	return Label(ch)
}
