package roster

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/routing"
	"github.com/google/uuid"
)

// Storer keeps agents and teams. Every change writes its audit event in
// the change's own transaction, and a change that fails writes none:
// teams carry grants, and an agent's skills, hours and presence decide
// which patients' work it gets.
type Storer interface {
	// EnsureUser returns the user id of (issuer, subject), creating the
	// user when the person has not signed in yet.
	EnsureUser(ctx context.Context, issuer, subject, name, email string, now time.Time) (string, error)
	// PutAgent creates or updates a, already normalized, and appends
	// AgentChange(by, now, the agent as stored before, a).
	PutAgent(ctx context.Context, a Agent, now time.Time, by audit.Event) error
	// SetPresence writes an agent's presence and appends ev; an unknown
	// agent is not found.
	SetPresence(ctx context.Context, userID string, p routing.Presence, now time.Time, ev audit.Event) error
	// CreateTeam stores t and appends ev.
	CreateTeam(ctx context.Context, t Team, ev audit.Event) error
	// AddMember puts userID on teamID and appends ev; when the agent is a
	// member already, nothing changes and nothing is appended.
	AddMember(ctx context.Context, teamID, userID string, now time.Time, ev audit.Event) error
	// RemoveMember takes userID off teamID and appends ev; when the agent
	// is no member, nothing changes and nothing is appended.
	RemoveMember(ctx context.Context, teamID, userID string, ev audit.Event) error
	// Agents lists every agent by name with its load and teams.
	Agents(ctx context.Context) ([]Listed, error)
	// Agent returns one agent with its load and teams.
	Agent(ctx context.Context, userID string) (Listed, error)
	// Teams lists every team by name with its members.
	Teams(ctx context.Context) ([]Team, error)
	TeamExists(ctx context.Context, id string) (bool, error)
	// WorkingHours returns the hours and time zone stored for the agent
	// signed in as (issuer, subject); found is false for anyone else.
	WorkingHours(ctx context.Context, issuer, subject string) (hours, timezone string, found bool, err error)
}

// Service applies the roster's rules over a Storer. Every method that
// changes an agent or a team takes the event of who asks (auditmw.By from
// a request; audit.SystemActor's for the platform's own work), so a
// change cannot be recorded without its actor.
type Service struct{ store Storer }

// NewService returns a Service over store.
func NewService(store Storer) *Service { return &Service{store: store} }

// EnsureUser returns the user id for an OIDC identity, creating the user
// row when the person has not signed in yet, so agents can be set up
// before their first day.
func (s *Service) EnsureUser(ctx context.Context, issuer, subject, name, email string, now time.Time) (string, error) {
	return s.store.EnsureUser(ctx, issuer, subject, name, email, now)
}

// PutAgent creates or updates an agent with its routing attributes, as
// by asks. The event names the attributes that changed, never their
// values.
func (s *Service) PutAgent(ctx context.Context, by audit.Event, a Agent, now time.Time) error {
	a, err := a.Normalize()
	if err != nil {
		return err
	}
	return s.store.PutAgent(ctx, a, now, by)
}

// SetPresence records an agent's presence, as by asks. Presence decides
// who routing hands patients' work to, so each change is recorded, with
// the new presence as its reason.
func (s *Service) SetPresence(ctx context.Context, by audit.Event, userID string, p routing.Presence, now time.Time) error {
	if err := validPresence(p); err != nil {
		return err
	}
	ev := change(by, now, audit.ActionAgentPresence, audit.TargetAgent, userID)
	ev.UserID, ev.Reason = userID, string(p)
	return s.store.SetPresence(ctx, userID, p, now, ev)
}

// CreateTeam creates a team with a unique name, as by asks. The event
// names the team by id only.
func (s *Service) CreateTeam(ctx context.Context, by audit.Event, name string, now time.Time) (Team, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return Team{}, apperr.Invalid("name", "required", "is required")
	}
	t := Team{ID: uuid.Must(uuid.NewV7()).String(), Name: name, CreatedAt: now.UTC()}
	if err := s.store.CreateTeam(ctx, t, change(by, now, audit.ActionTeamCreate, audit.TargetTeam, t.ID)); err != nil {
		return Team{}, err
	}
	return t, nil
}

