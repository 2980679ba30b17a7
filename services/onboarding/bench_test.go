package onboarding_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/audit/recorder"
	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/backdesk/backdesk/services/internal/authz"
	"github.com/backdesk/backdesk/services/internal/servetest"
	"github.com/backdesk/backdesk/services/onboarding"
	"github.com/gin-gonic/gin"
)

// BenchmarkPatientRead serves the patient record route with 64 concurrent
// clients, audited (the event committed before the reply, as in
// production) against the same route with auditing off, and reports each
// variant's p99 latency.
func BenchmarkPatientRead(b *testing.B) {
	for _, d := range testenv.Dialects {
		b.Run(string(d), func(b *testing.B) {
			db, url := testenv.NewDB(b, d)
			ctx := context.Background()
			now := time.Now().UTC()
			proc, dom := servetest.Open(b, "onboarding", url)
			svc := dom.Practices
			p, err := svc.Create(ctx, practice.NewPractice{Name: "Bench", NPI: "1234567893", Timezone: "UTC"})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := testenv.OwnerDB(b, db).ExecContext(ctx, `INSERT INTO patients (id, practice_id, external_id, first_name, last_name, date_of_birth, phone, created_at, updated_at)
VALUES ('pat-1', $1, 'E1', 'Ana', 'Lee', '1980-01-01', '+15125550101', $2, $2)`, p.ID, now); err != nil {
				b.Fatal(err)
			}
			admin := identity.Principal{UserID: "u", Issuer: "https://idp", Subject: "pat", Roles: []identity.Role{identity.PracticeAdmin},
				Memberships: []identity.Membership{{PracticeID: p.ID, Role: identity.PracticeAdmin}}}
			engine := func(rec *recorder.Recorder) http.Handler {
				e := web.NewEngine(web.Options{Service: "bench"})
				api := e.Group("/", func(c *gin.Context) {
					c.Request = c.Request.WithContext(authn.WithPrincipal(c.Request.Context(), admin))
				})
				a, err := onboarding.New(onboarding.Deps{Practices: svc, Identity: proc.Identity, Imports: dom.Imports,
					Guard: &authz.Guard{Decider: proc.Decider, Recorder: rec}, Facts: proc.Facts, Recorder: rec,
					Patients: dom.Records.FullRecord, Checklist: proc.DB, Shared: proc.DB})
				if err != nil {
					b.Fatal(err)
				}
				a.Mount(api)
				return e
			}
			rctx, cancel := context.WithCancel(ctx)
			defer cancel()
			rec := recorder.New(db, auditstore.New(db), recorder.Config{})
			go rec.Run(rctx)
			off := recorder.New(db, discard{}, recorder.Config{})
			go off.Run(rctx)
			path := "/api/v1/practices/" + p.ID + "/patients/pat-1"
			// The service's process and the recorder each have their own
			// connection pool; a read's round trips are both pools'.
			both := func() sqldb.Counts {
				a, c := proc.DB.Counts(), db.Counts()
				return sqldb.Counts{Statements: a.Statements + c.Statements, Begins: a.Begins + c.Begins,
					Commits: a.Commits + c.Commits, Rollbacks: a.Rollbacks + c.Rollbacks}
			}
			measured := func(h http.Handler) func(b *testing.B) {
				return func(b *testing.B) {
					before := both()
					serveClients(b, h, path)
					b.ReportMetric(float64(both().Sub(before).RoundTrips())/float64(b.N), "roundtrips/op")
				}
			}
			b.Run("audited", measured(engine(rec)))
			b.Run("baseline", measured(engine(off)))
		})
	}
}

// discard is an audit store that keeps nothing: the route with auditing off.
type discard struct{}

func (discard) Append(context.Context, sqldb.Querier, []audit.Event) error { return nil }

func serveClients(b *testing.B, h http.Handler, path string) {
	testenv.Clients(b, 64, func() error {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		if w.Code != 200 {
			return fmt.Errorf("status %d: %s", w.Code, w.Body)
		}
		return nil
	})
}
