package browser

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
)

// OutputVar names the environment variable holding the folder where
// failed tests leave their screenshot and page; each test gets a
// subfolder named after it. It defaults to backdesk-test-output under the
// system's temporary folder.
const OutputVar = "BACKDESK_TEST_OUTPUT"

// keepArtifacts saves what the page looked like when the test failed and
// logs where.
func (b *Browser) keepArtifacts() {
	dir := outputDir(b.t.Name())
	if err := b.saveArtifacts(dir); err != nil {
		b.t.Logf("browser: saving the failed page to %s: %v", dir, err)
		return
	}
	b.t.Logf("browser: the failed page is saved in %s", dir)
}

// saveArtifacts writes into dir a full-page screenshot (screenshot.png),
// the page's HTML (page.html), the requests (requests.txt) and the
// console errors (console.txt). It writes what it can and reports the
// rest.
func (b *Browser) saveArtifacts(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	// The hang guard may be what ended the test, so take a fresh bound.
	ctx, cancel := context.WithTimeout(b.tab, 30*time.Second)
	defer cancel()

	var errs []error
	write := func(name string, data []byte) {
		errs = append(errs, os.WriteFile(filepath.Join(dir, name), data, 0o644))
	}
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err != nil {
		errs = append(errs, err)
	} else {
		write("screenshot.png", png)
	}
	if html, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html"))); err != nil {
		errs = append(errs, err)
	} else {
		write("page.html", []byte(html))
	}
	write("requests.txt", []byte(lines(b.Requests())))
	write("console.txt", []byte(lines(b.ConsoleErrors())))
	return errors.Join(errs...)
}

// outputDir returns the folder for the artifacts of the test named name.
func outputDir(name string) string {
	root := os.Getenv(OutputVar)
	if root == "" {
		root = filepath.Join(os.TempDir(), "backdesk-test-output")
	}
	return filepath.Join(root, sanitize(name))
}

// sanitize turns a test name, with its subtests, into one safe folder name.
func sanitize(name string) string {
	s := strings.Map(func(r rune) rune {
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9', r == '-', r == '.':
			return r
		}
		return '_'
	}, name)
	s = strings.Trim(s, ".")
	if len(s) > 120 {
		s = s[:120]
	}
	if s == "" {
		s = "test"
	}
	return s
}

func lines(ss []string) string {
	if len(ss) == 0 {
		return ""
	}
	return strings.Join(ss, "\n") + "\n"
}
