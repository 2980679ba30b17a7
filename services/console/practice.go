package console

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/report"
	"github.com/gin-gonic/gin"
)

// kindRow is one kind of work on the practice's dashboard.
type kindRow struct {
	Kind                                 policy.Kind
	Open, Overdue, Resolved, Closed      int
	Assigned, InProgress, Waiting, Fresh int
}

// agingRow is one age band of the receivables, for the chart's table.
type agingRow struct {
	Band        string
	AmountCents int64
	Accounts    int
}

// share is a part of a whole, for a progress bar: Done of Total.
type share struct {
	Done, Total int
}

// Percent is Done as a whole percentage of Total (0 when there is none).
func (s share) Percent() int {
	if s.Total <= 0 {
		return 0
	}
	return s.Done * 100 / s.Total
}

type practicePage struct {
	report.PracticeSummary
	ID           string
	Tiles        []moneyTile
	Kinds        []kindRow
	Aging        []agingRow
	AmountChart  string
	AccountChart string
	Recalls      share // recalls booked, of those booked or due
	Plans        share // treatment plans booked, of those booked or not
}

// moneyTile is a headline figure, a count or an amount.
type moneyTile struct {
	Label string
	Text  string
	Alert bool
}

// agingBands are the receivables' age bands in order, as the API names
// them, with the words the page uses.
var agingBands = []struct{ Band, Label string }{
	{"0-30", "0–30 days"}, {"31-60", "31–60 days"}, {"61-90", "61–90 days"}, {"90+", "Over 90 days"},
}

// practiceHome is the practice admin's dashboard: what is being done for
// the practice, from the API's summary of its work.
func (con *Console) practiceHome(c *gin.Context) {
	id, ok := con.practiceParam(c)
	if !ok {
		return
	}
	var s report.PracticeSummary
	if !con.get(c, "/api/v1/work/practices/"+id+"/summary", url.Values{"contacts": {"20"}}, &s) {
		return
	}
	p := practicePage{PracticeSummary: s, ID: id}
	p.Kinds = kindRows(s)
	open, overdue, resolved := 0, 0, 0
	for _, k := range p.Kinds {
		open, overdue, resolved = open+k.Open, overdue+k.Overdue, resolved+k.Resolved
	}
	p.Tiles = []moneyTile{
		{Label: "Open follow-ups", Text: strconv.Itoa(open)},
		{Label: "Overdue", Text: strconv.Itoa(overdue), Alert: overdue > 0},
		{Label: "Resolved this week", Text: strconv.Itoa(resolved)},
		{Label: "Promised this week", Text: dollars(s.ThisWeek.PromisedCents)},
		{Label: "Paid this week", Text: dollars(s.ThisWeek.PaidCents)},
		{Label: "Paid in 30 days", Text: dollars(s.Last30Days.PaidCents)},
	}
	p.Aging, p.AmountChart, p.AccountChart = agingCharts(s.ARAging)
	p.Recalls = share{Done: s.Recare.Scheduled, Total: s.Recare.Scheduled + s.Recare.DueUnscheduled}
	p.Plans = share{Done: s.Treatment.Scheduled, Total: s.Treatment.Scheduled + s.Treatment.Unscheduled}
	con.render(c, http.StatusOK, "practice", con.page(c, "Practice dashboard", "dashboard", p))
}

// kindRows counts each kind's items: unfinished by state, overdue, and
// resolved and closed this week. Kinds without any are left out.
func kindRows(s report.PracticeSummary) []kindRow {
	rows := map[policy.Kind]*kindRow{}
	get := func(k policy.Kind) *kindRow {
		if rows[k] == nil {
			rows[k] = &kindRow{Kind: k}
		}
		return rows[k]
	}
	for _, b := range s.ByState {
		r := get(b.Kind)
		switch b.State {
		case "open":
			r.Fresh += b.Count
		case "assigned":
			r.Assigned += b.Count
		case "in_progress":
			r.InProgress += b.Count
		case "waiting":
			r.Waiting += b.Count
		default:
			continue
		}
		r.Open += b.Count
	}
	for _, k := range s.Overdue {
		get(k.Kind).Overdue += k.Count
	}
	for _, k := range s.ResolvedThisWeek {
		get(k.Kind).Resolved += k.Count
	}
	for _, k := range s.ClosedThisWeek {
		get(k.Kind).Closed += k.Count
	}
	var out []kindRow
	for _, k := range policy.Kinds {
		if r := rows[k]; r != nil {
			out = append(out, *r)
		}
	}
	return out
}

// agingCharts lays the receivables out by age band: the amount (whole
// dollars) and the accounts with money in each band, as two bar charts,
// and the exact figures as rows for the table that stands in for them.
func agingCharts(buckets []report.AgingBucket) ([]agingRow, string, string) {
	by := map[string]report.AgingBucket{}
	for _, b := range buckets {
		by[b.Band] = b
	}
	opts := func(axis string) map[string]any {
		return map[string]any{"maintainAspectRatio": false, "animation": false,
			"plugins": map[string]any{"legend": map[string]any{"display": false}},
			"scales":  map[string]any{"y": map[string]any{"beginAtZero": true, "title": map[string]any{"display": true, "text": axis}}}}
	}
	amount := chart{Type: "bar", Data: chartData{Labels: []string{}}, Options: opts("Dollars")}
	accounts := chart{Type: "bar", Data: chartData{Labels: []string{}}, Options: opts("Accounts")}
	// Colours over 3:1 against the page, as the board's.
	amountSet := dataset{Label: "Amount", BackgroundColor: "#0b57d0"}
	accountSet := dataset{Label: "Accounts", BackgroundColor: "#7a4100"}
	var rows []agingRow
	for _, band := range agingBands {
		b := by[band.Band]
		rows = append(rows, agingRow{Band: band.Label, AmountCents: b.AmountCents, Accounts: b.Accounts})
		amount.Data.Labels = append(amount.Data.Labels, band.Label)
		accounts.Data.Labels = append(accounts.Data.Labels, band.Label)
		amountSet.Data = append(amountSet.Data, int((b.AmountCents+50)/100))
		accountSet.Data = append(accountSet.Data, b.Accounts)
	}
	amount.Data.Datasets = []dataset{amountSet}
	accounts.Data.Datasets = []dataset{accountSet}
	return rows, amount.json(), accounts.json()
}

type checklistStep struct {
	Key   string `json:"key"`
	Title string `json:"title"`
	Done  bool   `json:"done"`
	Hint  string `json:"hint"`
}

type checklistPage struct {
	ID    string
	Steps []checklistStep `json:"steps"`
	Next  string          `json:"next"`
	Done  int             `json:"done"`
}

// stepPages are the console's pages for the steps it has one for.
var stepPages = map[string]string{"import": "imports", "grant": "access"}

// Link is the console's page for a step, or "".
func (p checklistPage) Link(key string) string {
	if s, ok := stepPages[key]; ok {
		return "/practices/" + p.ID + "/" + s
	}
	return ""
}

// checklist is the practice's onboarding: each step done or not, with
// the next one to take singled out.
func (con *Console) checklist(c *gin.Context) {
	id, ok := con.practiceParam(c)
	if !ok {
		return
	}
	r := con.call(c, http.MethodGet, "/api/v1/practices/"+id+"/checklist", nil, nil)
	if !r.ok() {
		con.fail(c, r)
		return
	}
	p := checklistPage{ID: id}
	if r.decode(&p) != nil {
		con.broken(c, r)
		return
	}
	con.render(c, http.StatusOK, "checklist", con.page(c, "Getting started", "checklist", p))
}
