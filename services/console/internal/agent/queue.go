package agent

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/services/console/internal/kit"
	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/gin-gonic/gin"
)

// later reports an item waiting for a next contact date still ahead: it
// is in the queue but not work for now.
func later(e api.QueueEntry) bool { return e.State == "waiting" && !e.Overdue }

// chip is one kind of work above the queue, with its count.
type chip struct {
	Kind   policy.Kind
	Count  int
	Active bool
}

// option is one choice of a select or of a row of links.
type option struct {
	Value, Text string
	Href        string // for links: the queue with this choice
	Active      bool
}

// row is one line of the worklist: the entry with its practice named
// and its dates shown in the practice's zone.
type row struct {
	api.QueueEntry
	Practice string // the practice's name
	Zone     string // the practice's IANA zone, UTC when unknown
	Amount   string // what is at stake, as the priority's reasons say it; empty when none does
}

// PageSize is how many items a page of the worklist shows.
const PageSize = 50

type queuePage struct {
	Chips      []chip
	Now        []row // this page of the work for now
	Later      []row // the first page of what waits for its date
	LaterMore  int   // how many more wait beyond those shown
	LaterTotal int
	NowTotal   int
	Overdue    int
	News       int // items the payer said something about since they were last worked
	Replied    int // items whose patient answered a text since they were last worked
	Kind       policy.Kind
	Practice   string
	Show       string
	Practices  []option
	Shows      []option
	Sorts      []option
	Sort       string
	Filtered   bool
	Resume     *row // the item the agent has in progress
	Page       int
	Pages      int
	PrevHref   string
	NextHref   string
	From, To   int
}

// sorts are the worklist's orders; "" keeps the API's (overdue first,
// then by priority).
var sorts = []struct{ Key, Text string }{
	{"", "Most urgent first"}, {"due", "Due date"}, {"priority", "Priority"}, {"kind", "Kind of work"}, {"practice", "Practice"},
}

// shows are the worklist's narrower views.
var shows = []struct{ Key, Text string }{{"", "Everything"}, {"overdue", "Overdue"}, {"news", "New from the payer"},
	{"replied", "Patient replied"}}

// amountText finds the amount in a priority reason's text.
var amountText = regexp.MustCompile(`\$[0-9][0-9,]*\.[0-9]{2}`)

// amountOf is what is at stake in an item, as its priority's reasons
// say it.
func amountOf(e api.QueueEntry) string {
	for _, r := range e.Reasons {
		if m := amountText.FindString(r.Text); m != "" {
			return m
		}
	}
	return ""
}

// rowsOf turns entries into rows, naming practices from names.
func rowsOf(entries []api.QueueEntry, names map[string]api.QueuePractice) []row {
	out := make([]row, 0, len(entries))
	for _, e := range entries {
		p := names[e.PracticeID]
		zone := p.Timezone
		if _, err := time.LoadLocation(zone); err != nil || zone == "" {
			zone = "UTC"
		}
		out = append(out, row{QueueEntry: e, Practice: cmp.Or(p.Name, "Unnamed practice"), Zone: zone, Amount: amountOf(e)})
	}
	return out
}

// sortRows orders rows by key, keeping the API's order among equals.
func sortRows(rows []row, key string) {
	by := map[string]func(a, b row) int{
		"due": func(a, b row) int { return a.DueAt.Compare(b.DueAt) },
		// Higher priority is worked first.
		"priority": func(a, b row) int { return b.Priority - a.Priority },
		"kind":     func(a, b row) int { return cmp.Compare(kit.KindLabel(a.Kind), kit.KindLabel(b.Kind)) },
		"practice": func(a, b row) int { return cmp.Compare(a.Practice, b.Practice) },
	}[key]
	if by != nil {
		slices.SortStableFunc(rows, by)
	}
}

