package assets

import (
	"io/fs"
	"path"
	"regexp"
	"slices"
	"testing"
)

// value matches the start of a URL on another host as a value: quoted
// (possibly escaped, as in HTML inside a JS string) and absolute or
// protocol-relative, or bare with a scheme.
const value = `(?:\\?["'\x60]\s*(?:(?:https?|wss?):)?//[a-z0-9\[$]|(?:https?|wss?)://)`

// loads match code and styles that would make the browser fetch something.
var loads = []*regexp.Regexp{
	regexp.MustCompile(`(?i)\b(?:src|href|srcset|action|poster|data)\s*=\s*` + value),
	regexp.MustCompile(`(?i)\b(?:fetch|import|importScripts|sendBeacon|EventSource|WebSocket|Worker|SharedWorker|open|assign|replace)\s*\([^()]*?` + value),
	regexp.MustCompile(`(?i)\bimport\b[^;()]*?["']\s*(?:https?:)?//`),
	regexp.MustCompile(`(?i)setAttribute\(\s*["'](?:src|href|srcset|action|poster|data)["']\s*,\s*` + value),
	regexp.MustCompile(`(?i)url\(\s*["']?\s*(?:https?:)?//`),
	regexp.MustCompile(`(?i)@import\s+(?:url\()?\s*["']?\s*(?:https?:)?//`),
	// A protocol-relative URL in a string, to be used later.
	regexp.MustCompile(`(?i)["'\x60]//[a-z0-9-]+(?:\.[a-z0-9-]+)+`),
}

// anyURL finds every http(s) and ws(s) URL, fetched or not.
var anyURL = regexp.MustCompile(`(?i)\b(?:https?|wss?)://[^\s"'\x60()<>\\]+`)

// inert are the URLs the served code may hold because nothing loads them:
// banners of the vendored files and the SVG namespace.
var inert = []string{
	"https://www.chartjs.org",                // Chart.js's license banner
	"https://github.com/kurkle/color#readme", // banner of @kurkle/color, bundled in Chart.js
	"https://picocss.com",                    // Pico's license banner
	"http://www.w3.org/2000/svg",             // namespace of Pico's data: SVG icons
}

// offending returns why src, the text of a served file, could load
// something from another host.
func offending(src string) []string {
	var bad []string
	for _, re := range loads {
		bad = append(bad, re.FindAllString(src, -1)...)
	}
	for _, u := range anyURL.FindAllString(src, -1) {
		if !slices.Contains(inert, u) {
			bad = append(bad, u)
		}
	}
	return bad
}

func TestNoFileLoadsFromAnotherHost(t *testing.T) {
	scanned := 0
	for name := range static.sums {
		switch path.Ext(name) {
		case ".js", ".css", ".html", ".svg", ".json":
		default:
			continue // license texts and VERSIONS are not loaded by pages
		}
		data, err := fs.ReadFile(static.fsys, name)
		if err != nil {
			t.Fatal(err)
		}
		scanned++
		if bad := offending(string(data)); len(bad) > 0 {
			t.Errorf("%s may load from another host: %q", name, bad)
		}
	}
	if scanned < 5 {
		t.Errorf("scanned only %d files", scanned)
	}
}

func TestOffendingCatchesRemoteLoads(t *testing.T) {
	for _, src := range []string{
		`document.write('<script src="https://cdn.example.com/x.js"></script>');`,
		`el.innerHTML = "<img src=\"//cdn.example.com/p.png\">";`,
		`fetch("https://api.example.com/v1")`,
		`fetch('//api.example.com/v1', {mode: "cors"})`,
		`import("https://esm.sh/lodash")`,
		`import x from "https://esm.sh/lodash";`,
		`importScripts("//cdn.example.com/w.js")`,
		`new WebSocket("wss://push.example.com")`,
		`s.src = "https://cdn.example.com/x.js";`,
		"s.src = `//cdn.example.com/${v}.js`;",
		`el.setAttribute("href", "https://fonts.example.com/a.css")`,
		`@import url("https://fonts.googleapis.com/css2?family=Inter");`,
		`@import "//fonts.example.com/a.css";`,
		`body{background:url(https://img.example.com/bg.png)}`,
		`var u = "//cdn.example.com/x.js"; s.src = u;`,
		`// see https://example.com/docs`,
	} {
		if len(offending(src)) == 0 {
			t.Errorf("not caught: %s", src)
		}
	}
	for _, src := range []string{
		`el.src = "/static/app.js?v=1"; fetch("/api/items", {credentials: "same-origin"})`,
		`a{background:url("data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'%3E")}`,
		`x = a / 2; y = b // not a URL`,
		`p = p.replace("//", "/")`,
	} {
		if bad := offending(src); len(bad) > 0 {
			t.Errorf("%s: flagged %q", src, bad)
		}
	}
}
