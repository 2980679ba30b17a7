package devstack_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/roster"
	"github.com/backdesk/backdesk/pkg/roster/rosterstore"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/backdesk/backdesk/services/devstack"
	"github.com/backdesk/backdesk/services/devstack/devissuer"
	"github.com/backdesk/backdesk/services/internal/apitest"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// publicRoutes answer without a signed-in person; everything else must
// be registered with a policy.
func publicRoute(method, path string) bool {
	switch method + " " + path {
	case "GET /healthz", "GET /readyz", "GET /metrics", "GET /auth/login", "GET /auth/callback", "GET /auth/logged-out":
		return true
	}
	return strings.HasPrefix(path, "/dev/oidc/") || patientFacing(path)
}

// patientFacing are the routes patients and the text provider reach
// without signing in: each checks what it is given (a link's token, the
// provider's signature) before it changes anything, and is tested with
// the message routes.
func patientFacing(path string) bool {
	return strings.HasPrefix(path, "/m/") || strings.HasPrefix(path, "/api/v1/messages/twilio/") ||
		strings.HasPrefix(path, "/api/v1/payments/stripe/") || strings.HasPrefix(path, "/dev/pay/")
}

// expected is the access rules written out a second time, as a table of
// who may do what, independently of pkg/access: the matrix holds the
// decision function to it.
func expected(a access.Action, user string, own, grant, item, practiceRoute bool) bool {
	switch a {
	case access.Self:
		return true
	case access.ManagePlatform:
		return user == "admin"
	case access.ManageAgents, access.ManageClearinghouses:
		return user == "maria" || user == "admin"
	case access.WorkOwnQueue:
		return user == "alice"
	case access.ReviewBreakGlass:
		return user == "carol"
	case access.ReadAudit:
		return user == "carol" || (user == "pat" && (own || !practiceRoute))
	case access.ReadPractice, access.AdministerPractice:
		return user == "admin" || (user == "pat" && own)
	case access.ManageGrants:
		return user == "pat" && own
	case access.ReadStatements:
		return user == "maria" || (user == "pat" && own)
	case access.RequestAccess:
		return user == "maria"
	case access.ViewAccessRequest:
		return user == "maria" || (user == "pat" && own)
	case access.OpenBreakGlass:
		return user == "alice" || user == "carol"
	case access.ReadPatient:
		return (user == "pat" && own) || (user == "alice" && own && grant && item)
	}
	panic("no expectation for action " + string(a))
}

type matrixWorld struct {
	practice, patient, grant, request, importID map[bool]string // by own
	session, event, team, agent                 string
	item                                        map[bool]string
}

