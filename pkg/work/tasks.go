package work

import (
	"errors"

	"github.com/backdesk/backdesk/pkg/policy"
)

// The queues follow-up work waits in: one per kind, so a flood of one
// kind cannot starve the others, and the system queue for timers.
const (
	QueueClaims      = "claims"
	QueueBalances    = "balances"
	QueueRecare      = "recare"
	QueueTreatment   = "treatment"
	QueueEligibility = "eligibility"
	QueueSystem      = "system"
)

// Queue returns the queue for kind's work.
func Queue(k policy.Kind) string {
	switch k {
	case policy.ClaimFollowup:
		return QueueClaims
	case policy.BalanceFollowup:
		return QueueBalances
	case policy.Recare:
		return QueueRecare
	case policy.TreatmentFollowup:
		return QueueTreatment
	}
	return QueueEligibility
}

// Task types.
const (
	// TaskRoute asks the router to find an owner for an item.
	TaskRoute = "workitem:route"
	// TaskDue brings a waiting item back at its next contact date: to its
	// owner's queue, or to someone else if the owner can no longer take it.
	TaskDue = "workitem:due"
)

var errNoItem = errors.New("no work item id")

// RouteArgs asks for an owner for an item, in the queue of its kind.
type RouteArgs struct {
	WorkItemID string `json:"work_item_id"`
	// ItemKind picks the queue; tasks queued before it existed lack it
	// and are routed all the same.
	ItemKind policy.Kind `json:"kind,omitempty"`
}

// Kind implements outbox.Args.
func (RouteArgs) Kind() string { return TaskRoute }

// Queue implements outbox.Args.
func (a RouteArgs) Queue() string { return Queue(a.ItemKind) }

// Validate refuses a payload without an item.
func (a RouteArgs) Validate() error {
	if a.WorkItemID == "" {
		return errNoItem
	}
	return nil
}

// DueArgs brings an item back at its next contact date.
type DueArgs struct {
	WorkItemID string `json:"work_item_id"`
}

// Kind implements outbox.Args.
func (DueArgs) Kind() string { return TaskDue }

// Queue implements outbox.Args: timers wait in the system queue.
func (DueArgs) Queue() string { return QueueSystem }

// Validate refuses a payload without an item.
func (a DueArgs) Validate() error {
	if a.WorkItemID == "" {
		return errNoItem
	}
	return nil
}
