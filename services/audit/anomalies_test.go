package audit_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/audit/recorder"
	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/backdesk/backdesk/pkg/testenv"
	auditapi "github.com/backdesk/backdesk/services/audit"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"
)

// Monday 2 November 2026, 09:00 to 17:00 UTC is alice's working day.
var workday = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

type anomalyEnv struct {
	db    *sqldb.DB
	store *auditstore.Store
	hours auditapi.Hours
}

const (
	secretPatient = "pat-secret-4417"
	secretText    = "Jane Roe called about her crown"
)

// seed stores a day of events: alice (an agent with known hours) reads
// once in the evening and once without a work item, bob (an agent) reads
// 60 times in another practice where three peers read 10 times, dave opens
// break-glass with a reason a person wrote.
func (env *anomalyEnv) seed(t *testing.T) {
	t.Helper()
	var events []audit.Event
	n := 0
	add := func(subject, practice string, at time.Duration, change func(*audit.Event)) {
		n++
		e := audit.Event{
			ID: fmt.Sprintf("evt-%s-%03d", subject, n), Time: workday.Add(at),
			Actor:  audit.Actor{Issuer: "https://idp", Subject: subject, Role: string(identity.Agent)},
			Action: audit.ActionRead, Outcome: audit.OutcomeAllow, PracticeID: practice,
			PatientIDs: []string{secretPatient}, Fields: []string{"name", "phone"}, WorkItemID: "wi-1",
		}
		if change != nil {
			change(&e)
		}
		events = append(events, e)
	}
	add("alice", "prac-1", time.Hour, nil)
	add("alice", "prac-1", 10*time.Hour, nil) // 19:00
	add("alice", "prac-1", 2*time.Hour, func(e *audit.Event) { e.WorkItemID = "" })
	add("dave", "prac-1", 3*time.Hour, func(e *audit.Event) {
		e.Action, e.BreakGlass, e.WorkItemID, e.Reason = audit.ActionBreakGlass, true, "", "break-glass opened: "+secretText
	})
	for _, peer := range []string{"carl", "cora", "cleo"} {
		for i := 0; i < 10; i++ {
			add(peer, "prac-2", time.Duration(i)*time.Minute, nil)
		}
	}
	for i := 0; i < 60; i++ {
		add("bob", "prac-2", time.Duration(i)*time.Minute, nil)
	}
	ctx := context.Background()
	require.NoError(t, env.db.Tx(ctx, func(tx *sql.Tx) error { return env.store.Append(ctx, tx, events) }))
}

func newAnomalyEnv(t *testing.T) *anomalyEnv {
	t.Helper()
	db, _ := testenv.NewDB(t, sqldb.SQLite)
	office := audit.WorkingHours{}
	for d := time.Monday; d <= time.Friday; d++ {
		office.Week[d] = []audit.Shift{{Start: 9 * time.Hour, End: 17 * time.Hour}}
	}
	env := &anomalyEnv{db: db, store: auditstore.New(db)}
	env.hours = func(_ context.Context, issuer, subject string) (audit.WorkingHours, bool, error) {
		return office, issuer == "https://idp" && subject == "alice", nil
	}
	env.seed(t)
	return env
}

// serve answers one request as p, with hours as the working-hours source.
func (env *anomalyEnv) serve(t *testing.T, p identity.Principal, hours auditapi.Hours, path string) *httptest.ResponseRecorder {
	t.Helper()
	rec := recorder.New(env.db, env.store, recorder.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { rec.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	e := web.NewEngine(web.Options{Service: "audit-test"})
	api := e.Group("/", func(c *gin.Context) {
		c.Request = c.Request.WithContext(authn.WithPrincipal(c.Request.Context(), p))
		c.Next()
	})
	newAPI(t, env.db, env.store, rec, func(d *auditapi.Deps) {
		if hours != nil {
			d.Hours = hours
		}
	}).Mount(api)
	w := httptest.NewRecorder()
	e.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
	return w
}

var (
	complianceOfficer = identity.Principal{Issuer: "http://issuer.test", Subject: "dev-carol", Roles: []identity.Role{identity.Compliance}}
	practiceOneAdmin  = identity.Principal{Issuer: "http://issuer.test", Subject: "dev-pam", Roles: []identity.Role{identity.PracticeAdmin},
		Memberships: []identity.Membership{{PracticeID: "prac-1", Role: identity.PracticeAdmin}}}
)

type anomalyReport struct {
	VolumeFactor   float64 `json:"volume_factor"`
	VolumeMinReads int     `json:"volume_min_reads"`
	HoursUnknown   int     `json:"hours_unknown"`
	Items          []struct {
		Kind  string `json:"kind"`
		Actor struct {
			Subject string `json:"subject"`
			Role    string `json:"role"`
		} `json:"actor"`
		PracticeIDs []string `json:"practice_ids"`
		EventIDs    []string `json:"event_ids"`
		EventCount  int      `json:"event_count"`
		Reason      string   `json:"reason"`
	} `json:"items"`
}

// kinds lists the report as "kind subject count".
func (r anomalyReport) kinds() []string {
	var out []string
	for _, it := range r.Items {
		out = append(out, fmt.Sprintf("%s %s %d", it.Kind, it.Actor.Subject, it.EventCount))
	}
	return out
}

func anomaliesPath(extra string) string {
	q := url.Values{"from": {workday.Add(-9 * time.Hour).Format(time.RFC3339)}, "to": {workday.Add(15 * time.Hour).Format(time.RFC3339)}}
	return "/api/v1/audit/reports/anomalies?" + q.Encode() + extra
}

func decodeReport(t *testing.T, w *httptest.ResponseRecorder) anomalyReport {
	t.Helper()
	require.Equal(t, 200, w.Code, w.Body.String())
	var r anomalyReport
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &r))
	return r
}

