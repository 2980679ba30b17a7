package manager

import (
	"cmp"
	"slices"

	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/services/console/internal/kit"
	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/gin-gonic/gin"
)

// kindColors are the kinds' colours in charts: the chips' text colours,
// each over 7:1 on white.
var kindColors = map[policy.Kind]string{
	policy.ClaimFollowup: "#1a3d7c", policy.BalanceFollowup: "#1e5631", policy.Recare: "#5b2a86",
	policy.TreatmentFollowup: "#7a4100", policy.EligibilityCheck: "#0d5257",
}

// tile is one of the board's headline numbers.
type tile struct {
	Label string
	Value int
	Alert bool // worth a second look when not zero
}

// depthRow is one day of the depth chart's data, for its table.
type depthRow struct {
	Day    string
	Counts []int
}

type boardPage struct {
	api.Board
	Tiles      []tile
	DepthChart string // Chart.js configuration, JSON
	LoadChart  string
	Kinds      []policy.Kind
	DepthRows  []depthRow
	Names      map[string]string // agents' names by user id
	Asked      []askedRow        // what clearinghouses were asked, per practice and kind
	// Practices are those with work on the board, by name, each linked to
	// its patient statements.
	Practices []practiceChoice
}

// askedRow is what a clearinghouse was asked for one practice about one
// kind of work, with the share of its answers that needed no call.
type askedRow struct {
	api.Inquiries
	Percent int // answered without a call, of those answered
}

// askedRows are the board's clearinghouse counts with their shares.
func askedRows(in []api.Inquiries) []askedRow {
	out := make([]askedRow, 0, len(in))
	for _, n := range in {
		r := askedRow{Inquiries: n}
		if n.Answered > 0 {
			r.Percent = n.WithoutCall * 100 / n.Answered
		}
		out = append(out, r)
	}
	return out
}

// board is the billing managers' view of the floor, from the one board
// answer of the API.
func (p pages) board(c *gin.Context) {
	var b api.Board
	if !p.Get(c, "/api/v1/work/board", nil, &b) {
		return
	}
	t := b.Totals
	page := boardPage{Board: b, Asked: askedRows(b.Clearinghouse), Tiles: []tile{
		{Label: "Unfinished", Value: t.Unfinished},
		{Label: "Unassigned", Value: t.Open, Alert: true},
		{Label: "In progress", Value: t.InProgress},
		{Label: "Due today", Value: t.DueToday},
		{Label: "Overdue", Value: t.Overdue, Alert: true},
		{Label: "Escalated", Value: t.Escalated, Alert: true},
		{Label: "SLA breached", Value: t.Breached, Alert: true},
		{Label: "Agents on shift", Value: b.OnShift},
	}}
	page.Kinds, page.DepthRows, page.DepthChart = depthChart(b.History)
	page.LoadChart = loadChart(b.Agents)
	page.Practices = boardPractices(b.Depth)
	page.Names = map[string]string{}
	for _, a := range b.Agents {
		page.Names[a.UserID] = a.DisplayName
	}
	p.Show(c, views, "board", "Board", "board", page)
}

// boardPractices are the practices with work on the board, once each, in
// the board's order.
func boardPractices(depth []api.Depth) []practiceChoice {
	var out []practiceChoice
	for _, d := range depth {
		if kit.ValidID(d.PracticeID) && !slices.ContainsFunc(out, func(pc practiceChoice) bool { return pc.ID == d.PracticeID }) {
			out = append(out, practiceChoice{ID: d.PracticeID, Name: cmp.Or(d.PracticeName, "A practice")})
		}
	}
	return out
}

// depthChart stacks, for each day, the unfinished items of each kind. It
// also returns the same numbers as rows, for the table that stands in for
// the chart with a screen reader.
func depthChart(history []api.DayDepth) ([]policy.Kind, []depthRow, string) {
	var days []string
	counts := map[string]map[policy.Kind]int{}
	present := map[policy.Kind]bool{}
	for _, d := range history {
		if counts[d.Day] == nil {
			days = append(days, d.Day)
			counts[d.Day] = map[policy.Kind]int{}
		}
		counts[d.Day][d.Kind] += d.Open
		present[d.Kind] = true
	}
	slices.Sort(days)
	var kinds []policy.Kind
	for _, k := range policy.Kinds {
		if present[k] {
			kinds = append(kinds, k)
		}
	}
	ch := kit.Chart{Type: "bar", Data: kit.ChartData{Labels: days, Datasets: []kit.Dataset{}}, Options: map[string]any{
		"maintainAspectRatio": false, "animation": false,
		"scales": map[string]any{"x": map[string]any{"stacked": true},
			"y": map[string]any{"stacked": true, "beginAtZero": true, "title": map[string]any{"display": true, "text": "Unfinished items"}}},
	}}
	rows := make([]depthRow, len(days))
	for i, day := range days {
		rows[i].Day = day
	}
	for _, k := range kinds {
		ds := kit.Dataset{Label: kit.KindLabel(k), BackgroundColor: kindColors[k]}
		for i, day := range days {
			ds.Data = append(ds.Data, counts[day][k])
			rows[i].Counts = append(rows[i].Counts, counts[day][k])
		}
		ch.Data.Datasets = append(ch.Data.Datasets, ds)
	}
	return kinds, rows, ch.JSON()
}

// loadChart sets each agent's open items beside their capacity, with
// what they completed today and in the last seven days.
func loadChart(agents []api.AgentLoad) string {
	ch := kit.Chart{Type: "bar", Data: kit.ChartData{Labels: []string{}}, Options: map[string]any{
		"maintainAspectRatio": false, "animation": false,
		"scales": map[string]any{"y": map[string]any{"beginAtZero": true, "title": map[string]any{"display": true, "text": "Items"}}},
	}}
	open := kit.Dataset{Label: "Open", BackgroundColor: "#0b57d0"}
	capacity := kit.Dataset{Label: "Capacity", BackgroundColor: "#ffffff", BorderColor: "#57606a", BorderWidth: 2}
	today := kit.Dataset{Label: "Completed today", BackgroundColor: "#1e5631"}
	week := kit.Dataset{Label: "Completed in 7 days", BackgroundColor: "#7a4100"}
	for _, a := range agents {
		ch.Data.Labels = append(ch.Data.Labels, a.DisplayName)
		open.Data = append(open.Data, a.Open)
		capacity.Data = append(capacity.Data, a.Capacity)
		today.Data = append(today.Data, a.CompletedToday)
		week.Data = append(week.Data, a.Completed7d)
	}
	ch.Data.Datasets = []kit.Dataset{open, capacity, today, week}
	return ch.JSON()
}
