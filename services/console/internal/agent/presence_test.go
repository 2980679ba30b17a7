package agent

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/backdesk/backdesk/services/console/internal/kit"
	"github.com/stretchr/testify/require"
)

func TestPresenceComesBackToThePage(t *testing.T) {
	t.Parallel()
	b := setup(t, map[string]func() (int, string){
		"PUT /api/v1/work/presence":   answer(200, `{"user_id":"u-alice","presence":"away"}`),
		"GET /api/v1/work/items/wi-1": answer(200, itemJSON),
		"POST /api/v1/work/items/wi-1/outcomes": answer(400,
			`{"error":{"code":"required","field":"next_contact_at","message":"write the next contact date"}}`),
	})
	p := b.Post(t, "alice", "/presence", url.Values{"presence": {"away"}, "return": {"/queue?kind=recare"}})
	require.Equal(t, http.StatusSeeOther, p.Code)
	require.Equal(t, "/queue?kind=recare", p.Header.Get("Location"))
	require.Equal(t, "away", p.Cookie(kit.PresenceCookie).Value)
	require.Equal(t, map[string]any{"presence": "away"}, b.API.Last(t, "PUT", "/api/v1/work/presence").Body)

	p = b.Post(t, "alice", "/presence", url.Values{"presence": {"away"}, "return": {"//evil.example.com/"}})
	require.Equal(t, "/", p.Header.Get("Location"), "only a path on this site")

	p = b.Get(t, "alice", "/items/wi-1", &http.Cookie{Name: kit.PresenceCookie, Value: "away"})
	require.Contains(t, p.Body, `<option value="away" selected>`)
	p = b.Post(t, "alice", "/items/wi-1/outcome", url.Values{"channel": {"call"}, "outcome": {"voicemail"}, "version": {"4"}})
	require.Contains(t, p.Body, `name="return" value="/items/wi-1"`, "a form shown again comes back to its page")
}