func TestAnomalyReportFindsEachKind(t *testing.T) {
	t.Parallel()
	env := newAnomalyEnv(t)
	w := env.serve(t, complianceOfficer, env.hours, anomaliesPath(""))
	r := decodeReport(t, w)
	require.Equal(t, []string{
		"break_glass dave 1",
		"no_work_item alice 1",
		"outside_hours alice 1",
		"volume bob 60",
	}, r.kinds())
	require.Equal(t, 3.0, r.VolumeFactor)
	require.Equal(t, 50, r.VolumeMinReads)
	require.Equal(t, 4, r.HoursUnknown, "bob and his three peers; alice's hours are known")
	require.Equal(t, []string{"evt-alice-002"}, r.Items[2].EventIDs)
	require.Equal(t, []string{"prac-2"}, r.Items[3].PracticeIDs)
	require.Len(t, r.Items[3].EventIDs, 60)
	require.Contains(t, r.Items[3].Reason, "6.0 times the median")

	body := w.Body.String()
	require.NotContains(t, body, secretPatient, "ids of events, never of patients")
	require.NotContains(t, body, "Jane", "never the free text of an event")

	// The read is itself recorded, as a read of audit metadata.
	cur, err := env.store.Search(context.Background(), auditstore.Query{Actor: "dev-carol"})
	require.NoError(t, err)
	row, ok, err := cur.Next()
	require.NoError(t, err)
	require.True(t, ok, "the report's read is in the trail")
	require.NoError(t, cur.Close())
	recorded := row.Event
	require.Equal(t, audit.ActionRead, recorded.Action)
	require.Equal(t, audit.OutcomeAllow, recorded.Outcome)
	require.Equal(t, "audit_review", recorded.Purpose)
	require.Contains(t, recorded.Fields, "event_ids")
}

func TestAnomalyReportWithoutKnownHoursSkipsTheHoursRule(t *testing.T) {
	t.Parallel()
	env := newAnomalyEnv(t)
	r := decodeReport(t, env.serve(t, complianceOfficer, nil, anomaliesPath("")))
	require.Equal(t, []string{"break_glass dave 1", "no_work_item alice 1", "volume bob 60"}, r.kinds())
	require.Equal(t, 5, r.HoursUnknown)
}

func TestAnomalyReportThresholdsAreParameters(t *testing.T) {
	t.Parallel()
	env := newAnomalyEnv(t)
	r := decodeReport(t, env.serve(t, complianceOfficer, env.hours, anomaliesPath("&volume_min_reads=61")))
	require.NotContains(t, r.kinds(), "volume bob 60")
	require.Equal(t, 61, r.VolumeMinReads)

	r = decodeReport(t, env.serve(t, complianceOfficer, env.hours, anomaliesPath("&volume_factor=6")))
	require.NotContains(t, r.kinds(), "volume bob 60", "60 is not more than 6 times 10")
	r = decodeReport(t, env.serve(t, complianceOfficer, env.hours, anomaliesPath("&volume_factor=5.9")))
	require.Contains(t, r.kinds(), "volume bob 60")

	for _, bad := range []string{
		anomaliesPath("&volume_factor=0.5"), anomaliesPath("&volume_factor=x"), anomaliesPath("&volume_min_reads=0"),
		anomaliesPath("&practice_id=prac-1&practice=prac-2"),
		"/api/v1/audit/reports/anomalies?from=yesterday",
		"/api/v1/audit/reports/anomalies?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z",
		"/api/v1/audit/reports/anomalies?from=2026-01-01T00:00:00Z&to=2026-06-01T00:00:00Z", // more than a quarter
	} {
		w := env.serve(t, complianceOfficer, env.hours, bad)
		require.Equal(t, 400, w.Code, bad)
	}
}

func TestAnomalyReportIsScopedLikeTheTrail(t *testing.T) {
	t.Parallel()
	env := newAnomalyEnv(t)
	r := decodeReport(t, env.serve(t, practiceOneAdmin, env.hours, anomaliesPath("")))
	require.Equal(t, []string{"break_glass dave 1", "no_work_item alice 1", "outside_hours alice 1"}, r.kinds(), "practice 2 is not theirs")

	r = decodeReport(t, env.serve(t, practiceOneAdmin, env.hours, anomaliesPath("&practice=prac-2")))
	require.Empty(t, r.Items)

	r = decodeReport(t, env.serve(t, complianceOfficer, env.hours, anomaliesPath("&practice=prac-2")))
	require.Equal(t, []string{"volume bob 60"}, r.kinds())

	agent := identity.Principal{Issuer: "http://issuer.test", Subject: "dev-alice", Roles: []identity.Role{identity.Agent}}
	require.Equal(t, 403, env.serve(t, agent, env.hours, anomaliesPath("")).Code)
}

func TestAnomalyReportFailsWhenHoursCannotBeRead(t *testing.T) {
	t.Parallel()
	env := newAnomalyEnv(t)
	broken := func(context.Context, string, string) (audit.WorkingHours, bool, error) {
		return audit.WorkingHours{}, false, errors.New("routing unavailable")
	}
	w := env.serve(t, complianceOfficer, broken, anomaliesPath(""))
	require.Equal(t, 500, w.Code, "an incomplete report is not passed off as a clean one")
	require.NotContains(t, w.Body.String(), "items")
}
