package agent

import (
	"net/http"
	"net/url"
	"slices"

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

type queuePage struct {
	Chips     []chip
	Now       []api.QueueEntry
	Later     []api.QueueEntry
	Overdue   int
	Kind      policy.Kind
	Practice  string
	Practices []string
	Filtered  bool
}

// queue is the agent's own work: counts per kind, what to work now
// (overdue first, then by priority, as the API orders it) and what waits
// for its next contact date.
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
	page := queuePage{Kind: kind, Practice: practice, Filtered: kind != "" || practice != ""}
	for _, k := range policy.Kinds {
		if n := out.Counts[k]; n > 0 || k == kind {
			page.Chips = append(page.Chips, chip{Kind: k, Count: n, Active: k == kind})
		}
	}
	for _, e := range out.Items {
		if later(e) {
			page.Later = append(page.Later, e)
		} else {
			page.Now = append(page.Now, e)
		}
		if e.Overdue {
			page.Overdue++
		}
		if !slices.Contains(page.Practices, e.PracticeID) {
			page.Practices = append(page.Practices, e.PracticeID)
		}
	}
	if practice != "" && !slices.Contains(page.Practices, practice) {
		page.Practices = append(page.Practices, practice)
	}
	slices.Sort(page.Practices)
	p.Show(c, views, "queue", "My queue", "queue", page)
}

// next starts the agent's most urgent workable item and opens it.
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
