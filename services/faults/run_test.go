package faults_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"
)

// TestFaults starts the platform, loads it, runs every fault of the
// matrix in turn while the load goes on, and then checks what must hold
// and prints the table docs/reliability.md keeps. It runs under `make
// test-faults` (BACKDESK_FAULTS=1), which fetches nginx first.
func TestFaults(t *testing.T) {
	needFaults(t)
	s := readSettings(t)
	started := time.Now()
	p := startPlatform(t, s)
	l := newLoad(t, p, s)
	l.stock(t)
	p.waitRouted(t)
	t.Logf("platform up in %s", time.Since(started).Round(time.Second))

	ctx, stop := context.WithCancel(context.Background())
	loadDone := make(chan struct{})
	go func() { l.run(ctx); close(loadDone) }()
	pause(context.Background(), s.before)

	var rows []row
	for _, f := range matrix(s.hold) {
		if !s.wants(f.name) {
			continue
		}
		r := p.runFault(t, l, f, s)
		t.Logf("%s: %s", f.name, r.summary())
		rows = append(rows, r)
	}
	stop()
	<-loadDone
	end := p.finalChecks(t, l, rows)
	report := renderReport(s, rows, end, time.Since(started))
	t.Log("\n" + report)
	t.Log("\n" + l.statuses())
	if out := os.Getenv("BACKDESK_FAULTS_REPORT"); out != "" {
		if err := writeReport(out, report); err != nil {
			t.Errorf("write the report to %s: %v", out, err)
		}
	}
	for _, r := range rows {
		for _, v := range r.violations() {
			t.Errorf("%s: %s", r.fault, v)
		}
	}
	for _, v := range end.violations() {
		t.Errorf("after the run: %s", v)
	}
}

// probeSample is one readiness answer.
type probeSample struct {
	process string
	at, end time.Time // asked, answered
	ready   bool
}

// runFault runs one fault under the load and measures it.
func (p *platform) runFault(t *testing.T, l *load, f fault, s settings) row {
	t.Helper()
	ctx := context.Background()
	r := row{fault: f.name, gone: f.gone}
	rev := p.armRevocation(t, l)

	r.t0 = time.Now()

	// Readiness is asked of every process four times a second, as a
	// kubelet's probe would, from the baseline until the end.
	var samples []probeSample
	var smu sync.Mutex
	sampleCtx, stopSampling := context.WithCancel(ctx)
	var swg sync.WaitGroup
	for _, svc := range p.services {
		swg.Add(1)
		go func() {
			defer swg.Done()
			for pause(sampleCtx, 250*time.Millisecond) {
				at := time.Now()
				ok := svc.ready()
				smu.Lock()
				samples = append(samples, probeSample{process: svc.name, at: at, end: time.Now(), ready: ok})
				smu.Unlock()
			}
		}()
	}

	pause(ctx, s.before)
	r.t1 = time.Now()
	heal, err := f.inject(ctx, p)
	if err != nil {
		t.Fatalf("%s: inject: %v", f.name, err)
	}
	// The practice admin revokes Rita's grant while the fault lasts.
	revoked := make(chan time.Time, 1)
	go func() { revoked <- p.revoke(l, rev, r.t1.Add(min(time.Second, f.hold/2))) }()
	pause(ctx, f.hold)
	r.healAt = time.Now()
	if err := heal(); err != nil {
		t.Fatalf("%s: heal: %v", f.name, err)
	}
	r.healed = time.Now()

	// From the moment the fault ends, Rita tries to read the item her
	// revoked grant covered.
	readsCtx, stopReads := context.WithCancel(ctx)
	readsDone := make(chan []probeRead, 1)
	go func() { readsDone <- p.readAsProbe(readsCtx, l, rev.item) }()

	pause(ctx, s.after)
	r.t3 = time.Now()
	stopSampling()
	swg.Wait()
	r.revokedAt = <-revoked
	stopReads()
	reads := <-readsDone
	r.measureCalls(l.snapshot())
	r.measureReadiness(samples)
	r.measureRevocation(reads)
	if !r.allReady {
		// Wait longer, so the next fault starts on a platform that is
		// whole, and say how long it took.
		deadline := time.Now().Add(90 * time.Second)
		for !p.allReady() && time.Now().Before(deadline) {
			time.Sleep(250 * time.Millisecond)
		}
		if !p.allReady() {
			t.Fatalf("%s: the platform is not ready 90 s after the fault ended", f.name)
		}
		r.readyAfter = time.Since(r.healed)
	}
	_, _, r.lateTimers = p.workState(t)
	r.auditErr = p.verifyAudit(ctx)
	return r
}

