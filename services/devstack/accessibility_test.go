package devstack_test

import (
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	webbrowser "github.com/backdesk/backdesk/pkg/testenv/browser"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// maxPagesPerPersona bounds the walk through one persona's pages.
const maxPagesPerPersona = 30

// skipPath says which links the walk does not follow: downloads, sign-out
// and the development provider.
func skipPath(p string) bool {
	return strings.HasPrefix(p, "/auth/") || strings.HasPrefix(p, "/dev/") || strings.HasPrefix(p, "/static/") ||
		strings.HasPrefix(p, "/api/") || strings.HasSuffix(p, ".csv") || strings.Contains(p, "/export")
}

// TestEveryPageIsAccessible signs in as each persona and walks every page
// its console links to, from the front page on, at a desk's width and a
// phone's: axe-core must find no serious or critical WCAG 2.1 A or AA
// problem, and at 390 px no page may scroll sideways. With
// BACKDESK_SCREENSHOTS set to a folder it also keeps a screenshot of each
// page there (make screenshots writes docs/screenshots).
func TestEveryPageIsAccessible(t *testing.T) {
	t.Parallel()
	for _, user := range []string{"alice", "maria", "pat", "carol"} {
		t.Run(user, func(t *testing.T) {
			t.Parallel()
			b := setup(t, appDatabase(t, sqldb.SQLite))
			waitRouted(t, b)
			br := webbrowser.New(t)
			signIn(t, br, b.baseURL, user)
			br.WaitVisible("main")
			pages := walk(t, br, b.baseURL)
			require.NotEmpty(t, pages)
			t.Logf("%s: %d pages: %s", user, len(pages), strings.Join(pages, " "))
			for _, width := range []int64{1280, 390} {
				require.NoError(t, chromedp.Do(br.Ctx(), chromedp.EmulateViewport(width, 900)))
				for _, p := range pages {
					br.Visit(b.baseURL + p)
					br.WaitVisible("main")
					br.CheckAccessibility()
					// The front page only sends each persona on to its first page.
					if dir := os.Getenv("BACKDESK_SCREENSHOTS"); dir != "" && width == 1280 && p != "/" {
						br.Screenshot(filepath.Join(dir, user+"-"+screenshotName(p)+".png"))
					}
					if width == 390 {
						wide := evaluate[[]string](t, br, overflowing)
						require.Empty(t, wide, "%s scrolls sideways at 390 px: these reach past the right edge", p)
					}
				}
			}
		})
	}
}

// overflowing lists the outermost elements that reach past the right
// edge of the viewport, when the page scrolls sideways.
const overflowing = `(() => {
  const w = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= w + 1) return [];
  const out = [];
  const clipped = el => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const o = getComputedStyle(a).overflowX;
      if (o === "auto" || o === "scroll" || o === "hidden" || o === "clip") return true;
    }
    return false;
  };
  for (const el of document.querySelectorAll("body *")) {
    if (el.getBoundingClientRect().right > w + 1 && !out.some(o => o.contains(el)) && !clipped(el)) {
      out.push(el);
    }
  }
  return out.slice(0, 5).map(el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : ""));
})()`

// pageShape is a page's path with its ids blanked and without its query,
// so the walk visits one item page, not every item.
func pageShape(u *url.URL) string {
	parts := strings.Split(u.Path, "/")
	for i, p := range parts {
		if len(p) >= 16 && strings.ContainsAny(p, "0123456789") {
			parts[i] = "{id}"
		}
	}
	return strings.Join(parts, "/")
}

// screenshotName names a page's screenshot after its shape: "queue",
// "items-id", "practices-id-imports".
func screenshotName(p string) string {
	u, err := url.Parse(p)
	if err != nil {
		return "page"
	}
	name := strings.Trim(strings.ReplaceAll(strings.ReplaceAll(pageShape(u), "{id}", "id"), "/", "-"), "-")
	if name == "" {
		return "home"
	}
	return name
}

// walk follows the same-host links of the console from the front page,
// breadth first, and lists the pages it reached (path and query).
func walk(t *testing.T, br *webbrowser.Browser, base string) []string {
	t.Helper()
	host, err := url.Parse(base)
	require.NoError(t, err)
	seen, shapes := []string{"/"}, []string{"/"}
	for i := 0; i < len(seen) && len(seen) < maxPagesPerPersona; i++ {
		br.Visit(base + seen[i])
		br.WaitVisible("main")
		links := evaluate[[]string](t, br, `Array.from(document.querySelectorAll("a[href]")).map(a => a.href)`)
		for _, l := range links {
			u, err := url.Parse(l)
			if err != nil || u.Host != host.Host || skipPath(u.Path) {
				continue
			}
			u.Fragment = ""
			p := u.RequestURI()
			if shape := pageShape(u); !slices.Contains(shapes, shape) && len(seen) < maxPagesPerPersona {
				shapes = append(shapes, shape)
				seen = append(seen, p)
			}
		}
	}
	return seen
}
