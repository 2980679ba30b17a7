package devstack

import (
	"context"
	"errors"
	"time"

	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/backdesk/backdesk/pkg/imports"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/services/devstack/devissuer"
)

// The demo practice every fresh dev database gets. Its data is invented.
const (
	DemoPracticeName = "Lakeside Family Dental"
	DemoPracticeNPI  = "1962500017"
)

// seedDemo creates the demo practice and invites the demo practice admin
// (pat), whose invitation binds at pat's first sign-in, exactly as a real
// practice admin's would. A database that has the practice is left alone.
func seedDemo(ctx context.Context, practices *practice.Service, ids *identity.Service, imp *imports.Service) error {
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
	for _, u := range devissuer.DemoUsers() {
		if u.Username == "pat" {
			if _, err := ids.Invite(ctx, identity.Principal{UserID: "seed"}, p.ID, u.Email); err != nil {
				return err
			}
		}
	}
	return importDemo(ctx, imp, p.ID, time.Now())
}
