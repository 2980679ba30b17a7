package browser

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/backdesk/backdesk/pkg/testenv"
)

// site serves the small pages the tests below drive.
func site(t *testing.T) *httptest.Server {
	t.Helper()
	pages := map[string]string{
		"/": `<!doctype html><title>form</title>
<form id="f"><input id="name" name="name"> <button type="button" id="go">Greet</button></form>
<p id="out">nobody yet</p><p id="key">no key</p>
<script src="/app.js"></script>`,
		"/foreign": `<!doctype html><title>foreign</title>
<script src="http://example.invalid/x.js"></script><p id="out">loaded</p>`,
		"/inaccessible": `<!doctype html><html lang="en"><title>inaccessible</title>
<main><form><input id="q" type="text"></form><img src="/none.png"></main></html>`,
		"/accessible": `<!doctype html><html lang="en"><title>accessible</title>
<main><h1>Search</h1><form><label for="q">Patient</label> <input id="q" type="text"></form></main></html>`,
		"/broken": `<!doctype html><title>broken</title><p id="out">broken</p>
<script src="/broken.js"></script>`,
	}
	scripts := map[string]string{
		"/app.js": `document.getElementById("go").addEventListener("click", function () {
  document.getElementById("out").textContent = "Hello, " + document.getElementById("name").value;
});
document.addEventListener("keydown", function (e) {
  document.getElementById("key").textContent = "pressed " + e.key;
});`,
		"/broken.js": `console.error("boom", 42); null.nothing;`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s, ok := scripts[r.URL.Path]; ok {
			w.Header().Set("Content-Type", "text/javascript")
			w.Write([]byte(s))
			return
		}
		if p, ok := pages[r.URL.Path]; ok {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte(p))
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestDrivesAPage(t *testing.T) {
	t.Parallel()
	srv := site(t)
	b := New(t)

	b.Visit(srv.URL + "/")
	b.WaitVisible("#go")
	b.SendKeys("#name", "Ada")
	b.Click("#go")
	if got := b.Text("#out"); got != "Hello, Ada" {
		t.Errorf("after the click #out says %q, want %q", got, "Hello, Ada")
	}
	b.SetValue("#name", "Grace")
	b.Click("#go")
	if got := b.Text("#out"); got != "Hello, Grace" {
		t.Errorf("after SetValue #out says %q, want %q", got, "Hello, Grace")
	}
	b.Press("n")
	if got := b.Text("#key"); got != "pressed n" {
		t.Errorf("after Press #key says %q", got)
	}

	if !slices.Contains(b.Requests(), srv.URL+"/app.js") {
		t.Errorf("requests %q do not include /app.js", b.Requests())
	}
	b.AssertOnlyHost(t, srv.URL)
	if errs := b.ConsoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %q", errs)
	}
}

func TestNoticesOtherHosts(t *testing.T) {
	t.Parallel()
	srv := site(t)
	b := New(t)

	b.Visit(srv.URL + "/foreign")
	b.WaitVisible("#out")
	off := offHost(b.Requests(), srv.URL)
	if !slices.Equal(off, []string{"http://example.invalid/x.js"}) {
		t.Errorf("offending requests = %q, want only the script on example.invalid", off)
	}
}

func TestCollectsConsoleErrors(t *testing.T) {
	t.Parallel()
	srv := site(t)
	b := New(t)

	b.Visit(srv.URL + "/broken")
	b.WaitVisible("#out")
	errs := strings.Join(b.ConsoleErrors(), "\n")
	for _, want := range []string{"console.error: boom 42", "exception: ", "TypeError"} {
		if !strings.Contains(errs, want) {
			t.Errorf("console errors %q lack %q", errs, want)
		}
	}
}

func TestSavesArtifacts(t *testing.T) {
	t.Parallel()
	srv := site(t)
	b := New(t)
	b.Visit(srv.URL + "/")
	b.WaitVisible("#out")

	dir := filepath.Join(t.TempDir(), sanitize(t.Name()))
	if err := b.saveArtifacts(dir); err != nil {
		t.Fatal(err)
	}
	png, err := os.ReadFile(filepath.Join(dir, "screenshot.png"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		t.Errorf("screenshot.png is not a PNG: % x", png[:min(8, len(png))])
	}
	html, err := os.ReadFile(filepath.Join(dir, "page.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(html), `id="out">nobody yet</p>`) {
		t.Errorf("page.html does not hold the page:\n%s", html)
	}
	reqs, err := os.ReadFile(filepath.Join(dir, "requests.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(reqs), srv.URL+"/app.js") {
		t.Errorf("requests.txt = %q", reqs)
	}
}

func TestFindsAccessibilityProblems(t *testing.T) {
	t.Parallel()
	srv := site(t)
	b := New(t)
	b.Visit(srv.URL + "/inaccessible")
	problems, ok := b.AccessibilityProblems()
	if !ok {
		if testenv.InCI() {
			t.Fatal("axe-core is not installed: CI runs deploy/dev/axe.sh")
		}
		t.Skip("axe-core is not installed: run deploy/dev/axe.sh")
	}
	all := strings.Join(problems, "\n")
	for _, want := range []string{"critical label: ", "critical image-alt: ", "#q"} {
		if !strings.Contains(all, want) {
			t.Errorf("problems %q lack %q", all, want)
		}
	}
	b.Visit(srv.URL + "/accessible")
	b.CheckAccessibility()
}
