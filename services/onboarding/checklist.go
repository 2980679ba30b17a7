package onboarding

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"time"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/backdesk/backdesk/pkg/practice/checklist"
	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/backdesk/backdesk/services/internal/authz"
	"github.com/gin-gonic/gin"
)

func (a *API) mountChecklist(r gin.IRouter) {
	a.guard.Handle(r, http.MethodGet, "/api/v1/practices/:id/checklist",
		authz.Policy{Action: access.ReadPractice, Resolve: authz.Practice("id")}, a.getChecklist)
}

// getChecklist answers the onboarding steps, done or not, and the next;
// a done step says when it was done and by whom, where that is kept.
func (a *API) getChecklist(c *gin.Context) {
	_, res, _ := authz.DecisionFrom(c.Request.Context())
	out, err := checklist.Read(c.Request.Context(), a.checklistDB, res.PracticeID)
	if err != nil {
		web.Fail(c, err)
		return
	}
	steps := api.Each(out.Steps, stepFrom)
	// When and by whom are a courtesy: the checklist stands without them.
	if done, err := doneSteps(c.Request.Context(), a.checklistDB, res.PracticeID); err == nil {
		for i, s := range steps {
			if d, ok := done[s.Key]; ok && s.Done {
				at := d.at
				steps[i].DoneAt, steps[i].DoneBy = &at, d.by
			}
		}
	}
	c.JSON(http.StatusOK, api.Checklist{PracticeID: out.PracticeID, Steps: steps, Next: out.Next, Done: out.Done})
}

func stepFrom(s checklist.Step) api.ChecklistStep {
	return api.ChecklistStep{Key: s.Key, Title: s.Title, Done: s.Done, Hint: s.Hint}
}

// doneStep is when a step was done and the name of who did it ("" when
// that is not kept, or the person gave no name).
type doneStep struct {
	at time.Time
	by string
}

// doneWhen lists, per step, the query of the moment it was first done
// (last, for the policy, which is reviewed by saving it) and by whom.
var doneWhen = []struct{ key, query string }{
	{"baa", `SELECT p.baa_recorded_at, u.name FROM practices p LEFT JOIN users u ON u.id = p.baa_recorded_by
WHERE p.id = $1 AND p.baa_recorded_at IS NOT NULL`},
	{"locations", `SELECT created_at, NULL FROM locations WHERE practice_id = $1 ORDER BY created_at LIMIT 1`},
	{"admins", `SELECT i.created_at, u.name FROM invitations i LEFT JOIN users u ON u.id = i.invited_by
WHERE i.practice_id = $1 ORDER BY i.created_at LIMIT 1`},
	{"policy", `SELECT pp.updated_at, u.name FROM practice_policies pp LEFT JOIN users u ON u.id = pp.updated_by
WHERE pp.practice_id = $1 ORDER BY pp.updated_at DESC LIMIT 1`},
	{"import", `SELECT i.finished_at, u.name FROM imports i LEFT JOIN users u ON u.id = i.created_by
WHERE i.practice_id = $1 AND i.state = 'succeeded' AND i.dry_run = FALSE AND i.finished_at IS NOT NULL ORDER BY i.finished_at LIMIT 1`},
	{"grant", `SELECT g.created_at, u.name FROM grants g LEFT JOIN users u ON u.id = g.granted_by
WHERE g.practice_id = $1 AND g.revoked_at IS NULL ORDER BY g.created_at LIMIT 1`},
}

// doneSteps reads when each done step was done, and by whom.
func doneSteps(ctx context.Context, db *sqldb.DB, practiceID string) (map[string]doneStep, error) {
	out := map[string]doneStep{}
	err := db.Tx(sqldb.WithPractice(ctx, practiceID), func(tx *sql.Tx) error {
		for _, q := range doneWhen {
			var at sql.NullTime
			var by sql.NullString
			err := tx.QueryRowContext(ctx, q.query, practiceID).Scan(&at, &by)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return err
			}
			if at.Valid {
				out[q.key] = doneStep{at: at.Time.UTC(), by: by.String}
			}
		}
		return nil
	})
	return out, sqldb.MapError(err)
}
