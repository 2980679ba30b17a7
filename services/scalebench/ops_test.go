package scalebench_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/testenv/scale"
	"github.com/stretchr/testify/require"
)

// Scopes: what an operation's work spans. An agent's and a practice's do
// not grow with the company; the company's do.
const (
	perAgent    = "agent"
	perPractice = "practice"
	perCompany  = "company"
)

// results are the series of one size, in the order they were measured.
type results struct {
	size   scale.Size
	loaded scale.Report
	order  []*series
}

func (r *results) series(op, scope string) *series {
	for _, s := range r.order {
		if s.op == op {
			return s
		}
	}
	s := &series{op: op, scope: scope}
	r.order = append(r.order, s)
	return s
}

// sampling is how many times each operation is measured.
type sampling struct {
	agent, board, summary, audit, export int
}

// timed runs fn and adds its time and round trips to s (none when s is
// nil). Requests run one at a time, so every round trip the process made
// meanwhile is fn's.
func (b *bench) timed(s *series, fn func() error) error {
	if s == nil {
		return fn()
	}
	before := b.proc.DB.Counts()
	start := time.Now()
	err := fn()
	s.took = append(s.took, time.Since(start))
	s.trips = append(s.trips, b.proc.DB.Counts().Sub(before).RoundTrips())
	return err
}

// measure runs every operation at this size.
func (b *bench) measure(t *testing.T, n sampling) *results {
	r := &results{size: b.c.Size, loaded: b.loaded}
	b.agentWork(t, r, n.agent)
	b.reports(t, r, n)
	b.auditReads(t, r, n)
	b.generation(t, r)
	b.reconciler(t, r)
	return r
}

// The same agents and practices are sampled at every size, the first
// team's, each warmed up first: the caches an agent's requests use
// (access facts per agent and practice, practice profiles) are then as
// warm at 100% as at 1%, as they are in a working day. A first request
// per agent and practice costs a few more round trips at any size.
func (b *bench) agentOf(i int) int {
	a := b.c.TeamAgents(0)
	return a[i%len(a)]
}

func (b *bench) practiceOf(i int) int {
	p := b.c.TeamPractices(0)
	return p[i%len(p)]
}

// warmCycles is how many untimed cycles warm the sampled agents up.
const warmCycles = 15

// agentWork measures the agent's queue, then full cycles: next, the item
// view (PHI, audited) and an outcome with a next contact date, which lets
// the agent's next call start another item.
func (b *bench) agentWork(t *testing.T, r *results, n int) {
	for i := range warmCycles {
		require.NoError(t, b.cycle(b.agentOf(i), nil, nil, nil))
	}
	queue := r.series("GET /api/v1/work/queue", perAgent)
	for i := range n {
		require.NoError(t, b.timed(queue, func() error {
			_, err := b.call(asAgent(b.agentOf(i)), http.MethodGet, "/api/v1/work/queue", "", nil)
			return err
		}))
	}
	next, view, outcome := r.series("POST /api/v1/work/next", perAgent), r.series("GET /api/v1/work/items/:id", perAgent),
		r.series("POST …/outcomes", perAgent)
	for i := range n {
		require.NoError(t, b.cycle(b.agentOf(i), next, view, outcome))
	}
}

// cycle is one turn of agent a's work, each step added to its series
// (untimed where nil).
func (b *bench) cycle(a int, next, view, outcome *series) error {
	who := asAgent(a)
	var started struct {
		ItemID  string      `json:"item_id"`
		Kind    policy.Kind `json:"kind"`
		Version int         `json:"version"`
	}
	var ok bool
	err := b.timed(next, func() (err error) {
		ok, err = b.call(who, http.MethodPost, "/api/v1/work/next", "", &started)
		return err
	})
	if err != nil || !ok {
		return err // !ok: nothing workable now (quiet hours everywhere)
	}
	path := "/api/v1/work/items/" + started.ItemID
	if err := b.timed(view, func() error {
		_, err := b.call(who, http.MethodGet, path, "", nil)
		return err
	}); err != nil {
		return err
	}
	channel, result := "call", "voicemail"
	if started.Kind == policy.ClaimFollowup {
		channel, result = "payer_call", "claim_status_received"
	}
	body := fmt.Sprintf(`{"channel":%q,"outcome":%q,"next_contact_at":%q,"version":%d}`, channel, result,
		time.Now().UTC().AddDate(0, 0, 3).Format(time.RFC3339), started.Version)
	return b.timed(outcome, func() error {
		_, err := b.call(who, http.MethodPost, path+"/outcomes", body, nil)
		return err
	})
}

