package console

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestEveryoneStartsWhereTheirDayStarts(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	for user, want := range map[string]string{"alice": "/queue", "maria": "/board", "pat": "/practices/pr-1", "carol": "/audit"} {
		p := b.Get(t, user, "/")
		require.Equal(t, http.StatusSeeOther, p.Code, user)
		require.Equal(t, want, p.Header.Get("Location"), user)
	}
	p := b.Get(t, "nobody", "/")
	require.Equal(t, http.StatusOK, p.Code)
	require.Contains(t, p.Body, "No Role")
	require.NotContains(t, p.Body, `href="/queue"`, "nothing they cannot open is offered")
	require.NotContains(t, p.Body, `href="/board"`)
	require.NotContains(t, p.Body, `href="/audit"`)
}

func TestPracticePagesRefuseNonIDs(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	for _, path := range []string{"/practices/a.b", "/practices/a.b/access", "/imports/a.b", "/audit/events/a.b"} {
		p := b.Get(t, "pat", path)
		require.Equal(t, http.StatusNotFound, p.Code, path)
	}
	require.Empty(t, b.API.Calls, "an id that is no id never reaches the API")
	p := b.Get(t, "alice", "/practices/pr-1/checklist")
	require.Equal(t, http.StatusNotFound, p.Code, "the fake API has no answer: the page says so")
	require.True(t, strings.Contains(p.Body, "Not found"))
}
