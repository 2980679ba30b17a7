package identity

import (
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/google/uuid"
)

// A bootstrap grant gives platform_admin to whoever signs in with one
// verified email, for a deployment whose identity provider maps no group
// to platform_admin yet. An operator makes it with `backdeskctl admin
// bootstrap`; it is refused once anybody holds platform_admin, so it can
// open an empty deployment and nothing more (docs/identity.md).

// OperatorActor is the actor of a change made from backdeskctl: the
// operator's account on the machine that ran it, as they gave it.
func OperatorActor(operator string) audit.Actor {
	if operator == "" {
		operator = "unknown"
	}
	return audit.Actor{Issuer: "backdeskctl", Subject: operator, Role: "operator"}
}

// BootstrapEvent is the audit event of a bootstrap grant to email made
// (or, with remove, withdrawn) by operator at at.
func BootstrapEvent(email, operator string, at time.Time, remove bool) audit.Event {
	action, reason := audit.ActionAdminBootstrap, "platform_admin granted to whoever signs in with this verified email"
	if remove {
		action, reason = audit.ActionAdminBootstrapRemove, "bootstrap platform_admin grant withdrawn"
	}
	return audit.Event{
		ID: uuid.Must(uuid.NewV7()).String(), Time: at, Actor: OperatorActor(operator),
		Action: action, Outcome: audit.OutcomeAllow, Reason: reason, Purpose: purpose,
		TargetType: audit.TargetAdminGrant, TargetID: NormalizeEmail(email),
	}
}
