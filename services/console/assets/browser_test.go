package assets_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/backdesk/backdesk/pkg/testenv/browser"
	"github.com/backdesk/backdesk/services/console/assets"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// csp is as strict as the console's pages will be. Pico's icons are data:
// SVGs, hence img-src data:.
const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

const head = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="htmx-config" content='{"includeIndicatorStyles":false,"allowEval":false}'>
<title>%s</title>
<link rel="stylesheet" href="` + "{{pico}}" + `"><link rel="stylesheet" href="{{app.css}}">
<script src="{{htmx}}" defer></script><script src="{{chart}}" defer></script><script src="{{app.js}}" defer></script>
</head>`

const chart = `{"type":"bar","data":{"labels":["Mon","Tue"],"datasets":[{"label":"Claims","data":[3,5]}]},"options":{"maintainAspectRatio":false}}`

var pages = map[string]string{
	"/": fmt.Sprintf(head, "queue") + `<body>
<header class="topbar"><a class="brand" href="/">Backdesk</a><nav><a href="/new" data-shortcut="n">New</a></nav></header>
<main>
<input id="note" aria-label="Note">
<button id="open" data-shortcut="o" hx-get="/fragment" hx-target="#slot">Open</button>
<span class="badge badge-overdue">Overdue</span> <span class="chip" data-kind="recare">Recare</span>
<div class="chart"><canvas id="first" data-chart='` + chart + `'></canvas></div>
<div id="slot"></div>
<dialog id="help" data-shortcut="?"><p>Shortcuts</p></dialog>
</main></body></html>`,
	"/fragment": `<div class="chart"><canvas id="swapped" data-chart='` + chart + `'></canvas></div>`,
	"/new":      fmt.Sprintf(head, "new") + `<body><main><h1 id="new">New item</h1></main></body></html>`,
	"/idle":     idlePage("600"),
	"/idle-out": idlePage("2"),
	"/bye":      fmt.Sprintf(head, "bye") + `<body><main><h1 id="bye">Signed out</h1></main></body></html>`,
	"/item": fmt.Sprintf(head, "item") + `<body data-idle-warn-seconds="3" data-idle-logout-seconds="600" data-idle-logout-url="/bye">
<header><form id="logout-form" method="post" action="/bye"><input type="hidden" name="csrf_token" value="tok-1"></form></header>
<main><div data-heartbeat-url="/beat" data-heartbeat-seconds="1"><p>Item</p></div>
<dialog id="idle-dialog"><p>Signing out in <span data-idle-countdown></span> s</p></dialog></main></body></html>`,
}

// idlePage warns after a second and signs out after logout seconds.
func idlePage(logout string) string {
	return fmt.Sprintf(head, "idle") + `<body data-idle-warn-seconds="1" data-idle-logout-seconds="` + logout + `" data-idle-logout-url="/bye">
