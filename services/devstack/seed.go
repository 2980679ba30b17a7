package devstack

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/grant"
	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/backdesk/backdesk/pkg/imports"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/pkg/roster"
	"github.com/backdesk/backdesk/services/devstack/devissuer"
	"github.com/backdesk/backdesk/services/internal/domains"
	"github.com/backdesk/backdesk/services/internal/serve"
)

// The demo practice every fresh dev database gets. Its data is invented.
const (
	DemoPracticeName = "Lakeside Family Dental"
	DemoPracticeNPI  = "1962500017"
)

// seedDemo creates the demo practice, invites the demo practice admin (pat)
// and signs pat in once, which binds the invitation exactly as a real
// practice admin's first sign-in would; then it activates the practice,
// sets up the demo agents and their grant (demoStaff), links it to a
// clearinghouse when d.link is set, and imports the demo data, whose
// work items the router then assigns. A database that has
// the practice is left alone.
func seedDemo(ctx context.Context, d seedDeps) error {
	practices, ids, imp := d.practices, d.ids, d.imports
	_, err := practices.GetByNPI(ctx, DemoPracticeNPI)
	if err == nil {
		return nil
	}
	if !errors.Is(err, apperr.ErrNotFound) {
		return err
	}
	p, err := practices.Create(ctx, practice.NewPractice{Name: DemoPracticeName, NPI: DemoPracticeNPI, Timezone: "America/Chicago"})
	if err != nil {
		return err
	}
	// The office patients call back: messages name its phone.
	if _, err := practices.AddLocation(ctx, p.ID, practice.Location{Name: "Main office", AddressLine1: "100 Congress Ave",
		City: "Austin", State: "TX", PostalCode: "78701", Phone: "+15125550100"}); err != nil {
		return err
	}
	for _, u := range devissuer.DemoUsers() {
		if u.Username == "pat" {
			seed := audit.Event{Actor: audit.Actor{Issuer: d.issuer, Subject: "seed", Role: string(identity.PlatformAdmin)}}
			if _, err := ids.Invite(ctx, identity.Principal{UserID: "seed"}, seed, p.ID, u.Email); err != nil {
				return err
			}
		}
	}
	now := time.Now()
	if err := demoStaff(ctx, d.issuer, p.ID, practices, ids, d.roster, d.grants, now); err != nil {
		return err
	}
	if d.link != nil {
		if err := d.link(ctx, p.ID); err != nil {
			return err
		}
	}
	return importDemo(ctx, imp, p.ID, now)
}

// seedDeps are what seeding the demo practice uses.
type seedDeps struct {
	issuer    string
	practices *practice.Service
	ids       *identity.Service
	imports   *imports.Service
	roster    *roster.Service
	grants    *grant.Service
	// link, when set, links the practice to a clearinghouse before its
	// data is imported, so its eligibility checks wait for it.
	link func(ctx context.Context, practiceID string) error
}

// SeedDemo creates the demo practice, its people and its data in the
// database of c, for people who sign in at c.OIDCIssuer, and returns. It
// is for a platform that runs elsewhere (the Kubernetes tests run the
// services as pods and seed their database from outside): it starts no
// relay and serves nothing; the platform's own router routes the work it
// imports. c.DatabaseURL must log in as the owner role, which may write
// across practices.
func SeedDemo(ctx context.Context, c Config, logOut io.Writer) error {
	p, err := serve.Open(ctx, "seed", c.Base, logOut)
	if err != nil {
		return err
	}
	defer p.Close()
	return seedDemo(sqldb.AllPractices(ctx), depsFor(c.OIDCIssuer, p, domains.New(p, domains.Options{})))
}

// depsFor takes what seeding uses from a process and its domains.
func depsFor(issuer string, p *serve.Process, d *domains.Domains) seedDeps {
	return seedDeps{issuer: issuer, practices: d.Practices, ids: p.Identity, imports: d.Imports, roster: d.Roster, grants: d.Grants}
}