// TestAuthorizationMatrix walks the route table: every route × every role
// × own/other practice × with/without a grant × with/without an owned
// item. A route without a policy fails. Denials are sent for real and
// must answer 403 with a reason code, no PHI, and one deny event; allowed
// combinations are decided through the route's own policy without running
// the handler, so nothing changes under the walk.
func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	for _, d := range testenv.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			dbURL := appDatabase(t, d) // the application role on PostgreSQL, as in production
			// The reconciler would move the matrix's item as grants come and go.
			b := setupWith(t, dbURL, func(c *devstack.Config) { c.ReconcileEvery = -1 })
			ctx := context.Background()
			db := b.stack.DB
			issuer := b.stack.Config.OIDCIssuer
			now := time.Now().UTC()
			w := buildWorld(t, b, now)
			// The demo's own grant would cover alice in every combination.
			revokeDemoGrants(t, b, w.practice[true])

			// alice: an agent on a team; the grant and the item are toggled.
			r := roster.NewService(rosterstore.New(db, auditstore.New(db)))
			seeder := audit.Event{Actor: audit.SystemActor} // the platform sets the roster up
			alice, err := r.EnsureUser(ctx, issuer, "dev-alice", "Alice Agent", "alice@backdesk.test", now)
			require.NoError(t, err)
			require.NoError(t, r.PutAgent(ctx, seeder, roster.Agent{UserID: alice, DisplayName: "Alice", Active: true}, now))
			w.agent = alice
			itemID := "wi-" + uuid.NewString()
			w.item[true] = itemID
			execIn(t, db, w.practice[true], `INSERT INTO work_items (id, practice_id, patient_id, kind, subject_type, subject_id, state, owner_id, due_at, created_at, updated_at)
VALUES ($1, $2, $3, 'balance_followup', 'balance', $1, 'assigned', NULL, $4, $4, $4)`, itemID, w.practice[true], w.patient[true], now)
			aliceGrant := "g-" + uuid.NewString()
			execIn(t, db, w.practice[true], `INSERT INTO grants (id, practice_id, grantee_type, grantee_id, kinds, field_groups, reason, granted_by, valid_from, valid_until, review_due_at, revoked_at, created_at)
VALUES ($1, $2, 'agent', $3, '["balance_followup"]', '["identity","contact","guarantor","balance"]', 'matrix test grant', 'test', $4, $5, $5, $4, $4)`,
				aliceGrant, w.practice[true], alice, now.Add(-time.Hour), now.AddDate(0, 0, 30))
			setGrant := func(on bool) {
				var revoked any = now
				if on {
					revoked = nil
				}
				execIn(t, db, w.practice[true], `UPDATE grants SET revoked_at = $2 WHERE id = $1`, aliceGrant, revoked)
				b.stack.Facts.Invalidate(ctx, access.AllKey)
			}
			setItem := func(on bool) {
				var owner any
				if on {
					owner = alice
				}
				execIn(t, db, w.practice[true], `UPDATE work_items SET owner_id = $2 WHERE id = $1`, itemID, owner)
			}

			users := []string{"alice", "maria", "pat", "carol", "admin"}
			tokens, principals := map[string]string{}, map[string]identity.Principal{}
			for _, u := range devissuer.DemoUsers() {
				if !slices.Contains(users, u.Username) {
					continue
				}
				tokens[u.Username] = b.token(t, u.Username)
				p, err := b.stack.Identity.Principal(ctx, identity.Identity{Issuer: issuer, Subject: u.Subject, Name: u.Name,
					Email: u.Email, EmailVerified: true, Groups: u.Groups})
				require.NoError(t, err)
				principals[u.Username] = p
			}

			denied, allowed := 0, 0
			for _, route := range b.routes() {
				if publicRoute(route.Method, route.Path) {
					continue
				}
				pol, ok := b.stack.Guard.PolicyFor(route.Method, route.Path)
				require.True(t, ok, "%s %s has no access policy: register it with authz", route.Method, route.Path)
				practiceRoute := pol.Resolve != nil
				for _, grant := range []bool{false, true} {
					setGrant(grant)
					for _, item := range []bool{false, true} {
						setItem(item)
						for _, own := range []bool{true, false} {
							params := w.params(route.Path, own)
							path := fill(route.Path, params)
							for _, user := range users {
								want := expected(pol.Action, user, own, grant, item, practiceRoute)
								label := fmt.Sprintf("%s %s as %s (own=%v grant=%v item=%v)", route.Method, path, user, own, grant, item)
								if want {
									dec, _, err := b.stack.Guard.Decide(authn.WithPrincipal(ctx, principals[user]), pol, func(k string) string { return params[k] })
									require.NoError(t, err, label)
									require.True(t, dec.Allow, "%s: want allowed, got %s", label, dec.Code)
									allowed++
									continue
								}
								rid := "matrix-" + uuid.NewString()
								body := "{}"
								if route.Method == http.MethodGet {
									body = ""
								}
								hdr := []string{"Authorization", "Bearer " + tokens[user], "X-Request-ID", rid}
								var res apitest.Response
								if slices.Contains(notJSON, route.Method+" "+ginParamPath(route.Path)) {
									res = rawDo(b, route.Method, path, body, hdr...) // pages: no JSON document to hold them to
								} else {
									res = b.api.Do(route.Method, path, body, hdr...)
								}
								require.Equal(t, http.StatusForbidden, res.Code, "%s: want 403, got %d %s", label, res.Code, res.Body)
								require.Contains(t, string(res.Body), `"code":"`, label)
								for _, k := range phiKeys {
									require.NotContains(t, string(res.Body), k, label)
								}
								var n int
								require.NoError(t, db.QueryRowContext(ctx, `SELECT count(*) FROM audit_events WHERE outcome = 'deny' AND body LIKE $1`, "%"+rid+"%").Scan(&n))
								require.Equal(t, 1, n, "%s: one deny event", label)
								denied++
							}
						}
					}
				}
			}
			t.Logf("%d denials sent and audited, %d allowed decisions checked", denied, allowed)
			require.Greater(t, denied, 100)
			require.Greater(t, allowed, 100)
		})
	}
}

func execIn(t *testing.T, db *sqldb.DB, practiceID, q string, args ...any) {
	t.Helper()
	require.NoError(t, db.Tx(sqldb.WithPractice(context.Background(), practiceID), func(tx *sql.Tx) error {
		_, err := tx.ExecContext(context.Background(), q, args...)
		return err
	}))
}

