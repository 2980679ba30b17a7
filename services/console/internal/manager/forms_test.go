package manager

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/backdesk/backdesk/services/console/internal/kit"
	"github.com/stretchr/testify/require"
)

func TestTeamMembershipForms(t *testing.T) {
	t.Parallel()
	b := setup(t, map[string]func() (int, string){
		"GET /api/v1/agents": answer(200, `{"agents":[{"user_id":"u-alice","display_name":"Alice Agent","active":true,"kinds":["recare"],
"capacity":40,"open":3,"timezone":"UTC","hours":"","presence":"available","presence_at":null,"teams":["t-1"]},
{"user_id":"u-bob","display_name":"Bob Agent","active":true,"kinds":[],"capacity":40,"open":0,"timezone":"UTC","hours":"","presence":"away","presence_at":null,"teams":[]}]}`),
		"GET /api/v1/teams":                        answer(200, `{"teams":[{"id":"t-1","name":"Lakeside billing team","created_at":"2026-01-01T00:00:00Z","members":["u-alice"]}]}`),
		"PUT /api/v1/teams/t-1/members/u-bob":      answer(204, ""),
		"DELETE /api/v1/teams/t-1/members/u-alice": answer(404, `{"error":{"code":"not_found","message":"agent not found"}}`),
	})
	p := b.Get(t, "maria", "/agents")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, p.Body, `action="/agents/teams/t-1/members/u-alice/remove"`)
	require.Contains(t, p.Body, `<option value="u-bob">Bob Agent</option>`, "bob can join")
	require.Contains(t, p.Body, "Recare")

	p = b.Post(t, "maria", "/agents/teams/t-1/members", url.Values{"user_id": {"u-bob"}})
	require.Equal(t, http.StatusSeeOther, p.Code)
	require.Equal(t, "/agents", p.Header.Get("Location"))
	require.True(t, b.API.Called("PUT", "/api/v1/teams/t-1/members/u-bob"))

	p = b.Post(t, "maria", "/agents/teams/t-1/members", url.Values{"user_id": {""}})
	require.Contains(t, p.Body, `<small id="add-t-1-error" class="field-error">Choose an agent.</small>`)

	p = b.Post(t, "maria", "/agents/teams/t-1/members/u-alice/remove", url.Values{})
	require.Equal(t, http.StatusOK, p.Code)
	require.Contains(t, p.Body, "agent not found")
}

func TestAccessRequestForm(t *testing.T) {
	t.Parallel()
	b := setup(t, map[string]func() (int, string){
		"GET /api/v1/teams":      answer(200, `{"teams":[{"id":"t-1","name":"Lakeside billing team","created_at":"2026-01-01T00:00:00Z","members":[]}]}`),
		"GET /api/v1/work/board": answer(200, boardJSON),
		"POST /api/v1/practices/pr-1/access-requests": answer(400,
			`{"error":{"code":"too_short","field":"reason","message":"must be at least 10 characters"}}`),
		"POST /api/v1/practices/pr-2/access-requests": answer(201, `{"id":"ar-1","practice_id":"pr-2","team_id":"t-1","kinds":["recare"],
"field_groups":[],"days":30,"reason":"a long enough reason","requested_by":"u-maria","requested_at":"2026-11-20T12:00:00Z","state":"pending","decided_at":null}`),
		"GET /api/v1/access-requests/ar-1": answer(200, `{"id":"ar-1","practice_id":"pr-2","team_id":"t-1","kinds":["recare"],
"field_groups":[],"days":30,"reason":"a long enough reason","requested_by":"u-maria","requested_at":"2026-11-20T12:00:00Z","state":"pending","decided_at":null}`),
	})
	p := b.Get(t, "maria", "/access-requests")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, p.Body, `<option value="pr-1">Bright Smiles</option>`, "practices with work are offered by name")

	p = b.Post(t, "maria", "/access-requests", url.Values{"practice": {"pr-1"}, "team": {"t-1"}, "kinds": {"recare", "claim_followup"}, "reason": {"short"}})
	require.Contains(t, p.Body, `<small id="reason-error" class="field-error">must be at least 10 characters</small>`)
	require.Contains(t, p.Body, `value="recare" checked`, "the ticked kinds stay ticked")
	require.Equal(t, []any{"recare", "claim_followup"}, b.API.Last(t, "POST", "/api/v1/practices/pr-1/access-requests").Body["kinds"])

	p = b.Post(t, "maria", "/access-requests", url.Values{"practice": {"pr-2"}, "team": {"t-1"}, "kinds": {"recare"},
		"days": {"30"}, "reason": {"a long enough reason"}})
	require.Equal(t, http.StatusSeeOther, p.Code, p.Body)
	require.Equal(t, float64(30), b.API.Last(t, "POST", "/api/v1/practices/pr-2/access-requests").Body["days"])
	kept := p.Cookie(kit.RequestsCookie)
	require.Equal(t, "ar-1", kept.Value)
	p = b.Get(t, "maria", "/access-requests", kept)
	require.Contains(t, p.Body, `data-request-id="ar-1"`, "the request made here is listed")
	require.Contains(t, p.Body, "Lakeside billing team")
}

