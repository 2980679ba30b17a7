package browser

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestFindHonoursTheVariable(t *testing.T) {
	t.Setenv(ExecVar, "/nonexistent")
	if got := find(); got != "" {
		t.Errorf("find() with %s=/nonexistent = %q, want none", ExecVar, got)
	}
	sh, err := filepath.Abs("/bin/sh")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(ExecVar, sh)
	if got := find(); got != sh {
		t.Errorf("find() with %s=%s = %q", ExecVar, sh, got)
	}
}

// fakeTB records what missing asks of a test instead of ending it.
type fakeTB struct {
	testing.TB
	fatal, skip string
}

func (f *fakeTB) Helper()                        {}
func (f *fakeTB) Fatalf(format string, a ...any) { f.fatal = fmt.Sprintf(format, a...) }
func (f *fakeTB) Skipf(format string, a ...any)  { f.skip = fmt.Sprintf(format, a...) }

func TestMissingBrowserSkipsOutsideCIAndFailsInside(t *testing.T) {
	t.Setenv("CI", "")
	var out fakeTB
	missing(&out)
	if out.skip == "" || out.fatal != "" {
		t.Errorf("outside CI: skip %q, fatal %q; want a skip only", out.skip, out.fatal)
	}

	t.Setenv("CI", "true")
	out = fakeTB{}
	missing(&out)
	if out.fatal == "" || out.skip != "" {
		t.Errorf("under CI: skip %q, fatal %q; want a failure only", out.skip, out.fatal)
	}
	if !strings.Contains(out.fatal, "deploy/dev/browser.sh") {
		t.Errorf("the failure %q does not say how to install the browser", out.fatal)
	}
}

func TestOffHost(t *testing.T) {
	urls := []string{
		"http://127.0.0.1:8080/",
		"http://127.0.0.1:8080/static/app.js?v=1",
		"data:image/svg+xml,%3Csvg%3E",
		"blob:http://127.0.0.1:8080/1234",
		"about:blank",
		"http://127.0.0.1:9090/other-port.js",
		"https://cdn.example.com/htmx.js",
		"http://example.invalid/x.js",
	}
	want := []string{
		"http://127.0.0.1:9090/other-port.js",
		"https://cdn.example.com/htmx.js",
		"http://example.invalid/x.js",
	}
	for _, host := range []string{"127.0.0.1:8080", "http://127.0.0.1:8080"} {
		if got := offHost(urls, host); !reflect.DeepEqual(got, want) {
			t.Errorf("offHost(%q) = %q, want %q", host, got, want)
		}
	}
}

func TestOutputDir(t *testing.T) {
	t.Setenv(OutputVar, "artifacts")
	if got, want := outputDir("TestConsole/overdue badge #2"), "artifacts/TestConsole_overdue_badge__2"; got != want {
		t.Errorf("outputDir = %q, want %q", got, want)
	}
	t.Setenv(OutputVar, "")
	if got, want := outputDir("TestX"), filepath.Join(os.TempDir(), "backdesk-test-output", "TestX"); got != want {
		t.Errorf("outputDir = %q, want %q", got, want)
	}
	for _, name := range []string{"", "..", "../../etc"} {
		if s := sanitize(name); s == "" || s == ".." || strings.Contains(s, "/") {
			t.Errorf("sanitize(%q) = %q", name, s)
		}
	}
}
