// Package checklist tells a practice admin how far onboarding has come:
// the business associate agreement, locations, other admins invited, the
// follow-up policy reviewed, the first import, the first grant; and which
// step is next.
package checklist

import (
	"context"
	"database/sql"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
)

// Step is one onboarding step.
type Step struct {
	Key   string
	Title string
	Done  bool
	Hint  string // what to do, where
}

// Checklist is the practice's onboarding steps in order, with the first
// one not done named as next ("" when all are done).
type Checklist struct {
	PracticeID string
	Steps      []Step
	Next       string
	Done       int
}

// steps lists the steps in order with the query that says each is done
// (a count above zero).
var steps = []struct {
	key, title, hint, query string
}{
	{"baa", "Sign the business associate agreement", "Record the signed BAA on the practice's settings.",
		`SELECT count(*) FROM practices WHERE id = $1 AND baa_signed_on IS NOT NULL`},
	{"locations", "Add your locations", "Add each office where patients are seen.",
		`SELECT count(*) FROM locations WHERE practice_id = $1`},
	{"admins", "Invite your other admins", "Invite at least one more person to administer the practice.",
		`SELECT (SELECT count(*) FROM invitations WHERE practice_id = $1) + (SELECT count(*) FROM practice_memberships WHERE practice_id = $1) - 1`},
	{"policy", "Review the follow-up policy", "Check the thresholds, cadences and contact rules, and save them.",
		`SELECT count(*) FROM practice_policies WHERE practice_id = $1`},
	{"import", "Import your data", "Upload your patients, then balances, claims, recalls and treatment plans.",
		`SELECT count(*) FROM imports WHERE practice_id = $1 AND state = 'succeeded' AND dry_run = FALSE`},
	{"grant", "Grant access to a billing team", "Give a team access to the kinds of follow-up it will work.",
		`SELECT count(*) FROM grants WHERE practice_id = $1 AND revoked_at IS NULL`},
}

// Read works out the practice's checklist.
func Read(ctx context.Context, db *sqldb.DB, practiceID string) (Checklist, error) {
	c := Checklist{PracticeID: practiceID, Steps: make([]Step, 0, len(steps))}
	err := db.Tx(sqldb.WithPractice(ctx, practiceID), func(tx *sql.Tx) error {
		c.Steps, c.Next, c.Done = c.Steps[:0], "", 0
		for _, s := range steps {
			var n int
			if err := tx.QueryRowContext(ctx, s.query, practiceID).Scan(&n); err != nil {
				return err
			}
			st := Step{Key: s.key, Title: s.title, Done: n > 0, Hint: s.hint}
			if st.Done {
				c.Done++
			} else if c.Next == "" {
				c.Next = st.Key
			}
			c.Steps = append(c.Steps, st)
		}
		return nil
	})
	return c, sqldb.MapError(err)
}