func TestAgentSettingsForm(t *testing.T) {
	t.Parallel()
	alice := `{"user_id":"u-alice","display_name":"Alice Agent","active":true,"kinds":["recare"],"payers":[],"languages":[],
"capacity":40,"open":3,"timezone":"America/Chicago","hours":"mon-fri 08:00-17:00","presence":"available","presence_at":null,"teams":[]}`
	b := setup(t, map[string]func() (int, string){
		"GET /api/v1/agents/u-alice": answer(200, alice),
		"PUT /api/v1/agents/u-alice": answer(200, alice),
		"GET /api/v1/agents/u-bob":   answer(200, strings.Replace(strings.Replace(alice, "u-alice", "u-bob", 1), "Alice Agent", "Bob Agent", 1)),
		"PUT /api/v1/agents/u-bob":   answer(400, `{"error":{"code":"invalid","field":"hours","message":"write days and times like mon-fri 08:00-17:00"}}`),
	})
	p := b.Get(t, "maria", "/agents/u-alice")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, p.Body, `<option value="America/Chicago" selected>America/Chicago</option>`)
	require.Contains(t, p.Body, `value="recare" checked`)
	require.Contains(t, p.Body, `value="mon-fri 08:00-17:00"`)
	require.NotContains(t, p.Body, ">u-alice<", "the agent is named, not shown by id")

	// Two problems the console sees itself are shown at once, beside their fields, with what was typed kept.
	p = b.Post(t, "maria", "/agents/u-alice", url.Values{"display_name": {" "}, "capacity": {"lots"}, "timezone": {"UTC"}, "active": {"yes"}})
	require.Equal(t, http.StatusOK, p.Code)
	require.Contains(t, p.Body, `<small id="display_name-error" class="field-error">`)
	require.Contains(t, p.Body, `<small id="capacity-error" class="field-error">`)
	require.Contains(t, p.Body, `value="lots"`)
	require.False(t, b.API.Called("PUT", "/api/v1/agents/u-alice"))

	p = b.Post(t, "maria", "/agents/u-alice", url.Values{"display_name": {"Alice A."}, "capacity": {"35"}, "timezone": {"America/Denver"},
		"hours": {"mon-thu 07:00-15:00"}, "kinds": {"recare", "claim_followup"}, "active": {"no"}})
	require.Equal(t, http.StatusSeeOther, p.Code, p.Body)
	sent := b.API.Last(t, "PUT", "/api/v1/agents/u-alice").Body
	require.Equal(t, "Alice A.", sent["display_name"])
	require.Equal(t, float64(35), sent["capacity"])
	require.Equal(t, false, sent["active"])
	require.Equal(t, []any{"recare", "claim_followup"}, sent["kinds"])

	// What the API refuses is shown beside its field.
	p = b.Post(t, "maria", "/agents/u-bob", url.Values{"display_name": {"Bob"}, "capacity": {"10"}, "timezone": {"UTC"}, "hours": {"whenever"}, "active": {"yes"}})
	require.Contains(t, p.Body, `<small id="hours-error" class="field-error">write days and times like mon-fri 08:00-17:00</small>`)
	require.Contains(t, p.Body, `value="whenever"`)
}

func TestNewTeamForm(t *testing.T) {
	t.Parallel()
	b := setup(t, map[string]func() (int, string){
		"GET /api/v1/agents": answer(200, `{"agents":[]}`),
		"GET /api/v1/teams":  answer(200, `{"teams":[]}`),
		"POST /api/v1/teams": answer(201, `{"id":"t-9","name":"Night shift","created_at":"2026-01-01T00:00:00Z","members":[]}`),
	})
	p := b.Post(t, "maria", "/agents/teams", url.Values{"name": {""}})
	require.Equal(t, http.StatusOK, p.Code)
	require.Contains(t, p.Body, `<small id="team-name-error" class="field-error">Give the team a name.</small>`)
	p = b.Post(t, "maria", "/agents/teams", url.Values{"name": {"Night shift"}})
	require.Equal(t, http.StatusSeeOther, p.Code, p.Body)
	require.Equal(t, "Night shift", b.API.Last(t, "POST", "/api/v1/teams").Body["name"])
}
