package audit

import (
	"time"

	"github.com/google/uuid"
)

// SystemActor is the actor of a change the platform makes on its own
// behalf: demo seeding, a worker finishing what a person started (the
// import worker applying an upload), code that runs with no request. A
// person's change always carries the person, from the HTTP layer.
var SystemActor = Actor{Issuer: "backdesk", Subject: "system", Role: "system"}

// Change completes ev, which carries who asked (the actor, request and
// trace ids, from the HTTP layer), into the event of one change: a new
// id, the time, the action, the practice and the object changed, outcome
// allow. An event with no actor gets SystemActor, so a change made outside
// a request is recorded as the platform's, never dropped.
func Change(ev Event, at time.Time, action Action, practiceID, targetType, targetID string) Event {
	if ev.Actor.Subject == "" {
		ev.Actor = SystemActor
	}
	ev.ID = uuid.Must(uuid.NewV7()).String()
	ev.Time, ev.Action, ev.Outcome = at, action, OutcomeAllow
	ev.PracticeID, ev.TargetType, ev.TargetID = practiceID, targetType, targetID
	return ev
}

// Target types: what kind of object a change event's TargetID names.
const (
	TargetTeam     = "team"
	TargetAgent    = "agent"
	TargetPractice = "practice"
	TargetLocation = "location"
	TargetPolicy   = "policy"
	TargetImport   = "import"
	TargetWorkItem = "work_item"
	// TargetInvitation names a practice invitation; membership events
	// name the invitation that made them, with the member in UserID.
	TargetInvitation = "invitation"
	// TargetAdminGrant names a bootstrap platform_admin grant by the
	// email it names.
	TargetAdminGrant = "platform_admin_grant"
)
