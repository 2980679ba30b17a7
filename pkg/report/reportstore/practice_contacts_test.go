package reportstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/report"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// lookupLastContacts is how the summary found each patient's last contact
// before it walked the practice's history: every contact of the practice,
// each checked against its patient's latest. The walk must find exactly
// what it found, in the same order.
const lookupLastContacts = `SELECT a.patient_id, a.work_item_id, w.kind, a.at, a.channel, a.outcome, a.actor_id
FROM activities a JOIN work_items w ON w.id = a.work_item_id
WHERE a.practice_id = $1 AND a.outcome NOT IN ('note', 'handed_off', 'released') AND a.id = (SELECT b.id FROM activities b WHERE b.patient_id = a.patient_id
AND b.outcome NOT IN ('note', 'handed_off', 'released') ORDER BY b.at DESC, b.id DESC LIMIT 1)
ORDER BY a.at DESC, a.patient_id LIMIT $2`

// history is a made-up history of a few practices, with counts that show
// the draw covered the hard cases.
type history struct {
	practices []string
	// sameInstant counts patients with two contacts at one time (the id
	// decides which is the latest); lastNotContact, patients whose last
	// entry is a note, a hand-off or a release; sharedInstant, times at
	// which contacts of several patients of a practice were logged (the
	// patient id orders them).
	sameInstant, lastNotContact, sharedInstant int
	// crossItems counts contacts logged against another practice's item,
	// crossPatients contacts logged in one practice with another's
	// patient. Neither happens through the application; both change what
	// a practice's scope lets a statement see, and the walk must see it
	// as the lookup did.
	crossItems, crossPatients int
}

func (h *history) add(o history) {
	h.practices = append(h.practices, o.practices...)
	h.sameInstant += o.sameInstant
	h.lastNotContact += o.lastNotContact
	h.sharedInstant += o.sharedInstant
	h.crossItems += o.crossItems
	h.crossPatients += o.crossPatients
}

// insertRows writes rows with one multi-row INSERT; head names the table
// and its columns.
func insertRows(t *testing.T, db *sqldb.DB, head string, rows [][]any) {
	t.Helper()
	var vals []string
	var args []any
	for _, r := range rows {
		ph := make([]string, len(r))
		for i := range r {
			ph[i] = fmt.Sprintf("$%d", len(args)+i+1)
		}
		vals = append(vals, "("+strings.Join(ph, ", ")+")")
		args = append(args, r...)
	}
	exec(t, db, head+" VALUES "+strings.Join(vals, ", "), args...)
}

// drawHistory writes three practices of 30 patients, each patient with
// one to three items and each item with up to six history entries. The
// entries fall on 40 minutes only, so contacts of different patients,
// and of one patient, share a time; notes, hand-offs and releases are
// mixed in; the ids are random, so their order says nothing of the
// time's; and one entry in thirty crosses practices.
func drawHistory(t *testing.T, db *sqldb.DB, seed uint64) history {
	rng := rand.New(rand.NewPCG(seed, 7))
	id := func(prefix string) string { return fmt.Sprintf("%s-%016x", prefix, rng.Uint64()) }
	outcomes := []string{"reached", "voicemail", "no_answer", "promised_payment", "sent", "scheduled", "note", "note", "handed_off", "released"}
	kinds := []string{"balance_followup", "recare", "claim_followup"}
	type item struct{ id, practice, patient string }
	type entry struct {
		at      time.Time
		id      string
		contact bool
	}
	var h history
	var items []item
	for p := range 3 {
		pid := fmt.Sprintf("pr-%d-%d", seed, p)
		h.practices = append(h.practices, pid)
		exec(t, db, `INSERT INTO practices (id, name, npi, timezone, status, created_at, updated_at) VALUES ($1, $1, $1, 'UTC', 'active', $2, $2)`, pid, now)
		var patients, work [][]any
		for j := range 30 {
			pt := id("pt")
			patients = append(patients, []any{pt, pid, fmt.Sprintf("E%d", j), "A", "B", "1980-01-01", now, now})
			for range 1 + rng.IntN(3) {
				it := item{id("wi"), pid, pt}
				items = append(items, it)
				work = append(work, []any{it.id, pid, pt, kinds[rng.IntN(len(kinds))], "balance", it.id, "open",
					now.Add(-48 * time.Hour), now.Add(-72 * time.Hour), now.Add(-72 * time.Hour)})
			}
		}
		insertRows(t, db, `INSERT INTO patients (id, practice_id, external_id, first_name, last_name, date_of_birth, created_at, updated_at)`, patients)
		insertRows(t, db, `INSERT INTO work_items (id, practice_id, patient_id, kind, subject_type, subject_id, state, due_at, created_at, updated_at)`, work)
	}
	byPatient := map[string][]entry{}
	atPractice := map[string]map[time.Time]map[string]bool{}
	var acts [][]any
	for _, it := range items {
		for range rng.IntN(7) {
			e := entry{at: now.Add(-time.Duration(rng.IntN(40)) * time.Minute), id: id("ac")}
			outcome := outcomes[rng.IntN(len(outcomes))]
			e.contact = outcome != "note" && outcome != "handed_off" && outcome != "released"
			practice, workItem := it.practice, it.id
			switch rng.IntN(30) {
			case 0: // against an item of another practice
				workItem = items[rng.IntN(len(items))].id
				h.crossItems++
			case 1: // logged in another practice
				practice = h.practices[rng.IntN(len(h.practices))]
				h.crossPatients++
			}
			acts = append(acts, []any{e.id, practice, workItem, it.patient, fmt.Sprintf("u-%d", rng.IntN(4)), "call", outcome, e.at})
			byPatient[it.patient] = append(byPatient[it.patient], e)
			if e.contact {
				if atPractice[practice] == nil {
					atPractice[practice] = map[time.Time]map[string]bool{}
				}
				if atPractice[practice][e.at] == nil {
					atPractice[practice][e.at] = map[string]bool{}
				}
				atPractice[practice][e.at][it.patient] = true
			}
		}
	}
	for start := 0; start < len(acts); start += 100 {
		insertRows(t, db, `INSERT INTO activities (id, practice_id, work_item_id, patient_id, actor_id, channel, outcome, at)`,
			acts[start:min(start+100, len(acts))])
	}
	for _, es := range byPatient {
		var last entry
		contactsAt := map[time.Time]int{}
		for _, e := range es {
			if e.at.After(last.at) || (e.at.Equal(last.at) && e.id > last.id) {
				last = e
			}
			if e.contact {
				contactsAt[e.at]++
			}
		}
		if !last.contact {
			h.lastNotContact++
		}
		for _, n := range contactsAt {
			if n > 1 {
				h.sameInstant++
				break
			}
		}
	}
	for _, times := range atPractice {
		for _, pts := range times {
			if len(pts) > 1 {
				h.sharedInstant++
			}
		}
	}
	return h
}

