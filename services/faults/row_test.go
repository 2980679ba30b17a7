package faults_test

import (
	"fmt"
	"slices"
	"time"
)

// row is one fault's figures: the load before, during and after it,
// readiness, the revocation probe, and what must hold.
type row struct {
	fault string
	gone  []string

	t0, t1, healAt, healed, t3 time.Time // before from t0, the fault from t1 until healAt, after from healed until t3

	calls                         [3]int // agents' calls before, during, after
	failed                        [3]int
	p99                           [3]time.Duration
	recover                       time.Duration // from healed until the last failed call of an agent
	recoverOpen                   bool          // agents still failed at the end of the after window
	readyLies                     int           // ready answers from a process whose store was gone
	readyLiesOf                   []string
	judged                        int           // readiness answers from processes whose store was gone, after the grace
	allReady                      bool          // every process was ready again within the after window
	readyAfter                    time.Duration // from healed until every process was ready
	lastReady                     string        // the process that was ready last
	unreadyBefore                 int           // not-ready answers before the fault, with every store there
	revokedAt                     time.Time
	revokeLag                     time.Duration // from max(healed, revokedAt) until Rita's last allowed read (0: none)
	lateReads                     int           // Rita's reads allowed more than 1 s after that
	phiUnaudited                  int
	doubleOwned                   int
	duplicates                    int
	auditErr                      error
	lateTimers                    int // waiting items more than 45 s past their next contact date at the end of the after window
	refusedReads, probeReadsTotal int
}

// calls and holds as the load recorded them so far.
func (l *load) snapshot() ([]call, []hold) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.calls), slices.Clone(l.holds)
}

// agentOps are the calls an agent makes while working.
var agentOps = map[string]bool{"next": true, "view": true, "outcome": true, "handoff": true, "note": true}

// measureCalls fills the error rates, p99s and recovery time from the
// agents' calls.
func (r *row) measureCalls(calls []call, _ []hold) {
	var took [3][]time.Duration
	var lastFail time.Time
	for _, c := range calls {
		if !agentOps[c.Op] || c.At.Before(r.t0) || !c.At.Before(r.t3) {
			continue
		}
		w := 2
		switch {
		case c.At.Before(r.t1):
			w = 0
		case c.At.Before(r.healed):
			w = 1
		}
		r.calls[w]++
		took[w] = append(took[w], c.Took)
		if c.failed() {
			r.failed[w]++
			if w > 0 {
				if end := c.At.Add(c.Took); end.After(lastFail) {
					lastFail = end
				}
			}
		}
	}
	for w := range took {
		r.p99[w] = percentile(took[w], 0.99)
	}
	if lastFail.After(r.healed) {
		r.recover = lastFail.Sub(r.healed)
		r.recoverOpen = lastFail.After(r.t3.Add(-time.Second))
	}
}

// measureReadiness counts ready answers from processes whose store was
// gone (after a 3 s grace, the time a probe's failures take to show),
// and when every process was ready again.
func (r *row) measureReadiness(samples []probeSample) {
	grace := r.t1.Add(3 * time.Second)
	since := map[string]time.Time{} // start of the run of ready answers each process ended with
	for _, s := range samples {
		if s.end.Before(r.t1) && !s.ready {
			r.unreadyBefore++
		}
		if slices.Contains(r.gone, s.process) && s.at.After(grace) && s.end.Before(r.healAt) {
			r.judged++
		}
		if slices.Contains(r.gone, s.process) && s.at.After(grace) && s.end.Before(r.healAt) && s.ready {
			r.readyLies++
			if !slices.Contains(r.readyLiesOf, s.process) {
				r.readyLiesOf = append(r.readyLiesOf, s.process)
			}
		}
		if !s.at.After(r.healed) {
			continue
		}
		if !s.ready {
			delete(since, s.process)
		} else if _, ok := since[s.process]; !ok {
			since[s.process] = s.at
		}
	}
	r.allReady = true
	var latest time.Time
	for _, name := range processNames {
		at, ok := since[name]
		if !ok {
			r.allReady = false
			continue
		}
		if at.After(latest) {
			latest, r.lastReady = at, name
		}
	}
	if r.allReady && latest.After(r.healed) {
		r.readyAfter = latest.Sub(r.healed)
	}
}