// reports measures the managers' board and practices' summaries.
func (b *bench) reports(t *testing.T, r *results, n sampling) {
	_, err := b.call(asManager(), http.MethodGet, "/api/v1/work/board", "", nil) // warm
	require.NoError(t, err)
	board := r.series("GET /api/v1/work/board", perCompany)
	for range n.board {
		require.NoError(t, b.timed(board, func() error {
			_, err := b.call(asManager(), http.MethodGet, "/api/v1/work/board", "", nil)
			return err
		}))
	}
	summary := r.series("GET /api/v1/work/practices/:id/summary", perPractice)
	for _, p := range b.c.TeamPractices(0) { // warm
		_, err = b.call(asAdminOf(p), http.MethodGet, "/api/v1/work/practices/"+b.c.PracticeID(p)+"/summary", "", nil)
		require.NoError(t, err)
	}
	for i := range n.summary {
		p := b.practiceOf(i)
		require.NoError(t, b.timed(summary, func() error {
			_, err := b.call(asAdminOf(p), http.MethodGet, "/api/v1/work/practices/"+b.c.PracticeID(p)+"/summary", "", nil)
			return err
		}))
	}
}

// auditReads measures compliance's searches (a page of 50, newest first)
// by patient, by actor and by a day's time range, and the export of a
// month as CSV.
func (b *bench) auditReads(t *testing.T, r *results, n sampling) {
	events := func(q url.Values) func() error {
		return func() error {
			_, err := b.call(asCompliance(), http.MethodGet, "/api/v1/audit/events?"+q.Encode(), "", nil)
			return err
		}
	}
	require.NoError(t, events(url.Values{"limit": {"1"}})()) // warm
	from, to := b.c.AuditSpan()
	byPatient, byActor, byDay := r.series("audit search by patient", perCompany), r.series("audit search by actor", perCompany),
		r.series("audit search by day", perCompany)
	byPractice := r.series("audit search by practice (its admin)", perPractice)
	for i := range n.audit {
		require.NoError(t, b.timed(byPatient, events(url.Values{"patient_id": {b.patientWithEvents(i, n.audit)}})))
		require.NoError(t, b.timed(byActor, events(url.Values{"actor": {b.c.AgentSubject(b.agentOf(i))}})))
		d := from.Add(time.Duration(i+1) * to.Sub(from) / time.Duration(n.audit+1)).Truncate(24 * time.Hour)
		require.NoError(t, b.timed(byDay, events(url.Values{"from": {stamp(d)}, "to": {stamp(d.Add(24 * time.Hour))}})))
		p := b.practiceOf(i)
		require.NoError(t, b.timed(byPractice, func() error {
			_, err := b.call(asAdminOf(p), http.MethodGet, "/api/v1/audit/events?practice_id="+b.c.PracticeID(p), "", nil)
			return err
		}))
	}
	export := r.series("audit export of a month (CSV)", perCompany)
	for i := range n.export {
		end := to.Add(-time.Duration(i) * 30 * 24 * time.Hour).Truncate(24 * time.Hour)
		q := url.Values{"from": {stamp(end.Add(-30 * 24 * time.Hour))}, "to": {stamp(end)}, "format": {"csv"}}
		require.NoError(t, b.timed(export, func() error {
			_, err := b.stream(asCompliance(), "/api/v1/audit/export?"+q.Encode())
			return err
		}))
	}
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// patientWithEvents is a patient the trail names, spread over its length.
func (b *bench) patientWithEvents(i, n int) string {
	for e := (i + 1) * b.c.Size.AuditEvents / (n + 1); ; e++ {
		if ev := b.c.AuditEvent(e % b.c.Size.AuditEvents); len(ev.PatientIDs) > 0 {
			return ev.PatientIDs[0]
		}
	}
}

// generationOp names the daily generation's series.
const generationOp = "daily work generation, per practice"

// generation runs the daily work generation for every practice, one
// after another, as the router's tasks would.
func (b *bench) generation(t *testing.T, r *results) {
	s := r.series(generationOp, perPractice)
	ctx := context.Background()
	for p := range b.c.Size.Practices {
		require.NoError(t, b.timed(s, func() error {
			_, err := b.dom.Imports.Generate(ctx, b.c.PracticeID(p))
			return err
		}))
	}
}

// reconcilerPasses is how many reconciler passes are measured: the first
// restores the routings the loaded company lost (about one a practice, up
// to the router's batch of 500); the others find nothing to do, as most
// passes do.
const reconcilerPasses = 3

// reconciler runs the routing reconciler over the whole company, with the
// router's batch. A large company loses more routings than one batch
// restores: the passes after the measured first one run, unmeasured,
// until one finds nothing to do, so that the idle passes measured are
// idle at every size.
func (b *bench) reconciler(t *testing.T, r *results) {
	first, idle := r.series("reconciler pass, restoring", perCompany), r.series("reconciler pass, idle", perCompany)
	ctx := context.Background()
	require.NoError(t, b.timed(first, func() error {
		_, err := b.dom.Routing.Reconcile(ctx, 500)
		return err
	}))
	for range 200 {
		rep, err := b.dom.Routing.Reconcile(ctx, 500)
		require.NoError(t, err)
		if rep.Routed+rep.Due+rep.Rerouted == 0 {
			break
		}
	}
	for range reconcilerPasses - 1 {
		require.NoError(t, b.timed(idle, func() error {
			_, err := b.dom.Routing.Reconcile(ctx, 500)
			return err
		}))
	}
}
