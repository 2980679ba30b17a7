// Package audit defines the audit trail's events and the tamper evidence
// around them: each event's canonical form, its RFC 6962 leaf hash, and the
// signed checkpoints that commit to the whole log. It knows nothing of SQL;
// auditstore keeps the events and builds the Merkle log over them.
package audit

import (
	"errors"
	"fmt"
	"time"
)

// Action is what the actor did. The list grows with the platform; the
// canonical form stores whatever string is set, so old events stay valid.
type Action string

// Actions recorded today.
const (
	ActionRead       Action = "read"
	ActionCreate     Action = "create"
	ActionUpdate     Action = "update"
	ActionExport     Action = "export"
	ActionLogin      Action = "login"
	ActionLogout     Action = "logout"
	ActionGrant      Action = "grant"
	ActionRevoke     Action = "revoke"
	ActionBreakGlass Action = "break_glass"
)

// Changes to who can see patients and to patients' accounts. Each is
// written by the store in the same transaction as the change it records,
// names what changed in TargetType and TargetID (and UserID when a second
// person is involved), and carries ids, codes and counts only: never a
// name, a note or any other free text.
const (
	ActionTeamCreate       Action = "team_create"
	ActionTeamMemberAdd    Action = "team_member_add"
	ActionTeamMemberRemove Action = "team_member_remove"
	ActionAgentCreate      Action = "agent_create"
	ActionAgentUpdate      Action = "agent_update"
	ActionAgentPresence    Action = "agent_presence"
	ActionPracticeCreate   Action = "practice_create"
	ActionPracticeUpdate   Action = "practice_update"
	ActionPracticeActivate Action = "practice_activate"
	ActionPracticeSuspend  Action = "practice_suspend"
	ActionPracticeOffboard Action = "practice_offboard"
	ActionBAARecord        Action = "baa_record"
	ActionLocationAdd      Action = "location_add"
	ActionPolicySet        Action = "policy_set"
	ActionImportSubmit     Action = "import_submit"
	ActionImportFinish     Action = "import_finish"
	ActionWorkOutcome      Action = "work_outcome"
	ActionWorkNote         Action = "work_note"
	ActionWorkHandoff      Action = "work_handoff"
	ActionWorkRelease      Action = "work_release"
)

// Practice memberships and the invitations that create them
// (docs/identity.md). A refused attempt is the same action with outcome
// deny and the refusal's code as its reason.
const (
	// ActionInvitationCreate is an invitation sent to an email address.
	ActionInvitationCreate Action = "invitation_create"
	// ActionInvitationConfirm is a second platform admin letting an
	// invitation to a platform admin or compliance officer bind.
	ActionInvitationConfirm Action = "invitation_confirm"
	// ActionInvitationAccept is an invitation binding, at sign-in, to the
	// person whose provider vouched for its email.
	ActionInvitationAccept Action = "invitation_accept"
	// ActionMembershipAdd is a person becoming an admin of a practice.
	ActionMembershipAdd Action = "membership_add"
	// ActionAdminBootstrap is an operator granting platform_admin to a
	// verified email with backdeskctl, to open a new deployment.
	ActionAdminBootstrap Action = "platform_admin_bootstrap"
	// ActionAdminBootstrapRemove is an operator withdrawing that grant.
	ActionAdminBootstrapRemove Action = "platform_admin_bootstrap_remove"
)

// Outcome is how the request ended. Denied and failed attempts are
// recorded as faithfully as allowed ones.
type Outcome string

// The three outcomes.
const (
	OutcomeAllow Outcome = "allow"
	OutcomeDeny  Outcome = "deny"
	OutcomeError Outcome = "error"
)

// Actor is who acted, as the identity layer established it.
type Actor struct {
	Issuer  string
	Subject string
	Role    string
	// SessionRef names the browser session (a random reference, never
	// the cookie); empty for bearer tokens.
	SessionRef string
	IP         string
	UserAgent  string
}

