package devstack

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/grant"
	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/pkg/records"
	"github.com/backdesk/backdesk/pkg/roster"
	"github.com/backdesk/backdesk/pkg/routing"
	"github.com/backdesk/backdesk/services/devstack/devissuer"
)

// DemoTeamName is the team the demo practice grants its follow-up to.
const DemoTeamName = "Lakeside billing team"

// demoStaff makes the demo practice a working client: pat signs in (which
// binds pat's invitation, as a first sign-in would), records the BAA and
// activates the practice; alice and bob are agents on a team the practice
// grants every kind of work, available with room in their queues, so the
// items the demo imports create are routed to them.
func demoStaff(ctx context.Context, issuer string, practiceID string, practices *practice.Service, ids *identity.Service,
	r *roster.Service, acc *grant.Service, now time.Time) error {
	users := map[string]devissuer.User{}
	for _, u := range devissuer.DemoUsers() {
		users[u.Username] = u
	}
	pat := users["pat"]
	admin, err := ids.Principal(ctx, identity.Identity{Issuer: issuer, Subject: pat.Subject, Name: pat.Name,
		Email: pat.Email, EmailVerified: true, Groups: pat.Groups})
	if err != nil {
		return fmt.Errorf("pat's first sign-in: %w", err)
	}
	doc := sha256.Sum256([]byte("Lakeside Family Dental business associate agreement (demo)"))
	if _, err := practices.RecordBAA(ctx, practiceID, practice.BAA{SignerName: pat.Name, SignerTitle: "Office manager",
		SignedOn: records.Date{Year: now.Year(), Month: now.Month(), Day: now.Day()}, DocumentSHA256: hex.EncodeToString(doc[:]),
		RecordedBy: admin.UserID, RecordedAt: now}); err != nil {
		return fmt.Errorf("demo BAA: %w", err)
	}
	if _, err := practices.Activate(ctx, practiceID); err != nil {
		return fmt.Errorf("activate the demo practice: %w", err)
	}
	// The platform sets its own demo team up, as it always seeded it.
	system := audit.Event{Actor: audit.SystemActor}
	team, err := r.CreateTeam(ctx, system, DemoTeamName, now)
	if err != nil {
		return err
	}
	for _, name := range []string{"alice", "bob"} {
		u := users[name]
		uid, err := r.EnsureUser(ctx, issuer, u.Subject, u.Name, u.Email, now)
		if err != nil {
			return err
		}
		if err := r.PutAgent(ctx, system, roster.Agent{UserID: uid, DisplayName: u.Name, Active: true, Kinds: policy.Kinds,
			Capacity: 150, Timezone: "America/Chicago"}, now); err != nil {
			return err
		}
		if err := r.SetPresence(ctx, system, uid, routing.Available, now); err != nil {
			return err
		}
		if err := r.AddMember(ctx, system, team.ID, uid, now); err != nil {
			return err
		}
	}
	ev := audit.Event{Actor: audit.Actor{Issuer: issuer, Subject: pat.Subject, Role: string(identity.PracticeAdmin)}}
	_, err = acc.CreateGrant(ctx, admin, ev, practiceID, grant.GranteeTeam, team.ID, grant.Scope{
		Kinds: policy.Kinds, Reason: "Demo: outsourced follow-up for every kind of work"})
	return err
}
