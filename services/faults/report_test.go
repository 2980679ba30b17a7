package faults_test

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// The report's place in docs/reliability.md: between these two lines.
const (
	reportBegin = "<!-- faults report: written by `make test-faults` -->"
	reportEnd   = "<!-- end of faults report -->"
)

// renderReport is the run's table in Markdown: one row per fault, then
// what held over the whole run.
func renderReport(s settings, rows []row, e ending, took time.Duration) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	w("Run of %s (UTC), %s; the run took %s.", time.Now().UTC().Format("2006-01-02 15:04"), s, took.Round(time.Second))
	w("")
	w("| Fault | Agents' errors during / after | Recovered after | p99 before / during / after | /readyz truthful | Ready again after | Last read under the revoked grant | Timers > 45 s late after | PHI answers without audit | Items owned twice | Outcomes or notes kept twice | Audit log verifies |")
	w("|---|---|---|---|---|---|---|---|---|---|---|---|")
	for _, r := range rows {
		truthful := "yes"
		if r.readyLies > 0 {
			truthful = fmt.Sprintf("**no** (%d ready answers)", r.readyLies)
		} else if len(r.gone) == 0 {
			truthful = "yes (no store gone)"
		} else if r.judged == 0 {
			truthful = "– (gone < 3 s grace)"
		}
		verifies := "yes"
		if r.auditErr != nil {
			verifies = "**no**"
		}
		w("| %s | %s / %s | %s | %s / %s / %s | %s | %s | %s | %d | %d | %d | %d | %s |", r.fault,
			pct(r.failed[1], r.calls[1]), pct(r.failed[2], r.calls[2]), r.recoverText(),
			ms(r.p99[0]), ms(r.p99[1]), ms(r.p99[2]), truthful, r.readyAfter.Round(100*time.Millisecond), r.revokeText(),
			r.lateTimers, r.phiUnaudited, r.doubleOwned, r.duplicates, verifies)
	}
	w("")
	w("Over the whole run:")
	w("")
	w("| Must hold | Result |")
	w("|---|---|")
	w("| Work items owned by no one once the routers settled (%s) | %d |", e.settled.Round(time.Second), e.unowned)
	w("| Items an agent worked that are gone | %d |", e.vanished)
	w("| Timers that never fired | %d |", e.overdue)
	w("| Patient-data answers nginx passed on / without their audit event | %d / %d |", e.phiAnswers, e.phiUnaudited)
	w("| Items worked by two agents at once (of %d finished holds) | %d |", e.holds, e.doubleOwned)
	w("| Outcomes and notes logged / recorded twice after a retry | %d and %d / %d |", e.outcomes, e.notes, e.dupOutcomes)
	w("| Claims in 835s sent twice / remittances posted twice | %d / %d |", e.remitClaims, e.dupRemits)
	verifies := fmt.Sprintf("yes, %d events", e.auditLeaves)
	if e.auditErr != nil {
		verifies = "**no**: " + e.auditErr.Error()
	}
	w("| Audit log verifies at the end | %s |", verifies)
	w("| Agents' calls / failed | %d / %d (%s) |", e.calls, e.failed, pct(e.failed, e.calls))
	return b.String()
}

// writeReport puts the report into the file at path, between its
// markers, leaving the rest of the file as it is.
func writeReport(path, report string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	doc := string(raw)
	i, j := strings.Index(doc, reportBegin), strings.Index(doc, reportEnd)
	if i < 0 || j < i {
		return fmt.Errorf("the markers %q and %q are missing", reportBegin, reportEnd)
	}
	doc = doc[:i+len(reportBegin)] + "\n\n" + report + "\n" + doc[j:]
	return os.WriteFile(path, []byte(doc), 0o644)
}
