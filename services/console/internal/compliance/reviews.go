package compliance

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/grant"
	"github.com/backdesk/backdesk/services/console/internal/kit"
	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/gin-gonic/gin"
)

type reviewsPage struct {
	Days         int
	From, To     time.Time
	HoursUnknown int
	Open, Closed []api.Anomaly
	Sessions     []api.BreakGlass
	CSRF         string
	failed       string
	form         *kit.Form
}

// FormFor returns the closing form of the anomaly or session named
// which: as typed when it was just refused, else empty.
func (p reviewsPage) FormFor(which string) *kit.Form {
	if which == p.failed && p.form != nil {
		return p.form
	}
	return kit.NewForm(nil)
}

// reviewWindows are the report's windows offered, in days.
var reviewWindows = []int{7, 30, 90}

// reviews is compliance's queue: the anomalies of the window and the
// break-glass sessions not yet reviewed, each closed with a note.
func (p pages) reviews(c *gin.Context) { p.showReviews(c, "", nil) }

func (p pages) showReviews(c *gin.Context, failed string, f *kit.Form) {
	days, _ := strconv.Atoi(c.Query("days"))
	if days < 1 || days > 92 {
		days = reviewWindows[0]
	}
	now := p.Now().UTC()
	q := url.Values{"from": {now.AddDate(0, 0, -days).Format(time.RFC3339)}, "to": {now.Format(time.RFC3339)}}
	var rep api.AnomalyReport
	if !p.Get(c, "/api/v1/audit/reports/anomalies", q, &rep) {
		return
	}
	var bg api.BreakGlassList
	if !p.Get(c, "/api/v1/break-glass", url.Values{"unreviewed": {"true"}}, &bg) {
		return
	}
	me, _ := authn.PrincipalFrom(c.Request.Context())
	page := reviewsPage{Days: days, From: rep.From, To: rep.To, HoursUnknown: rep.HoursUnknown, Sessions: bg.Sessions,
		CSRF: me.CSRF, failed: failed, form: f}
	for _, a := range rep.Items {
		if a.Review == nil {
			page.Open = append(page.Open, a)
		} else {
			page.Closed = append(page.Closed, a)
		}
	}
	p.Show(c, views, "reviews", "Reviews", "reviews", page)
}

// reviewPost closes one finding with compliance's note, or shows the
// queue again with the note as typed and the API's message beside it.
func (p pages) reviewPost(c *gin.Context, failed, apiPath string, body any, fields map[string]string, f *kit.Form, done string) {
	r := p.Call(c, http.MethodPost, apiPath, nil, body)
	if !r.OK() {
		switch {
		case r.Status == http.StatusConflict:
			f.Alert = "Already reviewed: " + r.Err.Message
			p.showReviews(c, failed, f)
			return
		case r.Status == http.StatusForbidden && r.Err.Code == "self_review":
			// Someone else must close it; the queue stays as it was.
			f.Alert = "Not yours to close: " + r.Err.Message
			p.showReviews(c, failed, f)
			return
		}
		if f.Apply(r, fields) {
			p.showReviews(c, failed, f)
			return
		}
		p.Fail(c, r)
		return
	}
	p.SetFlash(c, done, false)
	kit.Redirect(c, "/audit/reviews")
}

// closeAnomaly closes an anomaly of the report with a note.
func (p pages) closeAnomaly(c *gin.Context) {
	f := kit.NewForm(kit.PostForm(c))
	key := f.Get("key")
	p.reviewPost(c, "anomaly:"+key, "/api/v1/audit/reviews",
		api.ReviewBody{Key: key, Note: strings.TrimSpace(f.Get("note"))}, kit.NoteFields, f, "Reviewed and closed.")
}

// reviewFields are the break-glass review form's fields.
var reviewFields = map[string]string{"note": "note", "disposition": "disposition"}

// closeBreakGlass reviews a break-glass session with a note and a
// disposition, which closes it.
func (p pages) closeBreakGlass(c *gin.Context) {
	id, ok := p.IDParam(c, "sessionID")
	if !ok {
		return
	}
	f := kit.NewForm(kit.PostForm(c))
	p.reviewPost(c, "session:"+id, "/api/v1/break-glass/"+id+"/review",
		api.BreakGlassReviewBody{Note: strings.TrimSpace(f.Get("note")), Disposition: grant.Disposition(f.Get("disposition"))},
		reviewFields, f, "Break-glass session reviewed and closed.")
}
