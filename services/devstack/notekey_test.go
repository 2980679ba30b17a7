package devstack_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// An agent's note sent twice from the console, by a double click or by
// the browser sending the form again, is kept once: the form's key
// travels to the work queue as the note's Idempotency-Key. A note written
// on a fresh page is a new note.
func TestConsoleNoteSentTwiceIsKeptOnce(t *testing.T) {
	t.Parallel()
	_, dbURL := testenv.NewEmptyDB(t, "sqlite")
	b := setup(t, dbURL)
	waitRouted(t, b)
	var started struct {
		ItemID string `json:"item_id"`
	}
	res := b.api.Do("POST", "/api/v1/work/next", "", bearer(b.token(t, "alice"))...)
	require.Equal(t, 200, res.Code, string(res.Body))
	res.JSON(t, &started)

	br := newBrowser(t, b.baseURL)
	br.signIn("alice", false)
	item := b.baseURL + "/items/" + started.ItemID
	send := func(note string) {
		resp, page := br.get(item)
		require.Equal(t, 200, resp.StatusCode, page)
		form := url.Values{"csrf_token": {regexpFirst(t, page, `name="csrf_token" value="([^"]+)"`)},
			"key": {regexpFirst(t, page, `name="key" value="([^"]+)"`)}, "note": {note}}
		for range 2 {
			resp, err := br.c.PostForm(item+"/notes", form)
			require.NoError(t, err)
			body := readAll(t, resp)
			require.Equal(t, 200, resp.StatusCode, body)
			require.Contains(t, body, "Note added.")
		}
	}
	count := func(note string) int {
		var n int
		require.NoError(t, b.stack.DB.ReadAll(sqldb.AllPractices(context.Background()), sqldb.Read{
			Query: `SELECT count(*) FROM activities WHERE work_item_id = $1 AND note = $2`, Args: []any{started.ItemID, note},
			Row: func(r sqldb.Scanner) error { return r.Scan(&n) }}))
		return n
	}
	send("prefers mornings")
	require.Equal(t, 1, count("prefers mornings"), "the same form twice keeps one note")
	send("prefers mornings")
	require.Equal(t, 2, count("prefers mornings"), "a fresh page writes a new note")
}
