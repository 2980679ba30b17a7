package assets

import (
	"bufio"
	"bytes"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

func serve(t *testing.T, method, target string, header http.Header) *http.Response {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	http.StripPrefix(Prefix, Handler()).ServeHTTP(rec, req)
	return rec.Result()
}

func TestEveryFileIsServed(t *testing.T) {
	if len(static.sums) < 9 {
		t.Fatalf("only %d files embedded: %v", len(static.sums), static.sums)
	}
	for name := range static.sums {
		want, err := fs.ReadFile(static.fsys, name)
		if err != nil {
			t.Fatal(err)
		}
		for _, target := range []string{Prefix + name, Path(name)} {
			resp := serve(t, http.MethodGet, target, nil)
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK || !bytes.Equal(body, want) {
				t.Errorf("GET %s: %d, %d bytes; want 200 and the %d bytes of the file", target, resp.StatusCode, len(body), len(want))
			}
			ct := resp.Header.Get("Content-Type")
			if ct != contentTypes[path.Ext(name)] || ct == "" {
				t.Errorf("GET %s: Content-Type %q, want %q", target, ct, contentTypes[path.Ext(name)])
			}
			if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("GET %s: X-Content-Type-Options %q", target, got)
			}
			immutable := strings.HasPrefix(name, "vendor/") || strings.Contains(target, "?v=")
			if got := resp.Header.Get("Cache-Control"); (got == "public, max-age=31536000, immutable") != immutable {
				t.Errorf("GET %s: Cache-Control %q, immutable should be %v", target, got, immutable)
			}
		}
	}
}

func TestContentTypes(t *testing.T) {
	for name, want := range map[string]string{
		"app.css":                         "text/css; charset=utf-8",
		"app.js":                          "text/javascript; charset=utf-8",
		"vendor/chartjs/chart.umd.min.js": "text/javascript; charset=utf-8",
		"vendor/htmx/LICENSE":             "text/plain; charset=utf-8",
		"vendor/pico/LICENSE.md":          "text/plain; charset=utf-8",
		"favicon.ico":                     "image/x-icon",
		"archive.zip":                     "application/octet-stream",
	} {
		if got := contentType(name); got != want {
			t.Errorf("contentType(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestRefusals(t *testing.T) {
	for _, target := range []string{Prefix + "nope.css", Prefix + "vendor/", Prefix + "vendor", Prefix + "../assets.go", Prefix} {
		if resp := serve(t, http.MethodGet, target, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", target, resp.StatusCode)
		}
	}
	resp := serve(t, http.MethodPost, Prefix+"app.css", nil)
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: %d, Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
	}
	etag := serve(t, http.MethodGet, Prefix+"app.css", nil).Header.Get("ETag")
	resp = serve(t, http.MethodGet, Prefix+"app.css", http.Header{"If-None-Match": {etag}})
	if etag == "" || resp.StatusCode != http.StatusNotModified {
		t.Errorf("GET with If-None-Match %s: %d, want 304", etag, resp.StatusCode)
	}
}

func TestPathFollowsContent(t *testing.T) {
	pathOf := func(content string) string {
		f, err := load(fstest.MapFS{"app.css": {Data: []byte(content)}})
		if err != nil {
			t.Fatal(err)
		}
		return f.path("app.css")
	}
	a, again, b := pathOf("body{}"), pathOf("body{}"), pathOf("body{color:red}")
	if !regexp.MustCompile(`^/static/app\.css\?v=[0-9a-f]{10}$`).MatchString(a) {
		t.Errorf("path = %q", a)
	}
	if a != again || a == b {
		t.Errorf("paths %q, %q (same content) and %q (other content)", a, again, b)
	}
	if got := Path("/app.js"); !strings.HasPrefix(got, "/static/app.js?v=") {
		t.Errorf("Path(/app.js) = %q", got)
	}
	defer func() {
		if recover() == nil {
			t.Error("Path of an unknown file did not panic")
		}
	}()
	Path("missing.css")
}

// TestVersionsListsTheVendoredFiles keeps static/vendor/VERSIONS true: it
// names every vendored file, with its sha256.
func TestVersionsListsTheVendoredFiles(t *testing.T) {
	data, err := fs.ReadFile(static.fsys, "vendor/VERSIONS")
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 4 {
			t.Errorf("VERSIONS line %q: want package, version, sha256 and file", line)
			continue
		}
		name := "vendor/" + f[3]
		if got := static.sums[name]; got != f[2] {
			t.Errorf("VERSIONS gives %s the sha256 %s; it is %s", name, f[2], got)
		}
		listed = append(listed, name)
	}
	for name := range static.sums {
		if strings.HasPrefix(name, "vendor/") && name != "vendor/VERSIONS" && !slices.Contains(listed, name) {
			t.Errorf("VERSIONS does not list %s", name)
		}
	}
}