// AddMember puts an agent on a team, as by asks; adding twice is not an
// error, and records nothing the second time, since nothing changed.
func (s *Service) AddMember(ctx context.Context, by audit.Event, teamID, userID string, now time.Time) error {
	return s.store.AddMember(ctx, teamID, userID, now, memberChange(by, now, audit.ActionTeamMemberAdd, teamID, userID))
}

// RemoveMember takes an agent off a team, as by asks; removing a
// non-member records nothing.
func (s *Service) RemoveMember(ctx context.Context, by audit.Event, teamID, userID string, now time.Time) error {
	return s.store.RemoveMember(ctx, teamID, userID, memberChange(by, now, audit.ActionTeamMemberRemove, teamID, userID))
}

// Agents lists every agent by name, with its load and teams.
func (s *Service) Agents(ctx context.Context) ([]Listed, error) { return s.store.Agents(ctx) }

// Agent returns one agent, or not found.
func (s *Service) Agent(ctx context.Context, userID string) (Listed, error) {
	return s.store.Agent(ctx, userID)
}

// Teams lists every team with its members.
func (s *Service) Teams(ctx context.Context) ([]Team, error) { return s.store.Teams(ctx) }

// TeamExists reports whether a team has id.
func (s *Service) TeamExists(ctx context.Context, id string) (bool, error) {
	return s.store.TeamExists(ctx, id)
}

// Hours returns the working hours of the agent signed in as (issuer,
// subject) and the time zone they are read in. ok is false when that
// person is not an agent or has no fixed hours.
func (s *Service) Hours(ctx context.Context, issuer, subject string) (sch routing.Schedule, loc *time.Location, ok bool, err error) {
	hours, tz, found, err := s.store.WorkingHours(ctx, issuer, subject)
	if err != nil || !found {
		return routing.Schedule{}, nil, false, err
	}
	sch, err = routing.ParseSchedule(hours)
	if err != nil || sch.IsZero() {
		return routing.Schedule{}, nil, false, nil // stored values were validated; none fixed means unknown
	}
	loc, lerr := time.LoadLocation(tz)
	if lerr != nil {
		loc = time.UTC
	}
	return sch, loc, true, nil
}

// AgentChange is the event of writing after over before, the agent as it
// was stored (nil when there was none): agent_create for a new agent,
// agent_update naming the attributes that changed otherwise.
func AgentChange(by audit.Event, now time.Time, before *Agent, after Agent) audit.Event {
	if before == nil {
		ev := change(by, now, audit.ActionAgentCreate, audit.TargetAgent, after.UserID)
		ev.UserID = after.UserID
		return ev
	}
	ev := change(by, now, audit.ActionAgentUpdate, audit.TargetAgent, after.UserID)
	ev.UserID, ev.Fields = after.UserID, changedFields(*before, after)
	return ev
}

// changedFields names the attributes of after that differ from before.
func changedFields(before, after Agent) []string {
	var out []string
	add := func(name string, changed bool) {
		if changed {
			out = append(out, name)
		}
	}
	add("display_name", before.DisplayName != after.DisplayName)
	add("active", before.Active != after.Active)
	add("kinds", !slices.Equal(before.Kinds, after.Kinds))
	add("payers", !slices.Equal(before.Payers, after.Payers))
	add("languages", !slices.Equal(before.Languages, after.Languages))
	add("capacity", before.Capacity != after.Capacity)
	add("timezone", before.Timezone != after.Timezone)
	add("hours", before.Hours != after.Hours)
	return out
}

// change starts the event of a roster change made at now.
func change(by audit.Event, now time.Time, action audit.Action, targetType, targetID string) audit.Event {
	return audit.Change(by, now.UTC(), action, "", targetType, targetID)
}

// memberChange is the event of a team membership change.
func memberChange(by audit.Event, now time.Time, action audit.Action, teamID, userID string) audit.Event {
	ev := change(by, now, action, audit.TargetTeam, teamID)
	ev.UserID = userID
	return ev
}