<main><p>Idle</p>
<dialog id="idle-dialog"><p>Signing out in <span data-idle-countdown></span> s</p>
<form method="dialog"><button id="stay">Stay signed in</button></form></dialog></main></body></html>`
}

// console serves the pages above and the static files, as the console will.
func console(t *testing.T) *httptest.Server {
	return consoleWith(t, nil)
}

// consoleWith is console with more handlers, by path.
func consoleWith(t *testing.T, more map[string]http.HandlerFunc) *httptest.Server {
	links := strings.NewReplacer(
		"{{pico}}", assets.Path("vendor/pico/pico.min.css"),
		"{{htmx}}", assets.Path("vendor/htmx/htmx.min.js"),
		"{{chart}}", assets.Path("vendor/chartjs/chart.umd.min.js"),
		"{{app.css}}", assets.Path("app.css"),
		"{{app.js}}", assets.Path("app.js"),
	)
	mux := http.NewServeMux()
	mux.Handle(assets.Prefix, http.StripPrefix(assets.Prefix, assets.Handler()))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		page, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Security-Policy", csp)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		links.WriteString(w, page)
	})
	mux.HandleFunc("/favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	for path, h := range more {
		mux.HandleFunc(path, h)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// waitChart waits until the canvas with id has a Chart.js chart.
func waitChart(t *testing.T, b *browser.Browser, id string) {
	t.Helper()
	js := fmt.Sprintf(`!!(window.Chart && Chart.getChart(document.getElementById(%q)))`, id)
	if _, err := chromedp.Run(b.Ctx(), chromedp.Poll[bool](js)); err != nil {
		t.Fatalf("no chart on #%s: %v", id, err)
	}
}

func TestConsoleScriptsUnderStrictCSP(t *testing.T) {
	t.Parallel()
	srv := console(t)
	b := browser.New(t)

	b.Visit(srv.URL + "/")
	waitChart(t, b, "first")

	// A shortcut key typed into a field is text, not a shortcut.
	b.SendKeys("#note", "n")
	if got, err := chromedp.Run(b.Ctx(), chromedp.Value(chromedp.CSS("#note"))); err != nil || got != "n" {
		t.Errorf("#note holds %q (%v), want n", got, err)
	}
	b.Click("main") // leave the field

	b.Press("o") // clicks #open: htmx fetches a chart into #slot
	b.WaitVisible("#slot #swapped")
	waitChart(t, b, "swapped")

	b.Press("?")
	b.WaitVisible("#help")
	b.Press(kb.Escape)
	if _, err := chromedp.Run(b.Ctx(), chromedp.WaitNotVisible(chromedp.CSS("#help"))); err != nil {
		t.Errorf("#help did not close: %v", err)
	}

	b.Press("n")
	b.WaitVisible("#new")

	b.AssertOnlyHost(t, srv.URL)
	if errs := b.ConsoleErrors(); len(errs) > 0 {
		t.Errorf("console errors:\n%s", strings.Join(errs, "\n"))
	}
}

func TestIdleWarningThenLogout(t *testing.T) {
	t.Parallel()
	srv := console(t)
	b := browser.New(t)

	b.Visit(srv.URL + "/idle")
	b.WaitVisible("#idle-dialog")
	if got := b.Text("#idle-dialog [data-idle-countdown]"); got == "" {
		t.Error("the countdown is empty")
	}
	// Count the closings from outside the page, whose policy allows no
	// inline script, so that the check does not race the next warning.
	count := `window.closings = 0; document.getElementById("idle-dialog").addEventListener("close", () => window.closings++)`
	if err := chromedp.Do(b.Ctx(), chromedp.Evaluate[chromedp.Void](count)); err != nil {
		t.Fatal(err)
	}
	b.Click("#stay")
	if _, err := chromedp.Run(b.Ctx(), chromedp.Poll[bool](`window.closings === 1`)); err != nil {
		t.Errorf("the dialog did not close: %v", err)
	}
	// Left alone again, the page warns again.
	b.WaitVisible("#idle-dialog")

	// And a page left alone long enough signs out.
	b.Visit(srv.URL + "/idle-out")
	b.WaitVisible("#bye")

	b.AssertOnlyHost(t, srv.URL)
	if errs := b.ConsoleErrors(); len(errs) > 0 {
		t.Errorf("console errors:\n%s", strings.Join(errs, "\n"))
	}
}

// TestHeartbeatKeepsTheLeaseNotTheSession has the item page beat every
// second with the page's CSRF token, and still warn when left idle: a
// heartbeat is not the person doing something.
func TestHeartbeatKeepsTheLeaseNotTheSession(t *testing.T) {
	t.Parallel()
	beats := make(chan string, 100)
	srv := consoleWith(t, map[string]http.HandlerFunc{"/beat": func(w http.ResponseWriter, r *http.Request) {
		beats <- r.Method + " " + r.Header.Get("X-CSRF-Token")
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"item_id":"wi-1","lease_until":"2026-11-20T12:15:00Z"}`))
	}})
	b := browser.New(t)
	b.Visit(srv.URL + "/item")
	for range 2 {
		select {
		case got := <-beats:
			if got != "POST tok-1" {
				t.Fatalf("heartbeat %q, want a POST with the page's token", got)
			}
		case <-b.Ctx().Done():
			t.Fatal("no heartbeat")
		}
	}
	b.WaitVisible("#idle-dialog")
	b.AssertOnlyHost(t, srv.URL)
	if errs := b.ConsoleErrors(); len(errs) > 0 {
		t.Errorf("console errors:\n%s", strings.Join(errs, "\n"))
	}
}