// queue is the agent's worklist: counts per kind, what to work now
// (overdue first, then by priority, as the API orders it, or as the agent
// sorts it), fifty a page, and what waits for its next contact date.
// Filtering by kind and practice is the API's; sorting, the narrower
// views and paging are done here, over the API's list.
func (p pages) queue(c *gin.Context) {
	q := url.Values{}
	kind, practice := policy.Kind(c.Query("kind")), c.Query("practice")
	if kind != "" && !kit.KnownKind(kind) {
		kind = ""
	}
	if practice != "" && !kit.ValidID(practice) {
		practice = ""
	}
	if kind != "" {
		q.Set("kind", string(kind))
	}
	if practice != "" {
		q.Set("practice_id", practice)
	}
	var out api.Queue
	if !p.Get(c, "/api/v1/work/queue", q, &out) {
		return
	}
	page := queuePage{Kind: kind, Practice: practice}
	for _, s := range sorts {
		if s.Key == c.Query("sort") {
			page.Sort = s.Key
		}
	}
	for _, s := range shows {
		if s.Key == c.Query("show") {
			page.Show = s.Key
		}
	}
	page.Filtered = kind != "" || practice != "" || page.Show != ""
	for _, k := range policy.Kinds {
		if n := out.Counts[k]; n > 0 || k == kind {
			page.Chips = append(page.Chips, chip{Kind: k, Count: n, Active: k == kind})
		}
	}
	var now, wait []row
	seen := map[string]bool{}
	for _, r := range rowsOf(out.Items, out.Practices) {
		if r.State == "in_progress" && page.Resume == nil {
			page.Resume = &r
		}
		if r.Overdue {
			page.Overdue++
		}
		if r.PayerNews {
			page.News++
		}
		if r.PatientReplied {
			page.Replied++
		}
		if !seen[r.PracticeID] {
			seen[r.PracticeID] = true
			text := r.Practice
			// Two practices of one name (or two unnamed ones) are told
			// apart by their order.
			for n := 2; slices.ContainsFunc(page.Practices, func(o option) bool { return o.Text == text }); n++ {
				text = fmt.Sprintf("%s (%d)", r.Practice, n)
			}
			page.Practices = append(page.Practices, option{Value: r.PracticeID, Text: text, Active: r.PracticeID == practice})
		}
		switch {
		case page.Show == "overdue" && !r.Overdue, page.Show == "news" && !r.PayerNews, page.Show == "replied" && !r.PatientReplied:
			continue
		case later(r.QueueEntry):
			wait = append(wait, r)
		default:
			now = append(now, r)
		}
	}
	if practice != "" && !seen[practice] {
		page.Practices = append(page.Practices, option{Value: practice, Text: "The practice chosen", Active: true})
	}
	slices.SortStableFunc(page.Practices, func(a, b option) int { return cmp.Compare(a.Text, b.Text) })
	sortRows(now, page.Sort)
	sortRows(wait, page.Sort)

	// link is this worklist with some parameters changed.
	link := func(set map[string]string) string {
		v := url.Values{}
		for k, x := range map[string]string{"kind": string(kind), "practice": practice, "show": page.Show, "sort": page.Sort} {
			if x != "" {
				v.Set(k, x)
			}
		}
		for k, x := range set {
			if x == "" {
				v.Del(k)
			} else {
				v.Set(k, x)
			}
		}
		if len(v) == 0 {
			return "/queue"
		}
		return "/queue?" + v.Encode()
	}
	for _, s := range sorts {
		page.Sorts = append(page.Sorts, option{Value: s.Key, Text: s.Text, Href: link(map[string]string{"sort": s.Key}), Active: s.Key == page.Sort})
	}
	for _, s := range shows {
		page.Shows = append(page.Shows, option{Value: s.Key, Text: s.Text, Href: link(map[string]string{"show": s.Key}), Active: s.Key == page.Show})
	}

	page.NowTotal = len(now)
	page.Pages = max(1, (len(now)+PageSize-1)/PageSize)
	page.Page = 1
	if n, err := strconv.Atoi(c.Query("page")); err == nil && n > 1 {
		page.Page = min(n, page.Pages)
	}
	start := (page.Page - 1) * PageSize
	end := min(start+PageSize, len(now))
	page.Now = now[start:end]
	page.From, page.To = start+1, end
	if page.Page > 1 {
		page.PrevHref = link(map[string]string{"page": strconv.Itoa(page.Page - 1)})
	}
	if page.Page < page.Pages {
		page.NextHref = link(map[string]string{"page": strconv.Itoa(page.Page + 1)})
	}
	page.Later = wait[:min(PageSize, len(wait))]
	page.LaterMore, page.LaterTotal = len(wait)-len(page.Later), len(wait)
	p.Show(c, views, "queue", "My queue", "queue", page)
}

// next opens the item the agent has in progress, if any, else starts its
// most urgent workable item and opens it (the API does both).
func (p pages) next(c *gin.Context) {
	r := p.Call(c, http.MethodPost, "/api/v1/work/next", nil, nil)
	switch {
	case r.Status == http.StatusNoContent:
		p.SetFlash(c, "Nothing is workable now: every item is waiting for its date or on hold.", false)
		kit.Redirect(c, "/queue")
		return
	case !r.OK():
		p.Fail(c, r)
		return
	}
	var out api.Started
	if r.Decode(&out) != nil || !kit.ValidID(out.ItemID) {
		p.Broken(c, r)
		return
	}
	kit.Redirect(c, "/items/"+out.ItemID)
}

// PageText says which items a page of the worklist shows.
func (q queuePage) PageText() string {
	if q.NowTotal == 0 {
		return ""
	}
	return fmt.Sprintf("%d–%d of %d", q.From, q.To, q.NowTotal)
}
