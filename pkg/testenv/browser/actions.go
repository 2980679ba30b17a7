package browser

import (
	"context"
	"os"
	"time"

	"github.com/chromedp/chromedp"
)

// Selectors in the helpers below are CSS selectors, matched with
// querySelector. Each helper waits for what it needs and fails the test,
// naming the selector and the page, when it cannot.

// Visit loads url in the tab and waits for its load event.
func (b *Browser) Visit(url string) {
	b.t.Helper()
	b.do("visit "+url, chromedp.Navigate(url))
}

// WaitVisible waits until an element matching sel is visible.
func (b *Browser) WaitVisible(sel string) {
	b.t.Helper()
	b.do("wait for "+sel, chromedp.WaitVisible(chromedp.CSS(sel)))
}

// Click clicks the first visible element matching sel with the mouse.
func (b *Browser) Click(sel string) {
	b.t.Helper()
	b.do("click "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// SetValue sets the value of the form field matching sel, without typing.
func (b *Browser) SetValue(sel, value string) {
	b.t.Helper()
	b.do("set value of "+sel, chromedp.SetValue(chromedp.CSS(sel), value))
}

// SendKeys focuses the element matching sel and types text into it, key
// by key, as a user would.
func (b *Browser) SendKeys(sel, text string) {
	b.t.Helper()
	b.do("type into "+sel, chromedp.SendKeys(chromedp.CSS(sel), text))
}

// Press sends key to whatever has the focus, or to the page, once the
// page has loaded. Keys such as Escape and Enter are in
// github.com/chromedp/chromedp/kb.
func (b *Browser) Press(key string) {
	b.t.Helper()
	// A page reached through a redirect can show its elements before its
	// scripts have run, and a key pressed then reaches no handler.
	b.do("wait for the page's scripts", chromedp.Poll[chromedp.Void](`document.readyState === "complete"`))
	b.do("press "+key, chromedp.KeyEvent(key))
}

// Text returns the visible text of the first element matching sel.
func (b *Browser) Text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.fail("read text of "+sel, err)
	}
	return s
}

// do runs one step and fails the test when it fails.
func (b *Browser) do(what string, step chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, step); err != nil {
		b.fail(what, err)
	}
}

// fail stops the test, saying what failed and on which page.
func (b *Browser) fail(what string, err error) {
	b.t.Helper()
	b.t.Fatalf("browser: %s (at %s): %v", what, b.location(), err)
}

// location returns the tab's URL, or why it is unknown. It does not use
// the hang-guarded context, which may be what just ran out.
func (b *Browser) location() string {
	ctx, cancel := context.WithTimeout(b.tab, 10*time.Second)
	defer cancel()
	u, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "unknown URL: " + err.Error()
	}
	return u
}

// Screenshot writes the visible part of the page as a PNG to path, for
// documentation; a failure fails the test.
func (b *Browser) Screenshot(path string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.fail("take a screenshot", err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatalf("browser: write %s: %v", path, err)
	}
}

// URL returns the address of the page the tab shows now.
func (b *Browser) URL() string {
	b.t.Helper()
	u, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.fail("read the location", err)
	}
	return u
}
