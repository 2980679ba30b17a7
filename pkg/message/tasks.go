package message

import (
	"fmt"

	"github.com/google/uuid"
)

// TaskDeliver hands one message to its provider.
const TaskDeliver = "message:deliver"

// QueueMessages is the queue messages wait in, apart from routing's, so
// that a slow provider never holds up work reaching agents.
const QueueMessages = "messages"

// DeliverArgs is TaskDeliver's payload: the message, by id.
type DeliverArgs struct {
	MessageID string `json:"message_id"`
}

// Kind implements outbox.Args.
func (DeliverArgs) Kind() string { return TaskDeliver }

// Queue implements outbox.Args.
func (DeliverArgs) Queue() string { return QueueMessages }

// Validate refuses a payload without a message.
func (a DeliverArgs) Validate() error {
	if a.MessageID == "" {
		return fmt.Errorf("message_id is empty")
	}
	return nil
}

// newID returns a message's id: time-ordered, so lists sort by it.
func newID() string { return uuid.Must(uuid.NewV7()).String() }
