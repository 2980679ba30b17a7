package browser

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
)

// record notes the requests and the errors of the page. chromedp calls it
// in order, in the tab's event loop, so it must be quick and run no
// command. chromedp enables the network, runtime and log domains itself.
func (b *Browser) record(ev any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		if ev.Request != nil {
			b.requests = append(b.requests, ev.Request.URL)
		}
	case *runtime.EventExceptionThrown:
		b.errors = append(b.errors, "exception: "+exceptionText(ev.ExceptionDetails))
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError {
			b.errors = append(b.errors, "console.error: "+argsText(ev.Args))
		}
	case *log.EventEntryAdded:
		if e := ev.Entry; e != nil && e.Level == log.EntryLevelError && !isFavicon(e) {
			b.errors = append(b.errors, fmt.Sprintf("%s: %s %s", e.Source, e.Text, e.URL))
		}
	}
}

// isFavicon reports whether e is the failure of the browser's own request
// for /favicon.ico, which a page without an icon causes through no fault
// of its own.
func isFavicon(e *log.Entry) bool {
	u, err := url.Parse(e.URL)
	return e.Source == log.EntrySourceNetwork && err == nil && u.Path == "/favicon.ico"
}

// Requests returns the URL of every request the page has made so far, in
// order, including those of data: and blob: URLs.
func (b *Browser) Requests() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.requests...)
}

// ConsoleErrors returns what the page reported as an error so far:
// uncaught exceptions, calls of console.error, and the browser's own
// error entries such as a failed load or a Content-Security-Policy
// violation.
func (b *Browser) ConsoleErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.errors...)
}

// AssertOnlyHost fails t, listing the offenders, when the page has
// requested anything from a host other than host (as host:port, or a URL
// whose host:port is taken). data:, blob: and about: URLs are ignored.
func (b *Browser) AssertOnlyHost(t testing.TB, host string) {
	t.Helper()
	if off := offHost(b.Requests(), host); len(off) > 0 {
		t.Errorf("browser: requests to hosts other than %s:\n  %s", hostOf(host), strings.Join(off, "\n  "))
	}
}

// offHost returns the URLs among urls whose host is not host.
func offHost(urls []string, host string) []string {
	want := hostOf(host)
	var off []string
	for _, raw := range urls {
		u, err := url.Parse(raw)
		if err == nil {
			switch u.Scheme {
			case "data", "blob", "about":
				continue
			}
			if strings.EqualFold(u.Host, want) {
				continue
			}
		}
		off = append(off, raw)
	}
	return off
}

// hostOf returns the host:port of a URL, or s itself when it is no URL.
func hostOf(s string) string {
	if strings.Contains(s, "://") {
		if u, err := url.Parse(s); err == nil {
			return u.Host
		}
	}
	return s
}

// exceptionText describes an uncaught exception, with where it was thrown.
func exceptionText(d *runtime.ExceptionDetails) string {
	if d == nil {
		return "unknown"
	}
	s := d.Text
	if d.Exception != nil && d.Exception.Description != "" {
		s += " " + d.Exception.Description
	}
	if d.URL != "" {
		s += fmt.Sprintf(" (%s:%d:%d)", d.URL, d.LineNumber+1, d.ColumnNumber+1)
	}
	return s
}

// argsText joins the arguments of a console call as the console shows
// them, roughly: strings as they are, other values by their description.
func argsText(args []*runtime.RemoteObject) string {
	parts := make([]string, 0, len(args))
	for _, a := range args {
		switch {
		case a == nil:
		case a.Type == runtime.RemoteObjectTypeString:
			var s string
			if err := json.Unmarshal([]byte(a.Value), &s); err == nil {
				parts = append(parts, s)
				continue
			}
			parts = append(parts, string(a.Value))
		case a.Description != "":
			parts = append(parts, a.Description)
		case a.UnserializableValue != "":
			parts = append(parts, string(a.UnserializableValue))
		default:
			parts = append(parts, string(a.Value))
		}
	}
	return strings.Join(parts, " ")
}
