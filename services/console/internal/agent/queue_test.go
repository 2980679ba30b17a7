package agent

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// bigQueue is a queue of n overdue balance items, the API's order by
// priority, at two practices, with wi-0 in progress and wi-1 news from
// the payer.
func bigQueue(n int) string {
	var items []string
	for i := range n {
		state, news := "assigned", false
		if i == 0 {
			state = "in_progress"
		}
		if i == 1 {
			news = true
		}
		items = append(items, fmt.Sprintf(`{"item_id":"wi-%d","practice_id":"pr-%d","kind":"balance_followup","state":%q,"priority":%d,
"reasons":[{"code":"amount_at_stake","points":30,"text":"balance of $%d.00 at stake"}],"due_at":"2026-10-%02dT18:00:00Z","next_contact_at":null,
"overdue":true,"version":1,"payer_news":%t,"hold":null}`, i, i%2, state, 1000-i, 100+i, 1+i%28, news))
	}
	return `{"items":[` + strings.Join(items, ",") + `],"counts":{"balance_followup":` + fmt.Sprint(n) + `},
"practices":{"pr-0":{"name":"Bright Smiles","timezone":"America/Chicago"},"pr-1":{"name":"Apex Dental","timezone":"America/New_York"}}}`
}

func rowIDs(body string) []string {
	var ids []string
	for _, part := range strings.Split(body, `<tr data-item-id="`)[1:] {
		ids = append(ids, part[:strings.Index(part, `"`)])
	}
	return ids
}

func TestTheQueueIsAPagedWorklist(t *testing.T) {
	t.Parallel()
	b := setup(t, map[string]func() (int, string){"GET /api/v1/work/queue": answer(200, bigQueue(120))})
	p := b.Get(t, "alice", "/queue")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	ids := rowIDs(p.Body)
	require.Len(t, ids, PageSize, "fifty a page")
	require.Equal(t, "wi-0", ids[0], "the API's order by default")
	require.Contains(t, p.Body, "(120; showing 1–50 of 120)")
	require.Contains(t, p.Body, `<a href="/queue?page=2" rel="next" id="page-next">Next page</a>`)
	require.NotContains(t, p.Body, `id="page-prev"`)
	require.Contains(t, p.Body, "<td>Bright Smiles</td>", "practices by name")
	require.NotContains(t, p.Body, ">pr-0<", "never by id")
	require.Contains(t, p.Body, `<option value="pr-1">Apex Dental</option>`)
	require.Contains(t, p.Body, `<td class="num">$100.00</td>`, "the amount at stake")
	require.Contains(t, p.Body, "Thu 1 Oct 2026, 13:00 CDT", "due in the practice's zone, with the zone")
	require.Contains(t, p.Body, "Fri 2 Oct 2026, 14:00 EDT")
	require.Contains(t, p.Body, `<tr data-item-id="wi-1" class="payer-news">`, "the payer said something new")
	require.Contains(t, p.Body, `id="news-count" href="/queue?show=news">1 new from the payer</a>`)
	require.Contains(t, p.Body, `>Resume my item <kbd>n</kbd></button>`, "next goes back to the open item first")
	require.Contains(t, p.Body, `<a href="/items/wi-0">go back to it</a>`)

	p = b.Get(t, "alice", "/queue?page=3&sort=priority")
	ids = rowIDs(p.Body)
	require.Len(t, ids, 20)
	require.Equal(t, "wi-100", ids[0])
	require.Contains(t, p.Body, `<a href="/queue?page=2&amp;sort=priority" rel="prev" id="page-prev">Previous page</a>`, "paging keeps the order")
	require.NotContains(t, p.Body, `id="page-next"`)

	p = b.Get(t, "alice", "/queue?page=99")
	require.Contains(t, p.Body, "Page 3 of 3", "past the end is the last page")

	p = b.Get(t, "alice", "/queue?sort=due")
	ids = rowIDs(p.Body)
	require.Equal(t, []string{"wi-0", "wi-28", "wi-56"}, ids[:3], "by due date, the API's order among equals")
	require.Contains(t, p.Body, `<option value="due" selected>Due date</option>`)

	p = b.Get(t, "alice", "/queue?sort=practice")
	require.True(t, strings.HasPrefix(rowIDs(p.Body)[0], "wi-1"), "Apex Dental first")
	require.NotContains(t, p.Body, "<td>Bright Smiles</td>", "sixty Apex Dental items fill the first page")

	p = b.Get(t, "alice", "/queue?show=news")
	require.Equal(t, []string{"wi-1"}, rowIDs(p.Body), "only what the payer said something new about")
	require.Contains(t, p.Body, "Clear the filters")

	p = b.Get(t, "alice", "/queue?sort=bogus&show=bogus&page=x")
	require.Equal(t, http.StatusOK, p.Code)
	require.Equal(t, "wi-0", rowIDs(p.Body)[0], "an unknown order or view is the default")
}

func TestPracticesWithoutNamesAreToldApart(t *testing.T) {
	t.Parallel()
	q := strings.Replace(bigQueue(3), `"practices":{"pr-0":{"name":"Bright Smiles","timezone":"America/Chicago"},"pr-1":{"name":"Apex Dental","timezone":"America/New_York"}}`, `"practices":{}`, 1)
	b := setup(t, map[string]func() (int, string){"GET /api/v1/work/queue": answer(200, q)})
	p := b.Get(t, "alice", "/queue")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, p.Body, `<option value="pr-0">Unnamed practice</option>`)
	require.Contains(t, p.Body, `<option value="pr-1">Unnamed practice (2)</option>`)
	require.Contains(t, p.Body, "Thu 1 Oct 2026, 18:00 UTC", "without a zone, UTC, and it says so")
}