// buildWorld finds the demo practice and makes a second one, each with a
// patient, a grant, an access request and an import, so every id in a
// route can name something in the caller's practice or in another.
func buildWorld(t *testing.T, b bundle, now time.Time) matrixWorld {
	ctx := context.Background()
	db := b.stack.DB
	w := matrixWorld{practice: map[bool]string{}, patient: map[bool]string{}, grant: map[bool]string{},
		request: map[bool]string{}, importID: map[bool]string{}}
	var demo string
	require.NoError(t, db.Tx(sqldb.AllPractices(ctx), func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT practice_id FROM patients ORDER BY external_id LIMIT 1`).Scan(&demo)
	}))
	// A patient of its own, so no item the router assigns from the demo
	// data can stand in for the one the matrix toggles.
	w.practice[true], w.patient[true] = demo, "pt-"+uuid.NewString()
	execIn(t, db, demo, `INSERT INTO patients (id, practice_id, external_id, first_name, last_name, date_of_birth, created_at, updated_at)
VALUES ($1, $2, 'M1', 'Mia', 'Matrix', '1990-02-02', $3, $3)`, w.patient[true], demo, now)
	other := "pr-" + uuid.NewString()
	w.practice[false] = other
	execIn(t, db, other, `INSERT INTO practices (id, name, npi, timezone, status, created_at, updated_at) VALUES ($1, 'Other Dental', '1000000004', 'UTC', 'active', $2, $2)`, other, now)
	w.patient[false] = "pt-" + uuid.NewString()
	execIn(t, db, other, `INSERT INTO patients (id, practice_id, external_id, first_name, last_name, date_of_birth, created_at, updated_at)
VALUES ($1, $2, 'O1', 'Olga', 'Other', '1970-05-05', $3, $3)`, w.patient[false], other, now)
	teams := roster.NewService(rosterstore.New(db, auditstore.New(db)))
	seeder := audit.Event{Actor: audit.SystemActor} // the platform sets the team up
	team, err := teams.CreateTeam(ctx, seeder, "Matrix team "+uuid.NewString(), now)
	require.NoError(t, err)
	w.team = team.ID
	for _, own := range []bool{true, false} {
		p := w.practice[own]
		w.grant[own], w.request[own], w.importID[own] = "g-"+uuid.NewString(), "r-"+uuid.NewString(), uuid.NewString()
		execIn(t, db, p, `INSERT INTO grants (id, practice_id, grantee_type, grantee_id, kinds, field_groups, reason, granted_by, valid_from, valid_until, review_due_at, created_at)
VALUES ($1, $2, 'team', $3, '["recare"]', '["identity","contact","recalls"]', 'matrix fixture', 'test', $4, $5, $5, $4)`, w.grant[own], p, team.ID, now, now.AddDate(0, 0, 30))
		execIn(t, db, p, `INSERT INTO access_requests (id, practice_id, team_id, kinds, field_groups, days, reason, requested_by, requested_at)
VALUES ($1, $2, $3, '["recare"]', '["identity","contact","recalls"]', 30, 'matrix fixture', 'someone-else', $4)`, w.request[own], p, team.ID, now)
		execIn(t, db, p, `INSERT INTO imports (id, practice_id, kind, preset, filename, size_bytes, sha256, dry_run, state, created_by, created_at)
VALUES ($1, $2, 'patients', 'canonical', 'p.csv', 1, 'x', FALSE, 'succeeded', 'test', $3)`, w.importID[own], p, now)
	}
	w.item = map[bool]string{false: "wi-" + uuid.NewString()}
	execIn(t, db, other, `INSERT INTO work_items (id, practice_id, patient_id, kind, subject_type, subject_id, state, due_at, created_at, updated_at)
VALUES ($1, $2, $3, 'balance_followup', 'balance', $1, 'open', $4, $4, $4)`, w.item[false], other, w.patient[false], now)
	w.session = "bg-" + uuid.NewString()
	execIn(t, db, w.practice[true], `INSERT INTO break_glass (id, practice_id, patient_id, user_id, reason, opened_at, expires_at) VALUES ($1, $2, $3, 'someone', 'matrix fixture reason text', $4, $4)`,
		w.session, w.practice[true], w.patient[true], now)
	require.NoError(t, db.QueryRowContext(ctx, `SELECT id FROM audit_events ORDER BY seq LIMIT 1`).Scan(&w.event))
	return w
}

func (w matrixWorld) params(path string, own bool) map[string]string {
	p := map[string]string{
		"id": w.practice[own], "patientID": w.patient[own], "grantID": w.grant[own], "requestID": w.request[own],
		"importID": w.importID[own], "sessionID": w.session, "kind": "recare", "teamID": w.team, "userID": w.agent,
		"itemID": w.item[own], "practiceID": w.practice[own], "connectionID": "matrix-connection", "fileID": "matrix-file",
		"channel": "text", "key": "recall_due", "messageID": "matrix-message",
	}
	switch {
	case strings.HasPrefix(path, "/api/v1/audit/events/"):
		p["id"] = w.event
	case strings.HasPrefix(path, "/api/v1/audit/reports/patients/"):
		p["id"] = w.patient[own]
	}
	return p
}

func fill(path string, params map[string]string) string {
	parts := strings.Split(path, "/")
	for i, s := range parts {
		if strings.HasPrefix(s, ":") {
			parts[i] = params[s[1:]]
		}
	}
	return strings.Join(parts, "/")
}

func ginParamPath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if strings.HasPrefix(s, ":") || strings.HasPrefix(s, "*") {
			parts[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(parts, "/")
}

func rawDo(b bundle, method, path, body string, hdr ...string) apitest.Response {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	b.engine.ServeHTTP(w, req)
	return apitest.Response{Code: w.Code, Header: w.Header(), Body: w.Body.Bytes()}
}
