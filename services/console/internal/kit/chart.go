package kit

import "encoding/json"

// Chart is a Chart.js configuration, which a page puts in a canvas's
// data-chart attribute for the console's script to draw.
type Chart struct {
	Type    string         `json:"type"`
	Data    ChartData      `json:"data"`
	Options map[string]any `json:"options"`
}

// ChartData are a chart's labels and data sets.
type ChartData struct {
	Labels   []string  `json:"labels"`
	Datasets []Dataset `json:"datasets"`
}

// Dataset is one series of a chart.
type Dataset struct {
	Label           string `json:"label"`
	Data            []int  `json:"data"`
	BackgroundColor string `json:"backgroundColor,omitempty"`
	BorderColor     string `json:"borderColor,omitempty"`
	BorderWidth     int    `json:"borderWidth,omitempty"`
}

// JSON is the configuration as the data-chart attribute holds it.
func (ch Chart) JSON() string {
	raw, _ := json.Marshal(ch)
	return string(raw)
}
