package workqueue_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/backdesk/backdesk/services/internal/catalog"
	"github.com/backdesk/backdesk/services/internal/servetest"
	"github.com/gin-gonic/gin"
)

// benchAgents is how many agents work at once.
const benchAgents = 200

// BenchmarkAgentCycle runs the agent's cycle (start the next item, read
// it, log an outcome with a next contact date) for 200 concurrent agents
// through the real routes, access decisions and audit recorder, against a
// gin handler doing one indexed select on the same database in the same
// run. One op is one whole cycle; p99-ms is per cycle.
func BenchmarkAgentCycle(b *testing.B) {
	for _, d := range testenv.Dialects {
		b.Run(string(d), func(b *testing.B) {
			db, url := testenv.NewDB(b, d)
			ctx := context.Background()
			proc, dom := servetest.Open(b, "workqueue", url)
			svc := dom.Practices
			p, err := svc.Create(ctx, practice.NewPractice{Name: "Bench", NPI: "1234567893", Timezone: "UTC"})
			if err != nil {
				b.Fatal(err)
			}
			owner := testenv.OwnerDB(b, db)
			seedAgents(b, owner, p.ID)
			if _, err := owner.ExecContext(ctx, `UPDATE practices SET status = 'active' WHERE id = $1`, p.ID); err != nil {
				b.Fatal(err)
			}
			e := web.NewEngine(web.Options{Service: "bench"})
			api := e.Group("/", asAgent)
			if err := catalog.Build(ctx, proc, dom, catalog.Options{API: api}, "workqueue"); err != nil {
				b.Fatal(err)
			}
			e.GET("/baseline/:id", func(c *gin.Context) {
				var state string
				// The table owner's connection: no row-level security, so
				// one round trip, the least any read can cost.
				err := owner.QueryRowContext(c.Request.Context(), `SELECT state FROM work_items WHERE id = $1`, c.Param("id")).Scan(&state)
				if err != nil {
					web.Fail(c, err)
					return
				}
				c.JSON(http.StatusOK, gin.H{"state": state})
			})
			var made atomic.Int64
			b.Run("cycle", func(b *testing.B) {
				// Every agent gets enough items for the whole run even if
				// the goroutines share the iterations unevenly.
				seedItems(b, owner, p.ID, int(made.Load()), b.N/benchAgents*3+5)
				made.Add(int64(b.N/benchAgents*3 + 5))
				b.ResetTimer()
				before := proc.DB.Counts()
				testenv.ClientsAs(b, benchAgents, func(agent int) error { return cycle(e, agent) })
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "cycles/s")
				testenv.ReportRoundTrips(b, proc.DB, before)
			})
			b.Run("baseline", func(b *testing.B) {
				testenv.ClientsAs(b, benchAgents, func(agent int) error {
					return call(e, agent, "GET", fmt.Sprintf("/baseline/wi-%03d-%06d", agent, 0), "", nil)
				})
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "requests/s")
			})
		})
	}
}

// asAgent signs every request in as the agent named by X-Agent.
func asAgent(c *gin.Context) {
	id := c.GetHeader("X-Agent")
	p := identity.Principal{UserID: id, Issuer: "https://idp", Subject: id, Roles: []identity.Role{identity.Agent}}
	c.Request = c.Request.WithContext(authn.WithPrincipal(c.Request.Context(), p))
}

func agentID(i int) string { return fmt.Sprintf("agent-%03d", i) }

func cycle(h http.Handler, agent int) error {
	var s struct {
		ItemID  string `json:"item_id"`
		Version int    `json:"version"`
	}
	if err := call(h, agent, "POST", "/api/v1/work/next", "", &s); err != nil {
		return err
	}
	view := "/api/v1/work/items/" + s.ItemID
	if err := call(h, agent, "GET", view, "", nil); err != nil {
		return err
	}
	next := time.Now().UTC().AddDate(0, 0, 3).Format(time.RFC3339)
	body := fmt.Sprintf(`{"channel":"payer_call","outcome":"claim_status_received","note":"pending review","next_contact_at":%q,"version":%d}`, next, s.Version)
	return call(h, agent, "POST", view+"/outcomes", body, nil)
}

func call(h http.Handler, agent int, method, path, body string, out any) error {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("X-Agent", agentID(agent))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusOK {
		return fmt.Errorf("%s %s as %s: status %d: %s", method, path, agentID(agent), w.Code, w.Body)
	}
	if out != nil {
		return json.Unmarshal(w.Body.Bytes(), out)
	}
	return nil
}

func exec(b testing.TB, db *sqldb.DB, q string, args ...any) {
	b.Helper()
	if _, err := db.ExecContext(context.Background(), q, args...); err != nil {
		b.Fatal(err)
	}
}

// seedAgents makes the agents, one team holding a claim follow-up grant
// of the practice, and one patient per agent.
func seedAgents(b testing.TB, db *sqldb.DB, practiceID string) {
	now := time.Now().UTC()
	exec(b, db, `INSERT INTO teams (id, name, created_at) VALUES ('team-bench', 'Bench', $1)`, now)
	exec(b, db, `INSERT INTO grants (id, practice_id, grantee_type, grantee_id, kinds, field_groups, reason, granted_by, valid_from, valid_until, review_due_at, created_at)
VALUES ('g-bench', $1, 'team', 'team-bench', '["claim_followup"]', '[]', 'benchmark', 'bench', $2, $3, $3, $2)`, practiceID, now.Add(-time.Hour), now.AddDate(0, 0, 30))
	tx, err := db.BeginTx(context.Background(), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	for i := range benchAgents {
		id := agentID(i)
		for _, q := range []string{
			`INSERT INTO users (id, issuer, subject, name, email, created_at, last_seen_at) VALUES ($1, 'https://idp', $1, $1, '', $2, $2)`,
			`INSERT INTO agents (user_id, display_name, active, kinds, capacity, presence, created_at, updated_at) VALUES ($1, $1, true, '["claim_followup"]', 100000, 'available', $2, $2)`,
			`INSERT INTO team_members (team_id, user_id, added_at) VALUES ('team-bench', $1, $2)`,
		} {
			if _, err := tx.Exec(q, id, now); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := tx.Exec(`INSERT INTO patients (id, practice_id, external_id, first_name, last_name, date_of_birth, created_at, updated_at)
VALUES ($1, $2, $1, 'Bench', 'Patient', '1980-01-01', $3, $3)`, "pt-"+id, practiceID, now); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}

// seedItems gives every agent per more assigned claim follow-ups,
// numbered from first.
func seedItems(b testing.TB, db *sqldb.DB, practiceID string, first, per int) {
	now := time.Now().UTC()
	err := db.Tx(context.Background(), func(tx *sql.Tx) error {
		st, err := tx.Prepare(`INSERT INTO work_items (id, practice_id, patient_id, kind, subject_type, subject_id, state, owner_id, priority, due_at, assigned_at, created_at, updated_at)
VALUES ($1, $2, $3, 'claim_followup', 'claim', $1, 'assigned', $4, $5, $6, $7, $7, $7)`)
		if err != nil {
			return err
		}
		defer st.Close()
		for i := range benchAgents {
			for n := first; n < first+per; n++ {
				id := fmt.Sprintf("wi-%03d-%06d", i, n)
				if _, err := st.Exec(id, practiceID, "pt-"+agentID(i), agentID(i), n%7, now.AddDate(0, 0, 2), now); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}
