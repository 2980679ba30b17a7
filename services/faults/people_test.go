package faults_test

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/roster"
	"github.com/backdesk/backdesk/pkg/routing"
	"github.com/backdesk/backdesk/services/devstack"
	"github.com/backdesk/backdesk/services/devstack/devissuer"
	"github.com/backdesk/backdesk/services/internal/domains"
	"github.com/backdesk/backdesk/services/internal/serve"
)

// The suite's own people, beside the demo practice's: agents who work
// through the load, and Rita, whose only access is a grant the practice
// admin keeps giving and revoking, so that each revocation can be probed.
const (
	probeUser     = "rita"
	probeTeamName = "Revocation probe team"
	practiceAdmin = "pat"
	compliance    = "carol"
)

// agentKinds are the kinds the load's agents work; the demo's own
// agents (alice and bob, idle in the suite) hold the rest.
var agentKinds = []policy.Kind{policy.BalanceFollowup, policy.Recare, policy.TreatmentFollowup}

// people are everyone the suite signs in as, and what seeding learnt of
// them.
type people struct {
	agents []string // usernames of the load's agents

	mu         sync.Mutex
	userIDs    map[string]string // username -> user id
	tokens     map[string]string // username -> access token
	practiceID string
	teamID     string // the demo team the load's agents are on
	probeTeam  string // Rita's team
	churnTeam  string // the team the practice admin keeps granting and revoking
}

func newPeople(agents int) *people {
	p := &people{userIDs: map[string]string{}, tokens: map[string]string{}}
	for i := 1; i <= agents; i++ {
		p.agents = append(p.agents, fmt.Sprintf("agent%02d", i))
	}
	return p
}

// users are the identity provider's directory: the demo's people, the
// agents and Rita.
func (p *people) users() []devissuer.User {
	out := devissuer.DemoUsers()
	for _, a := range append(slices.Clone(p.agents), probeUser) {
		out = append(out, devissuer.User{Subject: "dev-" + a, Username: a, Name: "Faults " + a,
			Email: a + "@backdesk.test", Groups: []string{"backdesk-agents"}})
	}
	return out
}

// seed puts the agents on the demo team and Rita on a team of her own,
// all available, as a platform admin would set them up.
func (p *people) seed(t *testing.T, cfg devstack.Config) {
	t.Helper()
	ctx := sqldb.AllPractices(context.Background())
	proc, err := serve.Open(ctx, "seed", cfg.Base, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer proc.Close()
	d := domains.New(proc, domains.Options{})
	demo, err := d.Practices.GetByNPI(ctx, devstack.DemoPracticeNPI)
	if err != nil {
		t.Fatalf("the demo practice: %v", err)
	}
	p.practiceID = demo.ID
	teams, err := d.Roster.Teams(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tm := range teams {
		if tm.Name == devstack.DemoTeamName {
			p.teamID = tm.ID
		}
	}
	if p.teamID == "" {
		t.Fatal("the demo team is missing")
	}
	now := time.Now()
	system := audit.Event{Actor: audit.SystemActor}
	probe, err := d.Roster.CreateTeam(ctx, system, probeTeamName, now)
	if err != nil {
		t.Fatal(err)
	}
	p.probeTeam = probe.ID
	churn, err := d.Roster.CreateTeam(ctx, system, "Campaign team", now)
	if err != nil {
		t.Fatal(err)
	}
	p.churnTeam = churn.ID
	add := func(username string, kinds []policy.Kind, capacity int, team string) {
		uid, err := d.Roster.EnsureUser(ctx, cfg.OIDCIssuer, "dev-"+username, "Faults "+username, username+"@backdesk.test", now)
		if err != nil {
			t.Fatal(err)
		}
		p.userIDs[username] = uid
		if err := d.Roster.PutAgent(ctx, system, roster.Agent{UserID: uid, DisplayName: "Faults " + username, Active: true,
			Kinds: kinds, Capacity: capacity, Timezone: "America/Chicago"}, now); err != nil {
			t.Fatal(err)
		}
		if err := d.Roster.SetPresence(ctx, system, uid, routing.Available, now); err != nil {
			t.Fatal(err)
		}
		if err := d.Roster.AddMember(ctx, system, team, uid, now); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range p.agents {
		add(a, agentKinds, 40, p.teamID)
	}
	add(probeUser, policy.Kinds, 500, p.probeTeam)
}

// token is the person's access token, minted once by the identity
// provider exactly as its token endpoint would.
func (p *people) token(t *testing.T, iss *devissuer.Issuer, username string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if tok, ok := p.tokens[username]; ok {
		return tok
	}
	tok, _, err := iss.Mint(username, devissuer.MintOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p.tokens[username] = tok
	return tok
}
