package devstack_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// changeEvent is an event of the search as compliance reads it.
type changeEvent struct {
	ID         string   `json:"id"`
	Action     string   `json:"action"`
	PracticeID string   `json:"practice_id"`
	PatientIDs []string `json:"patient_ids"`
	WorkItemID string   `json:"work_item_id"`
	Reason     string   `json:"reason"`
	Actor      struct {
		Subject string `json:"subject"`
		Role    string `json:"role"`
	} `json:"actor"`
	TargetType string         `json:"target_type"`
	TargetID   string         `json:"target_id"`
	UserID     string         `json:"user_id"`
	Counts     map[string]int `json:"counts"`
}

// TestChangesAreAuditedThroughTheAPI makes each kind of change through
// the API as the people who make them, then searches for them as
// compliance: each change that committed has exactly its event, by its
// actor; a refused change has none; no event holds a name or a note.
func TestChangesAreAuditedThroughTheAPI(t *testing.T) {
	t.Parallel()
	for _, d := range testenv.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			testChangesAreAudited(t, appDatabase(t, d))
		})
	}
}

func testChangesAreAudited(t *testing.T, dbURL string) {
	b := setup(t, dbURL)
	ctx := context.Background()
	db := b.stack.DB
	waitRouted(t, b)
	patToken := b.token(t, "pat")
	maria, pat, alice, carol := bearer(b.token(t, "maria")), bearer(patToken), bearer(b.token(t, "alice")), bearer(b.token(t, "carol"))
	search := func(query string) []changeEvent {
		t.Helper()
		var out struct {
			Items []changeEvent `json:"items"`
		}
		res := b.api.Do("GET", "/api/v1/audit/events?limit=500&"+query, "", carol...)
		require.Equal(t, 200, res.Code, string(res.Body))
		res.JSON(t, &out)
		return out.Items
	}
	actions := func(evs []changeEvent) []string {
		out := make([]string, len(evs))
		for i, e := range evs {
			out[len(evs)-1-i] = e.Action // newest first: reversed to the order made
		}
		return out
	}
	var me struct {
		Memberships []struct {
			PracticeID string `json:"practice_id"`
		} `json:"memberships"`
	}
	b.api.Do("GET", "/api/v1/me", "", pat...).JSON(t, &me)
	demo := me.Memberships[0].PracticeID

	// Teams and agents: maria sets up an agent, changes it, and moves it
	// onto a team and off again.
	res := b.api.Do("POST", "/api/v1/agents", `{"issuer":"https://idp.test","subject":"zed","display_name":"Zed Quillfeather","capacity":10}`, maria...)
	require.Equal(t, 201, res.Code, string(res.Body))
	var zed struct {
		UserID string `json:"user_id"`
	}
	res.JSON(t, &zed)
	res = b.api.Do("PUT", "/api/v1/agents/"+zed.UserID, `{"display_name":"Zed Quillfeather","capacity":12,"hours":"mon-fri 09:00-17:00"}`, maria...)
	require.Equal(t, 200, res.Code, string(res.Body))
	res = b.api.Do("POST", "/api/v1/teams", `{"name":"Graveyard Shift"}`, maria...)
	require.Equal(t, 201, res.Code, string(res.Body))
	var team struct {
		ID string `json:"id"`
	}
	res.JSON(t, &team)
	member := "/api/v1/teams/" + team.ID + "/members/" + zed.UserID
	require.Equal(t, 204, b.api.Do("PUT", member, "", maria...).Code)
	require.Equal(t, 204, b.api.Do("DELETE", member, "", maria...).Code)
	require.Equal(t, 404, b.api.Do("PUT", "/api/v1/teams/no-such-team/members/"+zed.UserID, "", maria...).Code)

	evs := search("target_type=team&target_id=" + team.ID)
	require.Equal(t, []string{"team_create", "team_member_add", "team_member_remove"}, actions(evs))
	for _, e := range evs {
		require.Equal(t, "dev-maria", e.Actor.Subject)
	}
	require.Equal(t, zed.UserID, evs[0].UserID)
	membership := search("action=team_member_add,team_member_remove&actor=dev-maria")
	require.Equal(t, []string{"team_member_add", "team_member_remove"}, actions(membership), "compliance finds every membership change; the refused one left none")
	evs = search("target_type=agent&user_id=" + zed.UserID)
	require.Equal(t, []string{"agent_create", "agent_update"}, actions(evs))
	require.Equal(t, "dev-maria", evs[0].Actor.Subject)

	// Presence, as the agent itself sets it.
	res = b.api.Do("PUT", "/api/v1/work/presence", `{"presence":"away"}`, alice...)
	require.Equal(t, 200, res.Code, string(res.Body))
	evs = search("action=agent_presence&actor=dev-alice")
	require.Len(t, evs, 1)
	require.Equal(t, "away", evs[0].Reason)
	res = b.api.Do("PUT", "/api/v1/work/presence", `{"presence":"available"}`, alice...)
	require.Equal(t, 200, res.Code, string(res.Body))

	// Practice settings, by its admin; a refused one records nothing.
	practice := "/api/v1/practices/" + demo
	res = b.api.Do("POST", practice+"/locations", `{"name":"Birchwood Annex","address_line1":"9 Elm","city":"Austin","state":"TX","postal_code":"78701"}`, pat...)
	require.Equal(t, 201, res.Code, string(res.Body))
	res = b.api.Do("POST", practice+"/locations", `{"name":"North","address_line1":"9 Elm","city":"Austin","state":"Texas","postal_code":"78701"}`, pat...)
	require.Equal(t, 400, res.Code)
	evs = search("practice_id=" + demo + "&action=location_add,policy_set,practice_update&actor=dev-pat")
	require.Equal(t, []string{"location_add"}, actions(evs))

	// An import: who uploaded what kind, then what it applied, by counts.
	file := "patient_id,first_name,last_name,date_of_birth,phone\nNEW-1,Rosa,Ibarra,03/14/1972,512-555-0199\nNEW-2,Tom,,13/45/1980,12\n"
	w := b.upload(t, practice+"/imports", patToken, map[string]string{"kind": "patients"}, file)
	require.Equal(t, 202, w.Code, w.Body.String())
	loc := w.Header().Get("Location")
	waitImport(t, b, loc, patToken)
	importID := loc[strings.LastIndex(loc, "/")+1:]
	evs = search("practice_id=" + demo + "&target_type=import&target_id=" + importID)
	require.Equal(t, []string{"import_submit", "import_finish"}, actions(evs))
	require.Equal(t, "dev-pat", evs[1].Actor.Subject)
	require.Equal(t, "patients", evs[1].Reason)
	require.Equal(t, "system", evs[0].Actor.Subject)
	require.Equal(t, 1, evs[0].Counts["rows_applied"])
	require.Equal(t, 1, evs[0].Counts["rows_rejected"])

	// Work: an outcome whose note names the patient, a stale repeat, a
	// note and a hand-off to bob.
	res = b.api.Do("POST", "/api/v1/work/next", "", alice...)
	require.Equal(t, 200, res.Code, string(res.Body))
	var started struct {
		ItemID  string `json:"item_id"`
		Version int    `json:"version"`
	}
	res.JSON(t, &started)
	var first, last, patientID string
	require.NoError(t, db.Tx(sqldb.AllPractices(ctx), func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT p.id, p.first_name, p.last_name FROM patients p JOIN work_items w ON w.patient_id = p.id
WHERE w.id = $1`, started.ItemID).Scan(&patientID, &first, &last)
	}))
	note := fmt.Sprintf("Spoke with %s %s, who will call back", first, last)
	item := "/api/v1/work/items/" + started.ItemID
	next := time.Now().UTC().AddDate(0, 0, 3).Format(time.RFC3339)
	body := fmt.Sprintf(`{"channel":"call","outcome":"reached","note":%q,"next_contact_at":%q,"version":%d}`, note, next, started.Version)
	require.Equal(t, 200, b.api.Do("POST", item+"/outcomes", body, alice...).Code)
	require.Equal(t, 409, b.api.Do("POST", item+"/outcomes", body, alice...).Code, "stale")
	res = b.api.Do("POST", item+"/notes", fmt.Sprintf(`{"note":%q}`, "Mr "+last+" prefers mornings"), alice...)
	require.Equal(t, 200, res.Code, string(res.Body))
	var bobID string
	require.NoError(t, db.QueryRowContext(ctx, `SELECT id FROM users WHERE subject = 'dev-bob'`).Scan(&bobID))
	res = b.api.Do("POST", item+"/handoff", fmt.Sprintf(`{"to":%q,"note":"%s is all yours","version":%d}`, bobID, first, started.Version+1), alice...)
	require.Equal(t, 200, res.Code, string(res.Body))

	evs = search("target_type=work_item&target_id=" + url.QueryEscape(started.ItemID))
	require.Equal(t, []string{"work_outcome", "work_note", "work_handoff"}, actions(evs), "the stale outcome left none")
	for _, e := range evs {
		require.Equal(t, "dev-alice", e.Actor.Subject)
		require.Equal(t, []string{patientID}, e.PatientIDs)
		require.Equal(t, started.ItemID, e.WorkItemID)
	}
	require.Equal(t, "call reached", evs[2].Reason)
	require.Equal(t, bobID, evs[0].UserID)
	require.Len(t, search("patient_id="+patientID+"&action=work_outcome"), 1, "the patient's report shows the outcome")

	// No audit event holds a note, a patient's name or any other name
	// typed into these changes.
	for _, text := range []string{note, first + " " + last, "Ibarra", "Quillfeather", "Graveyard", "Birchwood", "prefers mornings"} {
		var n int
		require.NoError(t, db.QueryRowContext(ctx, `SELECT count(*) FROM audit_events WHERE body LIKE $1`, "%"+text+"%").Scan(&n))
		require.Zero(t, n, "an audit event holds %q", text)
	}
}
