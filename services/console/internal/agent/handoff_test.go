package agent

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
)

const colleaguesJSON = `{"colleagues":[{"user_id":"u-bob","display_name":"Bob Biller","at_capacity":false},
{"user_id":"u-cara","display_name":"Cara Collins","at_capacity":true}]}`

func TestHandOffToAColleagueByName(t *testing.T) {
	t.Parallel()
	b := setup(t, map[string]func() (int, string){
		"GET /api/v1/work/items/wi-1":            answer(200, itemJSON),
		"GET /api/v1/work/items/wi-1/colleagues": answer(200, colleaguesJSON),
		"POST /api/v1/work/items/wi-1/handoff": answer(400,
			`{"error":{"code":"at_capacity","field":"to","message":"that agent's queue is full"}}`),
	})
	p := b.Get(t, "alice", "/items/wi-1")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, p.Body, `<option value="u-bob">Bob Biller</option>`)
	require.Contains(t, p.Body, `<option value="u-cara">Cara Collins (queue full)</option>`)
	require.NotContains(t, p.Body, "Agent&#39;s user id", "no id to type")
	require.NotContains(t, p.Body, `id="handoff-none"`)
	require.Contains(t, p.Body, "— Bob Biller", "the history names the colleague")

	p = b.Post(t, "alice", "/items/wi-1/handoff", url.Values{"to": {"u-cara"}, "note": {"over to you"}, "version": {"4"}})
	require.Equal(t, http.StatusOK, p.Code)
	require.Equal(t, map[string]any{"to": "u-cara", "note": "over to you", "version": float64(4)},
		b.API.Last(t, "POST", "/api/v1/work/items/wi-1/handoff").Body)
	require.Contains(t, p.Body, `<option value="u-cara" selected>Cara Collins (queue full)</option>`, "the choice stays")
	require.Contains(t, p.Body, `<small id="handoff-to-error" class="field-error">that agent&#39;s queue is full</small>`)
	require.Contains(t, p.Body, `<details class="form-card" id="handoff" open>`)
}

func TestNoColleaguesSaysWhatElseToDo(t *testing.T) {
	t.Parallel()
	b := setup(t, map[string]func() (int, string){
		"GET /api/v1/work/items/wi-1":            answer(200, itemJSON),
		"GET /api/v1/work/items/wi-1/colleagues": answer(200, `{"colleagues":[]}`),
	})
	p := b.Get(t, "alice", "/items/wi-1")
	require.Contains(t, p.Body, `id="handoff-none"`)
	require.Contains(t, p.Body, "hand it to a team, or release it")
}
