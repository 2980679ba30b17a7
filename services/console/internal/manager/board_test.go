package manager

import (
	"encoding/json"
	"html"
	"net/http"
	"strings"
	"testing"

	"github.com/backdesk/backdesk/services/console/internal/kit"
	"github.com/backdesk/backdesk/services/console/internal/kittest"
	"github.com/stretchr/testify/require"
)

const boardJSON = `{"at":"2026-11-20T12:00:00Z",
"depth":[{"practice_id":"pr-1","practice_name":"Bright Smiles","kind":"recare","unfinished":6,"due_today":2,"open":1,"assigned":2,"in_progress":0,"waiting":3,"overdue":1,"escalated":0,"sla_breached":1}],
"agents":[{"user_id":"u-alice","display_name":"Alice Agent","presence":"available","on_shift":true,"capacity":150,"open":40,"overdue":2,"contacts_today":5,"completed_today":3,"completed_7d":12}],
"agents_on_shift":1,
"history":[{"day":"2026-11-19","kind":"recare","open":9},{"day":"2026-11-20","kind":"recare","open":6},{"day":"2026-11-20","kind":"claim_followup","open":2}],
"breaches":[{"item_id":"wi-7","practice_id":"pr-1","kind":"recare","owner_id":"u-alice","due_at":"2026-11-18T00:00:00Z","escalated_at":null}],
"totals":{"unfinished":6,"due_today":2,"open":1,"assigned":2,"in_progress":0,"waiting":3,"overdue":1,"escalated":0,"sla_breached":1},
"clearinghouse":[{"practice_id":"pr-1","practice_name":"Bright Smiles","kind":"claim_followup","asked":20,"answered":16,"without_call":12,"to_agents":4},
{"practice_id":"pr-1","practice_name":"Bright Smiles","kind":"eligibility_check","asked":3,"answered":0,"without_call":0,"to_agents":0}]}`

func TestBoardChartsHoldTheNumbers(t *testing.T) {
	t.Parallel()
	b := setup(t, map[string]func() (int, string){"GET /api/v1/work/board": answer(200, boardJSON)})
	p := b.Get(t, "maria", "/board")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	charts := map[string]kit.Chart{}
	for _, m := range kittest.ChartAttr.FindAllStringSubmatch(p.Body, -1) {
		var ch kit.Chart
		require.NoError(t, json.Unmarshal([]byte(html.UnescapeString(m[2])), &ch), m[2])
		charts[m[1]] = ch
	}
	require.Len(t, charts, 2)
	depth := charts["depth-chart"]
	require.Equal(t, []string{"2026-11-19", "2026-11-20"}, depth.Data.Labels)
	require.Len(t, depth.Data.Datasets, 2)
	require.Equal(t, "Claim follow-up", depth.Data.Datasets[0].Label, "kinds in their usual order")
	require.Equal(t, []int{0, 2}, depth.Data.Datasets[0].Data)
	require.Equal(t, []int{9, 6}, depth.Data.Datasets[1].Data)
	load := charts["load-chart"]
	require.Equal(t, []string{"Alice Agent"}, load.Data.Labels)
	require.Equal(t, []int{40}, load.Data.Datasets[0].Data)
	require.Equal(t, []int{150}, load.Data.Datasets[1].Data)

	require.Regexp(t, `<div class="visually-hidden"><table id="depth-data">`, p.Body, "the depth chart's numbers, for screen readers")
	require.Regexp(t, `<th scope="row">2026-11-19</th><td>0</td><td>9</td>`, p.Body)
	require.Regexp(t, `tile-value">1</span> <span class="tile-label">SLA breached`, p.Body)
	require.Contains(t, p.Body, "<td>Alice Agent</td>", "a breach names its owner")
}

// TestBoardCountsTheFollowupsAClearinghouseSpared: per practice by name
// and kind, with the share of answers that needed no call, and none
// claimed before any answer came.
func TestBoardCountsTheFollowupsAClearinghouseSpared(t *testing.T) {
	t.Parallel()
	b := setup(t, map[string]func() (int, string){"GET /api/v1/work/board": answer(200, boardJSON)})
	p := b.Get(t, "maria", "/board")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, p.Body, `<th scope="row">Bright Smiles</th><td>Claim follow-up</td><td class="num">20</td><td class="num">16</td>
      <td class="num">12 <small>(75%)</small></td><td class="num">4</td>`)
	require.Contains(t, p.Body, `<td>Eligibility check</td><td class="num">3</td><td class="num">0</td>
      <td class="num">0</td><td class="num">0</td>`, "no share before an answer")
}

// TestBoardLinksEachPracticesStatements: each practice with work on the
// board is linked once, by name, to its patient statements.
func TestBoardLinksEachPracticesStatements(t *testing.T) {
	t.Parallel()
	twoKinds := strings.Replace(boardJSON, `"depth":[`, `"depth":[{"practice_id":"pr-1","practice_name":"Bright Smiles","kind":"balance_followup","unfinished":2},
{"practice_id":"pr-2","practice_name":"Lakeside Dental","kind":"recare","unfinished":1},`, 1)
	b := setup(t, map[string]func() (int, string){"GET /api/v1/work/board": answer(200, twoKinds)})
	p := b.Get(t, "maria", "/board")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, p.Body, `<ul id="statement-links"><li><a href="/practices/pr-1/statements">Statements of Bright Smiles</a></li><li><a href="/practices/pr-2/statements">Statements of Lakeside Dental</a></li></ul>`)
	require.Equal(t, 1, strings.Count(p.Body, `href="/practices/pr-1/statements"`), "once a practice")

	idle := strings.Replace(boardJSON, `"depth":[{"practice_id":"pr-1","practice_name":"Bright Smiles","kind":"recare","unfinished":6,"due_today":2,"open":1,"assigned":2,"in_progress":0,"waiting":3,"overdue":1,"escalated":0,"sla_breached":1}]`, `"depth":[]`, 1)
	p = setup(t, map[string]func() (int, string){"GET /api/v1/work/board": answer(200, idle)}).Get(t, "maria", "/board")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.NotContains(t, p.Body, `id="practice-statements"`, "no practice, no links")
}