// allReady reports whether every process is ready now.
func (p *platform) allReady() bool {
	for _, svc := range p.services {
		if !svc.ready() {
			return false
		}
	}
	return true
}

// revocation is what a fault's revocation probe works with: Rita's grant
// and the item handed to her under it.
type revocation struct {
	grantID string
	version int
	item    string
}

// armRevocation gives Rita a fresh grant and an item under it (Alice,
// who is idle in the load, hands her one), and checks she can read it.
func (p *platform) armRevocation(t *testing.T, l *load) revocation {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	var rev revocation
	for rev.grantID == "" {
		st, raw := l.json(practiceAdmin, "probe", http.MethodPost, "/api/v1/practices/"+p.people.practiceID+"/grants", map[string]any{
			"grantee": map[string]string{"type": "team", "id": p.people.probeTeam}, "kinds": []string{"balance_followup", "recare", "treatment_followup", "claim_followup", "eligibility_check"},
			"reason": "Revocation probe of the faults suite", "days": 30})
		var g struct {
			ID      string `json:"id"`
			Version int    `json:"version"`
		}
		if st == http.StatusCreated && json.Unmarshal(raw, &g) == nil {
			rev.grantID, rev.version = g.ID, g.Version
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the revocation probe's grant: %d %s", st, raw)
		}
		time.Sleep(500 * time.Millisecond)
	}
	for rev.item == "" {
		st, raw := l.json("alice", "probe", http.MethodPost, "/api/v1/work/next", nil)
		var started struct {
			ItemID  string `json:"item_id"`
			Version int    `json:"version"`
		}
		if st == http.StatusOK && json.Unmarshal(raw, &started) == nil {
			st, raw = l.json("alice", "probe", http.MethodPost, "/api/v1/work/items/"+started.ItemID+"/handoff",
				map[string]any{"to": p.people.userIDs[probeUser], "note": "For the revocation probe", "version": started.Version})
			if st == http.StatusOK {
				rev.item = started.ItemID
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("handing Rita an item: %d %s", st, raw)
		}
		time.Sleep(500 * time.Millisecond)
	}
	for {
		st, raw := l.json(probeUser, "probe", http.MethodGet, "/api/v1/work/items/"+rev.item, nil)
		if st == http.StatusOK {
			return rev
		}
		if time.Now().After(deadline) {
			t.Fatalf("Rita cannot read the item handed to her under her grant: %d %s", st, raw)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// revoke revokes the probe's grant from at on, retrying until the
// platform accepts it, and returns when it did.
func (p *platform) revoke(l *load, rev revocation, at time.Time) time.Time {
	time.Sleep(time.Until(at))
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		st, _ := l.json(practiceAdmin, "probe", http.MethodPost, "/api/v1/grants/"+rev.grantID+"/revoke",
			map[string]any{"version": rev.version, "note": "Revocation probe"})
		switch st {
		case http.StatusOK:
			return time.Now()
		case http.StatusConflict:
			// An earlier try was applied but its answer lost.
			return time.Now()
		}
	}
	return time.Time{}
}

// probeRead is one of Rita's reads after a fault.
type probeRead struct {
	at     time.Time
	status int
}

// readAsProbe reads the item as Rita twenty times a second until ctx
// ends.
func (p *platform) readAsProbe(ctx context.Context, l *load, item string) []probeRead {
	var out []probeRead
	for pause(ctx, 50*time.Millisecond) {
		at := time.Now()
		st, _ := l.json(probeUser, "probe", http.MethodGet, "/api/v1/work/items/"+item, nil)
		out = append(out, probeRead{at: at, status: st})
	}
	return out
}

// waitRouted waits until the routers have given the load's agents work.
func (p *platform) waitRouted(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var n int
		err := p.owner.QueryRowContext(context.Background(), `SELECT count(*) FROM work_items w JOIN agents a ON a.user_id = w.owner_id
WHERE a.display_name LIKE 'Faults agent%'`).Scan(&n)
		if err == nil && n >= 10*len(p.people.agents) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the routers gave the agents no work within 2 minutes (%d items, %v)", n, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// needFaults skips a test of the faults suite unless it was asked for: it
// starts servers and breaks them, which the ordinary suites do not.
func needFaults(t *testing.T) {
	t.Helper()
	if os.Getenv("BACKDESK_FAULTS") == "" {
		t.Skip("the faults suite runs with `make test-faults` (BACKDESK_FAULTS=1)")
	}
}
