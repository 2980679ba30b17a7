package practice

import (
	"net/url"
	"strconv"

	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/services/console/internal/kit"
	"github.com/backdesk/backdesk/services/internal/api"
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

type dashboardPage struct {
	api.PracticeSummary
	ID           string
	Tiles        []moneyTile
	Kinds        []kindRow
	Aging        []agingRow
	AmountChart  string
	AccountChart string
	Recalls      share // recalls booked, of those booked or due
	Plans        share // treatment plans booked, of those booked or not
	Coverage     coverage
	Inquiries    []inquiryRow
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

// dashboard is the practice admin's dashboard: what is being done for
// the practice, from the API's summary of its work.
func (p pages) dashboard(c *gin.Context) {
	id, ok := p.IDParam(c, "practiceID")
	if !ok {
		return
	}
	var s api.PracticeSummary
	if !p.Get(c, "/api/v1/work/practices/"+id+"/summary", url.Values{"contacts": {"20"}}, &s) {
		return
	}
	var cov api.Coverage
	if !p.Get(c, "/api/v1/work/practices/"+id+"/verification", nil, &cov) {
		return
	}
	page := dashboardPage{PracticeSummary: s, ID: id, Coverage: coverageOf(cov), Inquiries: inquiryRows(s.Clearinghouse)}
	page.Kinds = kindRows(s)
	open, overdue, resolved := 0, 0, 0
	for _, k := range page.Kinds {
		open, overdue, resolved = open+k.Open, overdue+k.Overdue, resolved+k.Resolved
	}
	page.Tiles = []moneyTile{
		{Label: "Open follow-ups", Text: strconv.Itoa(open)},
		{Label: "Overdue", Text: strconv.Itoa(overdue), Alert: overdue > 0},
		{Label: "Resolved this week", Text: strconv.Itoa(resolved)},
		{Label: "Promised this week", Text: kit.Dollars(s.ThisWeek.PromisedCents)},
		{Label: "Paid this week", Text: kit.Dollars(s.ThisWeek.PaidCents)},
		{Label: "Paid in 30 days", Text: kit.Dollars(s.Last30Days.PaidCents)},
	}
	page.Aging, page.AmountChart, page.AccountChart = agingCharts(s.ARAging)
	page.Recalls = share{Done: s.Recare.Scheduled, Total: s.Recare.Scheduled + s.Recare.DueUnscheduled}
	page.Plans = share{Done: s.Treatment.Scheduled, Total: s.Treatment.Scheduled + s.Treatment.Unscheduled}
	p.Show(c, views, "practice", "Practice dashboard", "dashboard", page)
}

// kindRows counts each kind's items: unfinished by state, overdue, and
// resolved and closed this week. Kinds without any are left out.
func kindRows(s api.PracticeSummary) []kindRow {
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
func agingCharts(buckets []api.AgingBucket) ([]agingRow, string, string) {
	by := map[string]api.AgingBucket{}
	for _, b := range buckets {
		by[b.Band] = b
	}
	opts := func(axis string) map[string]any {
		return map[string]any{"maintainAspectRatio": false, "animation": false,
			"plugins": map[string]any{"legend": map[string]any{"display": false}},
			"scales":  map[string]any{"y": map[string]any{"beginAtZero": true, "title": map[string]any{"display": true, "text": axis}}}}
	}
	amount := kit.Chart{Type: "bar", Data: kit.ChartData{Labels: []string{}}, Options: opts("Dollars")}
	accounts := kit.Chart{Type: "bar", Data: kit.ChartData{Labels: []string{}}, Options: opts("Accounts")}
	// Colours over 3:1 against the page, as the board's.
	amountSet := kit.Dataset{Label: "Amount", BackgroundColor: "#0b57d0"}
	accountSet := kit.Dataset{Label: "Accounts", BackgroundColor: "#7a4100"}
	var rows []agingRow
	for _, band := range agingBands {
		b := by[band.Band]
		rows = append(rows, agingRow{Band: band.Label, AmountCents: b.AmountCents, Accounts: b.Accounts})
		amount.Data.Labels = append(amount.Data.Labels, band.Label)
		accounts.Data.Labels = append(accounts.Data.Labels, band.Label)
		amountSet.Data = append(amountSet.Data, int((b.AmountCents+50)/100))
		accountSet.Data = append(accountSet.Data, b.Accounts)
	}
	amount.Data.Datasets = []kit.Dataset{amountSet}
	accounts.Data.Datasets = []kit.Dataset{accountSet}
	return rows, amount.JSON(), accounts.JSON()
}