// looked finds what lookupLastContacts finds, in practiceID's scope.
func looked(t *testing.T, db *sqldb.DB, practiceID string, limit int) []report.LastContact {
	t.Helper()
	out := []report.LastContact{}
	ctx := sqldb.WithPractice(context.Background(), practiceID)
	require.NoError(t, db.Tx(ctx, func(tx *sql.Tx) error {
		out = out[:0]
		rows, err := tx.QueryContext(ctx, lookupLastContacts, practiceID, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c report.LastContact
			if err := rows.Scan(&c.PatientID, &c.WorkItemID, &c.Kind, &c.At, &c.Channel, &c.Outcome, &c.ActorID); err != nil {
				return err
			}
			c.At = c.At.UTC()
			out = append(out, c)
		}
		return rows.Err()
	}))
	return out
}

// A practice's summary lists the same last contacts, in the same order,
// as the lookup of every contact did, at every length of the list: ties
// in time between patients and within one, later notes, hand-offs and
// releases, and histories that cross practices included.
func TestLastContactsAreWhatTheLookupFound(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		var all history
		for seed := range uint64(3) {
			all.add(drawHistory(t, db, seed+1))
		}
		// The draw holds every case the walk must get right.
		require.Positive(t, all.sameInstant, "a patient with two contacts at one time")
		require.Positive(t, all.lastNotContact, "a patient whose last entry is not a contact")
		require.Positive(t, all.sharedInstant, "patients contacted at the same time")
		require.Positive(t, all.crossItems, "a contact against another practice's item")
		require.Positive(t, all.crossPatients, "a contact logged in another practice")
		shown := 0
		for _, p := range all.practices {
			for _, n := range []int{0, 1, 2, 5, 17, 50, 500} {
				want := looked(t, db, p, n)
				s, err := reports(db).Practice(ctx, p, now, n)
				require.NoError(t, err)
				require.Equal(t, want, s.LastContacts, "practice %s, %d contacts", p, n)
				shown = max(shown, len(want))
			}
			// Under a request's shared transaction the summary's reads go
			// out as one pipeline on PostgreSQL; they find the same.
			shared, end := db.ShareReads(ctx)
			s, err := reports(db).Practice(shared, p, now, 17)
			end()
			require.NoError(t, err)
			require.Equal(t, looked(t, db, p, 17), s.LastContacts, "practice %s, shared", p)
		}
		require.Greater(t, shown, 17, "a practice with more patients than the shorter lists hold")
	})
}

// A practice's summary is one round trip on PostgreSQL under a request's
// shared transaction (its commit comes when the request ends), and one
// transaction of a statement per read elsewhere.
func TestPracticeSummaryRoundTrips(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		seed(t, db)
		ctx := context.Background()
		alone, err := reports(db).Practice(ctx, "pr-a", now, 100)
		require.NoError(t, err)

		before := db.Counts()
		_, err = reports(db).Practice(ctx, "pr-a", now, 100)
		require.NoError(t, err)
		cost := db.Counts().Sub(before)
		require.LessOrEqual(t, cost.RoundTrips(), int64(12), "%+v: begin, scope, nine reads and commit at most", cost)

		shared, end := db.ShareReads(ctx)
		before = db.Counts()
		s, err := reports(db).Practice(shared, "pr-a", now, 100)
		cost = db.Counts().Sub(before)
		end()
		require.NoError(t, err)
		require.Equal(t, alone, s)
		if db.Dialect == sqldb.Postgres {
			require.Equal(t, int64(1), cost.RoundTrips(), "%+v: the begin, the scope and every read in one pipeline", cost)
		}
	})
}
