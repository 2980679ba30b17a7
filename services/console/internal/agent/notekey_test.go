package agent

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

var noteKey = regexp.MustCompile(`<input type="hidden" name="key" value="([A-Za-z0-9]+)">`)

// The note form names its one note: the page carries a fresh key, the
// console sends it as the note's Idempotency-Key, a refused note shown
// again keeps it (the note was not kept, so sending it again is the same
// note), and the next page has a new one. The other forms send none.
func TestNoteFormNamesItsNote(t *testing.T) {
	t.Parallel()
	b := setup(t, map[string]func() (int, string){
		"GET /api/v1/work/items/wi-1": answer(200, itemJSON),
		"POST /api/v1/work/items/wi-1/notes": answer(400,
			`{"error":{"code":"too_long","field":"note","message":"must be at most 2000 characters"}}`),
		"POST /api/v1/work/items/wi-1/handoff": answer(400,
			`{"error":{"code":"at_capacity","field":"to","message":"that agent's queue is full"}}`),
	})
	p := b.Get(t, "alice", "/items/wi-1")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	first := noteKey.FindStringSubmatch(p.Body)
	require.NotNil(t, first, "the note form carries a key")
	require.Len(t, noteKey.FindAllString(p.Body, -1), 1, "only the note form")
	again := b.Get(t, "alice", "/items/wi-1")
	require.NotEqual(t, first[1], noteKey.FindStringSubmatch(again.Body)[1], "each page its own key")

	p = b.Post(t, "alice", "/items/wi-1/notes", url.Values{"note": {"prefers mornings"}, "key": {first[1]}})
	require.Equal(t, http.StatusOK, p.Code)
	call := b.API.Last(t, "POST", "/api/v1/work/items/wi-1/notes")
	require.Equal(t, first[1], call.IdempotencyKey)
	require.Equal(t, map[string]any{"note": "prefers mornings"}, call.Body)
	require.Contains(t, p.Body, `<small id="note-text-error" class="field-error">must be at most 2000 characters</small>`)
	require.Equal(t, first[1], noteKey.FindStringSubmatch(p.Body)[1], "the note shown again keeps its key")

	b.Post(t, "alice", "/items/wi-1/handoff", url.Values{"to": {"u-cara"}, "version": {"4"}})
	require.Empty(t, b.API.Last(t, "POST", "/api/v1/work/items/wi-1/handoff").IdempotencyKey)
}
