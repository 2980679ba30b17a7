package scalebench_test

import (
	"time"

	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/work"
)

// sample holds the arguments the catalog's lookups are explained with:
// real ids of the loaded company.
type sample struct {
	now                             time.Time
	practice, agent, actor          string
	item, patient, claim            string
	patients                        []string
	dayFrom, dayTo                  time.Time
	subjectTypes, subjectIDs, kinds []string
	priorities                      []int64
	reasons                         []string
}

// newSample picks an owned, unfinished claim follow-up of the first
// practice and the records and people around it.
func (b *bench) newSample() sample {
	c := b.c
	s := sample{now: time.Now().UTC(), practice: c.PracticeID(0)}
	for k := range c.Size.ItemsPerPractice() {
		it := c.Item(0, k)
		if !it.Unfinished() {
			continue
		}
		if len(s.patients) < 20 {
			s.patients = append(s.patients, c.PatientID(0, it.Patient))
		}
		s.subjectTypes, s.subjectIDs = append(s.subjectTypes, string(it.Subject)), append(s.subjectIDs, c.RecordID(0, it.Patient, it.Subject))
		s.kinds, s.priorities, s.reasons = append(s.kinds, string(it.Kind)), append(s.priorities, int64(k%90)), append(s.reasons, "[]")
		if s.item == "" && it.Owner >= 0 && it.Kind == policy.ClaimFollowup {
			s.item, s.patient, s.agent = c.ItemID(0, k), c.PatientID(0, it.Patient), c.AgentID(it.Owner)
			s.claim, s.actor = c.RecordID(0, it.Patient, work.SubjectClaim), c.AgentSubject(it.Owner)
		}
	}
	from, to := c.AuditSpan()
	s.dayFrom = from.Add(to.Sub(from) / 2).Truncate(24 * time.Hour)
	s.dayTo = s.dayFrom.Add(24 * time.Hour)
	return s
}

// lookup is one statement a store sends for an operation, as the store
// writes it (long select lists trimmed where they do not shape the plan),
// with arguments from the loaded company. The operations themselves are
// checked too (checkOperationScans), so a statement changed in its store
// and not here is still caught if it scans.
type lookup struct {
	name  string
	scope func(s sample) string // the practice scope; nil where the table has no row security
	sql   string
	args  func(s sample) []any
	scans string // set when reading the whole table is the statement's nature: why
	// sqlOf, where set, builds the statement and its arguments as the
	// store does, in place of sql and args.
	sqlOf func(s sample) (string, []any)
}

// statement is the lookup's statement and arguments for s.
func (l lookup) statement(s sample) (string, []any) {
	if l.sqlOf != nil {
		return l.sqlOf(s)
	}
	return l.sql, l.args(s)
}

func inPractice(s sample) string { return s.practice }
func allPractices(sample) string { return "*" }

// unfinished is the reports' list of states still to be worked.
const unfinished = `('open', 'assigned', 'in_progress', 'waiting')`

// lookups are the statements behind the measured operations that read
// the big tables, one list per area.
var lookups = concat(agentLookups, boardLookups, summaryLookups, reconcilerLookups, auditLookups)

func concat(lists ...[]lookup) []lookup {
	var out []lookup
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}
