package console

import (
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/work/priority"
	"github.com/gin-gonic/gin"
)

// entry is one line of an agent's queue as the API gives it.
type entry struct {
	ItemID        string            `json:"item_id"`
	PracticeID    string            `json:"practice_id"`
	Kind          policy.Kind       `json:"kind"`
	State         string            `json:"state"`
	Priority      int               `json:"priority"`
	Reasons       []priority.Reason `json:"reasons"`
	DueAt         time.Time         `json:"due_at"`
	NextContactAt *time.Time        `json:"next_contact_at"`
	Overdue       bool              `json:"overdue"`
	Version       int               `json:"version"`
	Hold          *struct {
		Code       string     `json:"code"`
		Message    string     `json:"message"`
		WorkableAt *time.Time `json:"workable_at"`
	} `json:"hold"`
}

// later reports an item waiting for a next contact date still ahead: it
// is in the queue but not work for now.
func (e entry) later() bool { return e.State == "waiting" && !e.Overdue }

type chip struct {
	Kind   policy.Kind
	Count  int
	Active bool
}

type queuePage struct {
	Chips     []chip
	Now       []entry
	Later     []entry
	Overdue   int
	Kind      policy.Kind
	Practice  string
	Practices []string
	Filtered  bool
}

// queue is the agent's own work: counts per kind, what to work now
// (overdue first, then by priority, as the API orders it) and what waits
// for its next contact date.
func (con *Console) queue(c *gin.Context) {
	q := url.Values{}
	kind, practice := policy.Kind(c.Query("kind")), c.Query("practice")
	if kind != "" && kindLabels[kind] == "" {
		kind = ""
	}
	if practice != "" && !validID.MatchString(practice) {
		practice = ""
	}
	if kind != "" {
		q.Set("kind", string(kind))
	}
	if practice != "" {
		q.Set("practice_id", practice)
	}
	var out struct {
		Items  []entry             `json:"items"`
		Counts map[policy.Kind]int `json:"counts"`
	}
	if !con.get(c, "/api/v1/work/queue", q, &out) {
		return
	}
	p := queuePage{Kind: kind, Practice: practice, Filtered: kind != "" || practice != ""}
	for _, k := range policy.Kinds {
		if n := out.Counts[k]; n > 0 || k == kind {
			p.Chips = append(p.Chips, chip{Kind: k, Count: n, Active: k == kind})
		}
	}
	for _, e := range out.Items {
		if e.later() {
			p.Later = append(p.Later, e)
		} else {
			p.Now = append(p.Now, e)
		}
		if e.Overdue {
			p.Overdue++
		}
		if !slices.Contains(p.Practices, e.PracticeID) {
			p.Practices = append(p.Practices, e.PracticeID)
		}
	}
	if practice != "" && !slices.Contains(p.Practices, practice) {
		p.Practices = append(p.Practices, practice)
	}
	slices.Sort(p.Practices)
	con.render(c, http.StatusOK, "queue", con.page(c, "My queue", "queue", p))
}

// next starts the agent's most urgent workable item and opens it.
func (con *Console) next(c *gin.Context) {
	r := con.call(c, http.MethodPost, "/api/v1/work/next", nil, nil)
	switch {
	case r.Status == http.StatusNoContent:
		con.setFlash(c, "Nothing is workable now: every item is waiting for its date or on hold.", false)
		redirect(c, "/queue")
		return
	case !r.ok():
		con.fail(c, r)
		return
	}
	var out struct {
		ItemID string `json:"item_id"`
	}
	if r.decode(&out) != nil || !validID.MatchString(out.ItemID) {
		con.broken(c, r)
		return
	}
	redirect(c, "/items/"+out.ItemID)
}
