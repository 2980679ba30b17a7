package faults_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit/auditstore"
)

// ending is what holds once the load has stopped and the platform has
// settled: the lines of the report that are about the whole run.
type ending struct {
	settled       time.Duration // how long the routers took to own every item and fire every timer
	unowned       int           // items no agent owns (generated but never owned)
	unownedWhy    []string
	vanished      int // items an agent worked that are gone
	overdue       int // waiting items whose timer never fired
	phiAnswers    int
	phiUnaudited  int
	holds         int
	doubleOwned   int
	outcomes      int
	notes         int
	dupOutcomes   int // outcomes and notes kept more than once
	remitClaims   int
	dupRemits     int
	auditLeaves   uint64
	auditErr      error
	calls, failed int
}

// phiRoute is the agents' patient-data route in nginx's log.
var phiRoute = regexp.MustCompile(`^/api/v1/work/items/[^/]+$`)

// finalChecks lets the platform settle, then checks the whole run and
// puts each finding down to the fault whose window it fell in.
func (p *platform) finalChecks(t *testing.T, l *load, rows []row) ending {
	t.Helper()
	ctx := context.Background()
	var e ending
	calls, holds := l.snapshot()
	for _, c := range calls {
		if agentOps[c.Op] {
			e.calls++
			if c.failed() {
				e.failed++
			}
		}
	}
	at := func(ts time.Time) *row {
		for i := range rows {
			if !ts.Before(rows[i].t0) && ts.Before(rows[i].t3) {
				return &rows[i]
			}
		}
		return nil
	}

	// Every item is owned and every timer fired: the routers (their
	// reconciler runs every 30 s) are given two minutes.
	start := time.Now()
	for {
		e.unowned, e.unownedWhy, e.overdue = p.workState(t)
		if e.unowned == 0 && e.overdue == 0 || time.Since(start) > 2*time.Minute {
			break
		}
		time.Sleep(time.Second)
	}
	e.settled = time.Since(start)

	l.mu.Lock()
	seen := make([]string, 0, len(l.seenItems))
	for id := range l.seenItems {
		seen = append(seen, id)
	}
	l.mu.Unlock()
	var present int
	if err := p.owner.QueryRowContext(ctx, `SELECT count(*) FROM work_items WHERE id = ANY($1)`, seen).Scan(&present); err != nil {
		t.Fatal(err)
	}
	e.vanished = len(seen) - present

	// Every patient-data answer nginx passed on has its audit event.
	audited := p.auditedRequests(t)
	for _, a := range p.nginx.accessLog(t) {
		if a.Method != "GET" || a.Status != 200 || !phiRoute.MatchString(a.Path) {
			continue
		}
		e.phiAnswers++
		if !audited[a.RequestID] {
			e.phiUnaudited++
			if r := at(a.At); r != nil {
				r.phiUnaudited++
			}
			t.Logf("patient data answered without its audit event: request %s at %s", a.RequestID, a.At.Format(time.RFC3339Nano))
		}
	}

	// No item was worked by two agents at once.
	byItem := map[string][]hold{}
	for _, h := range holds {
		if h.Done {
			e.holds++
			byItem[h.Item] = append(byItem[h.Item], h)
		}
	}
	for item, hs := range byItem {
		sort.Slice(hs, func(i, j int) bool { return hs[i].From.Before(hs[j].From) })
		for i := 1; i < len(hs); i++ {
			if hs[i].Agent != hs[i-1].Agent && hs[i].From.Before(hs[i-1].To) {
				e.doubleOwned++
				if r := at(hs[i].From); r != nil {
					r.doubleOwned++
				}
				t.Logf("item %s worked by %s and %s at once", item, hs[i-1].Agent, hs[i].Agent)
			}
		}
	}

	// No outcome or posting counted twice for a retry.
	rs, err := p.owner.QueryContext(ctx, `SELECT note, count(*), min(at) FROM activities
WHERE note LIKE 'faults %' OR note LIKE 'faults-note %' GROUP BY note`)
	if err != nil {
		t.Fatal(err)
	}
	for rs.Next() {
		var note string
		var n int
		var first time.Time
		if err := rs.Scan(&note, &n, &first); err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(note, "faults-note ") {
			e.notes++
		} else {
			e.outcomes++
		}
		if n > 1 {
			e.dupOutcomes += n - 1
			if r := at(first); r != nil {
				r.duplicates += n - 1
			}
		}
	}
	_ = rs.Close()
	l.mu.Lock()
	remits := append([]string(nil), l.remits...)
	l.mu.Unlock()
	if err := p.owner.QueryRowContext(ctx, `SELECT count(DISTINCT c.external_id), coalesce(sum(n) - count(*), 0) FROM (
  SELECT r.claim_id, count(*) AS n FROM claim_remittances r GROUP BY r.claim_id) x JOIN claims c ON c.id = x.claim_id
WHERE c.external_id = ANY($1)`, remits).Scan(&e.remitClaims, &e.dupRemits); err != nil {
		t.Fatal(err)
	}
	e.auditLeaves, e.auditErr = p.verifyAuditReport(ctx)
	return e
}

