package serve_test

import (
	"context"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/backdesk/backdesk/services/internal/domains"
	"github.com/stretchr/testify/require"
)

// A practice's profile (its rules, name, zone and phone, which every
// agent request and routing decision reads) is cached on each replica: a
// warm read costs no round trip. A change to the rules, the practice or
// its offices made through another replica reaches this one within a
// second, through Redis.
func TestPracticeProfilesAreCachedAndInvalidatedAcrossReplicas(t *testing.T) {
	t.Parallel()
	for _, d := range testenv.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			_, replicas := twoReplicas(t, d)
			here := domains.New(replicas[0], domains.Options{}).Practices
			there := domains.New(replicas[1], domains.Options{}).Practices
			bg := context.Background()
			p, err := there.Create(bg, practice.NewPractice{Name: "Profile Dental", NPI: "1234567893", Timezone: "America/Chicago"})
			require.NoError(t, err)
			ctx := sqldb.WithPractice(bg, p.ID)

			first, err := here.Profile(ctx, p.ID)
			require.NoError(t, err)
			require.Equal(t, policy.DefaultContactRules().MaxContactsPerWeek, first.Policies.Contact.MaxContactsPerWeek)
			before := replicas[0].DB.Counts()
			_, tz, err := here.Rules(ctx, p.ID)
			require.NoError(t, err)
			require.Equal(t, "America/Chicago", tz)
			require.Zero(t, replicas[0].DB.Counts().Sub(before).RoundTrips(), "a warm profile costs no round trip")

			rules := policy.DefaultContactRules()
			rules.MaxContactsPerWeek = first.Policies.Contact.MaxContactsPerWeek + 1
			_, err = there.SetContactRules(ctx, p.ID, "", 0, rules)
			require.NoError(t, err)
			require.Eventually(t, func() bool {
				pols, _, err := here.Rules(ctx, p.ID)
				return err == nil && pols.Contact.MaxContactsPerWeek == rules.MaxContactsPerWeek
			}, time.Second, 5*time.Millisecond, "the new rules reach the other replica within a second")

			_, err = there.AddLocation(ctx, p.ID, practice.Location{Name: "Main", AddressLine1: "1 Main St", City: "Austin",
				State: "TX", PostalCode: "78701", Phone: "+15125550100"})
			require.NoError(t, err)
			require.Eventually(t, func() bool {
				got, err := here.Profile(ctx, p.ID)
				return err == nil && got.Phone == "+15125550100"
			}, time.Second, 5*time.Millisecond, "so does a new office's phone")
		})
	}
}
