// Package browser drives a real headless Chromium for end-to-end tests of
// the web console. New starts a fresh browser for one test, records every
// network request and console error of the page, and on failure leaves a
// screenshot and the page's HTML behind. Without a browser the test is
// skipped, except under CI=true where it fails: CI installs one with
// deploy/dev/browser.sh.
package browser

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// ExecVar names the environment variable that points at the browser
// binary, overriding the search of the usual locations.
const ExecVar = "BACKDESK_CHROMIUM"

// DefaultTimeout bounds a whole test's use of the browser. It only guards
// against hangs, so it is generous.
const DefaultTimeout = 3 * time.Minute

// candidates are the browsers tried, in order, when ExecVar is unset.
var candidates = []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"}

// Browser is one headless Chromium with one tab, owned by one test.
type Browser struct {
	t   testing.TB
	tab context.Context // the tab, without the hang guard
	ctx context.Context // the tab, with the hang guard

	mu       sync.Mutex
	requests []string
	errors   []string
}

// Option changes how New starts the browser.
type Option func(*config)

type config struct {
	timeout time.Duration
}

// WithTimeout replaces DefaultTimeout as the bound on the test's use of
// the browser.
func WithTimeout(d time.Duration) Option {
	return func(c *config) { c.timeout = d }
}

// New starts a browser for t and closes it when t ends. When no browser
// is installed it skips t, or fails it under CI=true.
func New(t testing.TB, opts ...Option) *Browser {
	t.Helper()
	cfg := config{timeout: DefaultTimeout}
	for _, o := range opts {
		o(&cfg)
	}
	path := find()
	if path == "" {
		missing(t)
		return nil
	}

	b := &Browser{t: t}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), allocatorOptions(path)...)
	tab, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithListener(b.record))
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
	})

	// The first run starts the browser and ties it to tab, so it gets the
	// hang guard from outside rather than from a derived context.
	guard, cancelGuard := context.WithTimeout(context.Background(), cfg.timeout)
	stop := context.AfterFunc(guard, cancelAlloc)
	err := chromedp.Do(tab)
	stop()
	cancelGuard()
	if err != nil {
		t.Fatalf("browser: starting %s: %v", path, err)
	}

	b.tab = tab
	ctx, cancel := context.WithTimeout(tab, cfg.timeout)
	b.ctx = ctx
	t.Cleanup(cancel)
	t.Cleanup(func() {
		if t.Failed() {
			b.keepArtifacts()
		}
	})
	return b
}

// Ctx returns the context to pass to chromedp.Run and chromedp.Do for this
// browser's tab. It ends when the test's time with the browser is up.
func (b *Browser) Ctx() context.Context { return b.ctx }

// find returns the browser binary to run, or "" when there is none.
func find() string {
	if p := os.Getenv(ExecVar); p != "" {
		found, err := exec.LookPath(p)
		if err != nil {
			return ""
		}
		return found
	}
	for _, c := range candidates {
		if found, err := exec.LookPath(c); err == nil {
			return found
		}
	}
	return ""
}

// missing skips t, or fails it under CI=true, because there is no browser.
func missing(t testing.TB) {
	t.Helper()
	why := fmt.Sprintf("no Chromium found at any of %v", candidates)
	if p := os.Getenv(ExecVar); p != "" {
		why = fmt.Sprintf("%s=%s is not an executable", ExecVar, p)
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("browser: %s; under CI=true run deploy/dev/browser.sh first", why)
		return
	}
	t.Skipf("browser: %s; deploy/dev/browser.sh installs it", why)
}

// allocatorOptions are the command-line flags of a test browser: headless,
// quiet, with no state kept between runs.
func allocatorOptions(path string) []chromedp.ExecAllocatorOption {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1280, 800),
	)
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox)
	}
	// Without a user-data-dir flag chromedp makes a fresh temporary profile
	// and removes it, with any leftover child processes, on cancel.
	return opts
}
