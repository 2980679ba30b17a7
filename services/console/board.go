package console

import (
	"encoding/json"
	"net/http"
	"slices"

	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/report"
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
	report.Board
	Tiles      []tile
	DepthChart string // Chart.js configuration, JSON
	LoadChart  string
	Kinds      []policy.Kind
	DepthRows  []depthRow
	Names      map[string]string // agents' names by user id
}

// board is the billing managers' view of the floor, from the one board
// answer of the API.
func (con *Console) board(c *gin.Context) {
	var b report.Board
	if !con.get(c, "/api/v1/work/board", nil, &b) {
		return
	}
	t := b.Totals
	p := boardPage{Board: b, Tiles: []tile{
		{Label: "Open", Value: t.Open},
		{Label: "Overdue", Value: t.Overdue, Alert: true},
		{Label: "Escalated", Value: t.Escalated, Alert: true},
		{Label: "SLA breached", Value: t.Breached, Alert: true},
		{Label: "Agents on shift", Value: b.OnShift},
	}}
	p.Kinds, p.DepthRows, p.DepthChart = depthChart(b.History)
	p.LoadChart = loadChart(b.Agents)
	p.Names = map[string]string{}
	for _, a := range b.Agents {
		p.Names[a.UserID] = a.DisplayName
	}
	con.render(c, http.StatusOK, "board", con.page(c, "Board", "board", p))
}

// chart is a Chart.js configuration.
type chart struct {
	Type    string         `json:"type"`
	Data    chartData      `json:"data"`
	Options map[string]any `json:"options"`
}

type chartData struct {
	Labels   []string  `json:"labels"`
	Datasets []dataset `json:"datasets"`
}

type dataset struct {
	Label           string `json:"label"`
	Data            []int  `json:"data"`
	BackgroundColor string `json:"backgroundColor,omitempty"`
	BorderColor     string `json:"borderColor,omitempty"`
	BorderWidth     int    `json:"borderWidth,omitempty"`
}

func (ch chart) json() string {
	raw, _ := json.Marshal(ch)
	return string(raw)
}

// depthChart stacks, for each day, the unfinished items of each kind. It
// also returns the same numbers as rows, for the table that stands in for
// the chart with a screen reader.
func depthChart(history []report.DayDepth) ([]policy.Kind, []depthRow, string) {
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
	ch := chart{Type: "bar", Data: chartData{Labels: days, Datasets: []dataset{}}, Options: map[string]any{
		"maintainAspectRatio": false, "animation": false,
		"scales": map[string]any{"x": map[string]any{"stacked": true},
			"y": map[string]any{"stacked": true, "beginAtZero": true, "title": map[string]any{"display": true, "text": "Unfinished items"}}},
	}}
	rows := make([]depthRow, len(days))
	for i, day := range days {
		rows[i].Day = day
	}
	for _, k := range kinds {
		ds := dataset{Label: kindLabel(k), BackgroundColor: kindColors[k]}
		for i, day := range days {
			ds.Data = append(ds.Data, counts[day][k])
			rows[i].Counts = append(rows[i].Counts, counts[day][k])
		}
		ch.Data.Datasets = append(ch.Data.Datasets, ds)
	}
	return kinds, rows, ch.json()
}

// loadChart sets each agent's open items beside their capacity, with
// what they completed today and in the last seven days.
func loadChart(agents []report.AgentLoad) string {
	ch := chart{Type: "bar", Data: chartData{Labels: []string{}}, Options: map[string]any{
		"maintainAspectRatio": false, "animation": false,
		"scales": map[string]any{"y": map[string]any{"beginAtZero": true, "title": map[string]any{"display": true, "text": "Items"}}},
	}}
	open := dataset{Label: "Open", BackgroundColor: "#0b57d0"}
	capacity := dataset{Label: "Capacity", BackgroundColor: "#ffffff", BorderColor: "#57606a", BorderWidth: 2}
	today := dataset{Label: "Completed today", BackgroundColor: "#1e5631"}
	week := dataset{Label: "Completed in 7 days", BackgroundColor: "#7a4100"}
	for _, a := range agents {
		ch.Data.Labels = append(ch.Data.Labels, a.DisplayName)
		open.Data = append(open.Data, a.Open)
		capacity.Data = append(capacity.Data, a.Capacity)
		today.Data = append(today.Data, a.CompletedToday)
		week.Data = append(week.Data, a.Completed7d)
	}
	ch.Data.Datasets = []dataset{open, capacity, today, week}
	return ch.json()
}