// Event is one audited action. Once written it never changes: its
// canonical form is hashed into the Merkle log.
type Event struct {
	ID         string
	Time       time.Time // server time; stored in UTC
	Actor      Actor
	Action     Action
	PracticeID string
	PatientIDs []string // order carries no meaning; canonicalised sorted
	Fields     []string // names of the fields returned, never their values
	WorkItemID string
	GrantID    string
	Purpose    string
	Outcome    Outcome
	Reason     string
	RequestID  string
	TraceID    string
	BreakGlass bool

	// What a change was made to, for the change actions; empty on reads.
	// Stored only when set, so events written before these fields existed
	// keep their canonical bytes.
	TargetType string         // team, agent, practice, location, policy, import, work_item
	TargetID   string         // its id (for a policy, the policy's kind)
	UserID     string         // the other person a change names: the agent added, the new owner
	Counts     map[string]int // what a change counted (rows applied, rejected), never values
}

// ErrInvalid is wrapped by every validation failure, so the recorder can
// tell a programming error from an unavailable store.
var ErrInvalid = errors.New("invalid audit event")

// Validate reports an event that cannot be recorded: without these fields
// an entry answers none of compliance's questions.
func (e Event) Validate() error {
	switch {
	case e.ID == "":
		return fmt.Errorf("%w: id is empty", ErrInvalid)
	case e.Time.IsZero():
		return fmt.Errorf("%w: time is zero", ErrInvalid)
	case e.Actor.Subject == "":
		return fmt.Errorf("%w: actor subject is empty", ErrInvalid)
	case e.Action == "":
		return fmt.Errorf("%w: action is empty", ErrInvalid)
	}
	switch e.Outcome {
	case OutcomeAllow, OutcomeDeny, OutcomeError:
		return nil
	}
	return fmt.Errorf("%w: outcome %q is not allow, deny or error", ErrInvalid, e.Outcome)
}

// Files exchanged with clearinghouses (docs/clearinghouse.md). Each names
// the file in TargetType "clearinghouse_file" and TargetID, the patients
// the file is about, and counts only.
const (
	// ActionClearinghouseSend is a batch of questions (270, 276) built and
	// handed to a clearinghouse: a disclosure of the patients in it.
	ActionClearinghouseSend Action = "clearinghouse_send"
	// ActionClearinghouseReceive is a file from a clearinghouse stored and
	// applied: benefits recorded, checks resolved or raised, batches
	// acknowledged.
	ActionClearinghouseReceive Action = "clearinghouse_receive"
	// ActionClearinghouseDownload is a person downloading a kept file.
	ActionClearinghouseDownload Action = "clearinghouse_download"
	// ActionClearinghouseConnection is a connection added or changed, or
	// a practice linked to one.
	ActionClearinghouseConnection Action = "clearinghouse_connection"
)

// Targets of the clearinghouse events: a file sent to or received from a
// clearinghouse, and a connection to one.
const (
	TargetClearinghouseFile       = "clearinghouse_file"
	TargetClearinghouseConnection = "clearinghouse_connection"
)

// Messages to and from patients (docs/messages.md). Each names the
// message in TargetType "message" and TargetID, its patient and work
// item, and in Reason the channel and template key: never the address or
// the body, which stay with the message.
const (
	// ActionMessageSend is a text or e-mail written to go to a patient:
	// a disclosure, by the agent who sent it or by the cadence.
	ActionMessageSend Action = "message_send"
	// ActionMessageStatus is what became of it: handed to the provider,
	// delivered, or failed.
	ActionMessageStatus Action = "message_status"
	// ActionMessageReceive is a patient's reply, kept with the item.
	ActionMessageReceive Action = "message_receive"
	// ActionMessageOptOut is a number or address opting out of a
	// practice's messages (STOP, an unsubscribe link); Reason says which.
	ActionMessageOptOut Action = "message_opt_out"
	// ActionMessageOptIn is a number opting back in (START).
	ActionMessageOptIn Action = "message_opt_in"
	// ActionMessageTemplate is a practice's template changed.
	ActionMessageTemplate Action = "message_template"
)

// Targets of the message events: a message; a practice's message
// settings (TargetID the practice); one of its templates (TargetID the
// channel and key, "text recall_due").
const (
	TargetMessage         = "message"
	TargetMessageSettings = "message_settings"
	TargetMessageTemplate = "message_template"
)
