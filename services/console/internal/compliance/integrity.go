package compliance

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/services/console/internal/kit"
	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/gin-gonic/gin"
)

type accessReviewsPage struct {
	api.AccessReviews
	Form *kit.Form
}

// accessReviews lists the grants whose re-certification is due within
// the days asked for, overdue first, across practices.
func (p pages) accessReviews(c *gin.Context) {
	f := kit.NewForm(url.Values{"within_days": {c.DefaultQuery("within_days", "14")}})
	page := accessReviewsPage{Form: f}
	show := func() { p.Show(c, views, "accessreviews", "Access reviews", "access-reviews", page) }
	n, err := strconv.Atoi(strings.TrimSpace(f.Get("within_days")))
	if err != nil || n < 0 || n > 365 {
		f.Refuse("within_days", "Enter a number of days from 0 to 365.")
		show()
		return
	}
	r := p.Call(c, http.MethodGet, "/api/v1/audit/access-reviews", url.Values{"within_days": {strconv.Itoa(n)}}, nil)
	if !r.OK() {
		if f.Apply(r, map[string]string{"within_days": "within_days"}) {
			show()
			return
		}
		p.Fail(c, r)
		return
	}
	if r.Decode(&page.AccessReviews) != nil {
		p.Broken(c, r)
		return
	}
	show()
}

type integrityPage struct {
	api.Integrity
	CanVerify bool
}

// integrity is the log's state: the latest signed checkpoint and the
// last verification, with a button to verify the whole log now.
func (p pages) integrity(c *gin.Context) {
	var page integrityPage
	if !p.Get(c, "/api/v1/audit/integrity", nil, &page.Integrity) {
		return
	}
	page.CanVerify = p.Allowed(c, access.ReviewBreakGlass)
	p.Show(c, views, "integrity", "Log integrity", "integrity", page)
}

// verifyLog recomputes the log from every stored event now, and says
// what came of it; the panel then shows it as the last verification.
func (p pages) verifyLog(c *gin.Context) {
	r := p.Call(c, http.MethodPost, "/api/v1/audit/verifications", nil, nil)
	if !r.OK() {
		p.Fail(c, r)
		return
	}
	var v api.Verification
	if r.Decode(&v) != nil {
		p.Broken(c, r)
		return
	}
	if v.OK {
		p.SetFlash(c, fmt.Sprintf("Verified: %d events and %d checkpoints are intact.", v.Leaves, v.Checkpoints), false)
	} else {
		p.SetFlash(c, "Verification FAILED: "+v.Problem, true)
	}
	kit.Redirect(c, "/audit/integrity")
}