// workState counts the items no one owns and the waiting items whose
// next contact date passed more than 45 s ago (the reconciler's period
// and then some), with the routers' reasons for the first.
func (p *platform) workState(t *testing.T) (unowned int, why []string, overdue int) {
	t.Helper()
	ctx := context.Background()
	rs, err := p.owner.QueryContext(ctx, `SELECT coalesce(unassigned_reason, 'none'), count(*) FROM work_items
WHERE state = 'open' AND owner_id IS NULL GROUP BY 1 ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	for rs.Next() {
		var reason string
		var n int
		if err := rs.Scan(&reason, &n); err != nil {
			t.Fatal(err)
		}
		unowned += n
		why = append(why, fmt.Sprintf("%s: %d", reason, n))
	}
	_ = rs.Close()
	if err := p.owner.QueryRowContext(ctx, `SELECT count(*) FROM work_items WHERE state = 'waiting'
AND next_contact_at < now() - interval '45 seconds'`).Scan(&overdue); err != nil {
		t.Fatal(err)
	}
	return unowned, why, overdue
}

// auditedRequests are the request ids the audit trail holds.
func (p *platform) auditedRequests(t *testing.T) map[string]bool {
	t.Helper()
	rs, err := p.owner.QueryContext(context.Background(), `SELECT body FROM audit_events`)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	out := map[string]bool{}
	for rs.Next() {
		var body string
		if err := rs.Scan(&body); err != nil {
			t.Fatal(err)
		}
		var ev struct {
			RequestID string `json:"request_id"`
		}
		if json.Unmarshal([]byte(body), &ev) == nil && ev.RequestID != "" {
			out[ev.RequestID] = true
		}
	}
	return out
}

// verifyAudit checks the audit log as compliance's verification does,
// once the routers integrated what is pending.
func (p *platform) verifyAudit(ctx context.Context) error {
	_, err := p.verifyAuditReport(ctx)
	return err
}

func (p *platform) verifyAuditReport(ctx context.Context) (uint64, error) {
	store := auditstore.New(p.owner)
	rep, err := store.Verify(ctx, p.verifier, nil)
	return rep.Leaves, err
}

// claimNumbers are the demo practice's claims, for the 835s.
func (p *platform) claimNumbers(t *testing.T) []string {
	rs, err := p.owner.QueryContext(context.Background(), `SELECT external_id FROM claims ORDER BY external_id`)
	if err != nil {
		t.Error(err)
		return nil
	}
	defer rs.Close()
	var out []string
	for rs.Next() {
		var s string
		if rs.Scan(&s) == nil {
			out = append(out, s)
		}
	}
	return out
}

// violations are the "must hold" lines the whole run broke.
func (e ending) violations() []string {
	var out []string
	if e.unowned > 0 {
		out = append(out, fmt.Sprintf("%d items owned by no one after the routers settled (%s)", e.unowned, strings.Join(e.unownedWhy, ", ")))
	}
	out = counted(out, e.vanished, "%d items an agent worked are gone")
	out = counted(out, e.overdue, "%d timers never fired")
	out = counted(out, e.phiUnaudited, lineUnaudited)
	out = counted(out, e.doubleOwned, lineOwnedTwice)
	if e.dupOutcomes > 0 || e.dupRemits > 0 {
		out = append(out, fmt.Sprintf("%d outcomes or notes and %d remittance postings recorded twice", e.dupOutcomes, e.dupRemits))
	}
	out = auditLine(out, e.auditErr)
	if e.phiAnswers == 0 || e.holds == 0 {
		out = append(out, "the load did no work: no patient data was read or no outcome logged")
	}
	return out
}