// measureRevocation finds how long after the fault and the revocation
// Rita could still read (her last allowed read), and counts the reads
// allowed more than a second after.
func (r *row) measureRevocation(reads []probeRead) {
	if r.revokedAt.IsZero() {
		return
	}
	from := r.healed
	if r.revokedAt.After(from) {
		from = r.revokedAt
	}
	for _, rd := range reads {
		r.probeReadsTotal++
		if rd.status == 403 || rd.status == 404 {
			r.refusedReads++
		}
		if rd.at.Before(from) || rd.status != 200 {
			continue
		}
		if lag := rd.at.Sub(from); lag > r.revokeLag {
			r.revokeLag = lag
		}
		if rd.at.After(from.Add(time.Second)) {
			r.lateReads++
		}
	}
	if r.refusedReads == 0 {
		r.revokeLag = -1
	}
}

// violations are the "must hold" lines this fault broke.
func (r row) violations() []string {
	var out []string
	if r.readyLies > 0 {
		out = append(out, fmt.Sprintf("/readyz said ready %d times while the store of %v was gone", r.readyLies, r.readyLiesOf))
	}
	if r.revokedAt.IsZero() {
		out = append(out, "the practice admin could not revoke the probe's grant within 2 minutes")
	} else if r.revokeLag < 0 {
		out = append(out, "Rita was never refused after the revocation")
	}
	if r.lateReads > 0 {
		out = append(out, fmt.Sprintf("%d reads allowed under the revoked grant more than 1 s after the fault ended (the last %s after)",
			r.lateReads, r.revokeLag.Round(time.Millisecond)))
	}
	out = counted(out, r.phiUnaudited, lineUnaudited)
	out = counted(out, r.doubleOwned, lineOwnedTwice)
	out = counted(out, r.duplicates, "%d outcomes or notes recorded twice")
	return auditLine(out, r.auditErr)
}

// The "must hold" lines a fault's row and the whole run word alike.
const (
	lineUnaudited  = "%d patient-data answers without their audit event"
	lineOwnedTwice = "%d items worked by two agents at once"
)

// counted adds the line format, filled with n, to out when n is not 0.
func counted(out []string, n int, format string) []string {
	if n == 0 {
		return out
	}
	return append(out, fmt.Sprintf(format, n))
}

// auditLine adds the audit log's failure to verify, if any, to out.
func auditLine(out []string, err error) []string {
	if err == nil {
		return out
	}
	return append(out, "the audit log does not verify: "+err.Error())
}

// summary is the row in one line, for the test's log as it goes.
func (r row) summary() string {
	return fmt.Sprintf("errors %s during, %s after; recovered in %s; p99 %s/%s/%s; ready again after %s (last: %s); %d not ready before; revocation %s; timers late %d",
		pct(r.failed[1], r.calls[1]), pct(r.failed[2], r.calls[2]), r.recoverText(), ms(r.p99[0]), ms(r.p99[1]), ms(r.p99[2]),
		r.readyAfter.Round(100*time.Millisecond), r.lastReady, r.unreadyBefore, r.revokeText(), r.lateTimers)
}

func (r row) recoverText() string {
	if r.recoverOpen {
		return "> " + r.t3.Sub(r.healed).Round(time.Second).String()
	}
	return r.recover.Round(100 * time.Millisecond).String()
}

func (r row) revokeText() string {
	switch {
	case r.revokedAt.IsZero():
		return "not revoked"
	case r.revokeLag < 0:
		return "never refused"
	case r.revokeLag == 0:
		return "at once"
	}
	return ms(r.revokeLag)
}

func percentile(d []time.Duration, q float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := int(q*float64(len(s))+0.5) - 1
	return s[max(0, min(i, len(s)-1))]
}

func pct(n, of int) string {
	if of == 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(of))
}

func ms(d time.Duration) string { return fmt.Sprintf("%d ms", d.Milliseconds()) }
