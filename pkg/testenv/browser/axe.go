package browser

import (
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/chromedp/chromedp"
)

// AxeVar names the environment variable that points at axe-core's
// axe.min.js; deploy/dev/axe.sh fetches it (pinned, checked) into the
// tools cache and sets it.
const AxeVar = "BACKDESK_AXE"

// axeVersion is the axe-core deploy/dev/axe.sh pins; its default cache
// path is looked for when AxeVar is unset.
const axeVersion = "4.14.1"

var (
	axeOnce   sync.Once
	axeSource string
)

// axeScript reads axe-core once, from AxeVar or the default tools cache;
// "" when neither has it.
func axeScript() string {
	axeOnce.Do(func() {
		path := os.Getenv(AxeVar)
		if path == "" {
			dir := os.Getenv("BACKDESK_TOOLS")
			if dir == "" {
				home, err := os.UserHomeDir()
				if err != nil {
					return
				}
				dir = filepath.Join(home, ".cache", "backdesk", "tools")
			}
			path = filepath.Join(dir, "axe-core-"+axeVersion, "axe.min.js")
		}
		if raw, err := os.ReadFile(path); err == nil {
			axeSource = string(raw)
		}
	})
	return axeSource
}

// axeRun runs axe on the page for the WCAG 2.1 A and AA rules and answers
// the serious and critical violations, one line each.
const axeRun = `(async () => {
  const r = await axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}, resultTypes: ["violations"]});
  return r.violations.filter(v => v.impact === "serious" || v.impact === "critical").map(v =>
    v.impact + " " + v.id + ": " + v.help + " — " + v.nodes.slice(0, 5).map(n => n.target.join(" ")).join(", ") +
    (v.nodes.length > 5 ? " and " + (v.nodes.length - 5) + " more" : ""));
})()`

// CheckAccessibility runs axe-core on the page as it stands and fails the
// test on any serious or critical WCAG 2.1 A or AA violation, naming the
// rule and the elements. Without axe-core the check is skipped with a log
// line, except under CI=true, where it fails: CI fetches it with
// deploy/dev/axe.sh.
func (b *Browser) CheckAccessibility() {
	b.t.Helper()
	problems, ok := b.AccessibilityProblems()
	if !ok {
		if testenv.InCI() {
			b.t.Fatalf("browser: axe-core is missing; run deploy/dev/axe.sh or set %s", AxeVar)
		}
		b.t.Logf("browser: axe-core not found (run deploy/dev/axe.sh); accessibility not checked at %s", b.location())
		return
	}
	if len(problems) > 0 {
		b.t.Errorf("browser: accessibility problems at %s:\n%s", b.location(), strings.Join(problems, "\n"))
	}
}

// AccessibilityProblems runs axe-core on the page and answers its serious
// and critical WCAG 2.1 A and AA violations, one line each; ok is false
// when axe-core is not installed.
func (b *Browser) AccessibilityProblems() (problems []string, ok bool) {
	b.t.Helper()
	src := axeScript()
	if src == "" {
		return nil, false
	}
	// The page's content security policy does not apply to the DevTools
	// protocol, so axe is evaluated as it is, in the page's own world.
	found, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`typeof axe !== "undefined"`))
	if err != nil {
		b.fail("look for axe-core", err)
	}
	if !found {
		if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[any](src+";0")); err != nil {
			b.fail("load axe-core", err)
		}
	}
	problems, err = chromedp.Run(b.ctx, chromedp.Evaluate[[]string](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		b.fail("run axe-core", err)
	}
	return problems, true
}
