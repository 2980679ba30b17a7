package console

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/gin-gonic/gin"
)

// anomaly is one finding of the anomaly report: the events behind it
// and, once closed, compliance's review.
type anomaly struct {
	Key   string `json:"key"`
	Kind  string `json:"kind"`
	Actor struct {
		Issuer  string `json:"issuer"`
		Subject string `json:"subject"`
		Role    string `json:"role"`
	} `json:"actor"`
	PracticeIDs []string  `json:"practice_ids"`
	EventIDs    []string  `json:"event_ids"`
	EventCount  int       `json:"event_count"`
	FirstAt     time.Time `json:"first_at"`
	LastAt      time.Time `json:"last_at"`
	Reason      string    `json:"reason"`
	Review      *struct {
		Note       string    `json:"note"`
		Reviewer   string    `json:"reviewer"`
		ReviewedAt time.Time `json:"reviewed_at"`
	} `json:"review"`
}

// breakGlass is a break-glass session as the API shows it.
type breakGlass struct {
	ID         string    `json:"id"`
	PracticeID string    `json:"practice_id"`
	PatientID  string    `json:"patient_id"`
	UserID     string    `json:"user_id"`
	Reason     string    `json:"reason"`
	OpenedAt   time.Time `json:"opened_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	Open       bool      `json:"open"`
}

type reviewsPage struct {
	Days         int
	From, To     time.Time
	HoursUnknown int
	Open, Closed []anomaly
	Sessions     []breakGlass
	CSRF         string
	failed       string
	form         *form
}

// FormFor returns the closing form of the anomaly or session named
// which: as typed when it was just refused, else empty.
func (p reviewsPage) FormFor(which string) *form {
	if which == p.failed && p.form != nil {
		return p.form
	}
	return newForm(nil)
}

// reviewWindows are the report's windows offered, in days.
var reviewWindows = []int{7, 30, 90}

// reviews is compliance's queue: the anomalies of the window and the
// break-glass sessions not yet reviewed, each closed with a note.
func (con *Console) reviews(c *gin.Context) { con.showReviews(c, "", nil) }

func (con *Console) showReviews(c *gin.Context, failed string, f *form) {
	days, _ := strconv.Atoi(c.Query("days"))
	if days < 1 || days > 92 {
		days = reviewWindows[0]
	}
	now := con.d.Now().UTC()
	q := url.Values{"from": {now.AddDate(0, 0, -days).Format(time.RFC3339)}, "to": {now.Format(time.RFC3339)}}
	var rep struct {
		From, To     time.Time
		HoursUnknown int       `json:"hours_unknown"`
		Items        []anomaly `json:"items"`
	}
	if !con.get(c, "/api/v1/audit/reports/anomalies", q, &rep) {
		return
	}
	var bg struct {
		Sessions []breakGlass `json:"sessions"`
	}
	if !con.get(c, "/api/v1/break-glass", url.Values{"unreviewed": {"true"}}, &bg) {
		return
	}
	p, _ := authn.PrincipalFrom(c.Request.Context())
	page := reviewsPage{Days: days, From: rep.From, To: rep.To, HoursUnknown: rep.HoursUnknown, Sessions: bg.Sessions,
		CSRF: p.CSRF, failed: failed, form: f}
	for _, a := range rep.Items {
		if a.Review == nil {
			page.Open = append(page.Open, a)
		} else {
			page.Closed = append(page.Closed, a)
		}
	}
	con.render(c, http.StatusOK, "reviews", con.page(c, "Reviews", "reviews", page))
}

// reviewPost closes one finding with compliance's note, or shows the
// queue again with the note as typed and the API's message beside it.
func (con *Console) reviewPost(c *gin.Context, failed, apiPath string, body map[string]any, fields map[string]string, f *form, done string) {
	r := con.call(c, http.MethodPost, apiPath, nil, body)
	if !r.ok() {
		switch {
		case r.Status == http.StatusConflict:
			f.Alert = "Already reviewed: " + r.Err.Message
			con.showReviews(c, failed, f)
			return
		case r.Status == http.StatusForbidden && r.Err.Code == "self_review":
			// Someone else must close it; the queue stays as it was.
			f.Alert = "Not yours to close: " + r.Err.Message
			con.showReviews(c, failed, f)
			return
		}
		if f.apply(r, fields) {
			con.showReviews(c, failed, f)
			return
		}
		con.fail(c, r)
		return
	}
	con.setFlash(c, done, false)
	redirect(c, "/audit/reviews")
}

// closeAnomaly closes an anomaly of the report with a note.
func (con *Console) closeAnomaly(c *gin.Context) {
	f := newForm(postForm(c))
	key := f.Get("key")
	con.reviewPost(c, "anomaly:"+key, "/api/v1/audit/reviews",
		map[string]any{"key": key, "note": strings.TrimSpace(f.Get("note"))}, noteFields, f, "Reviewed and closed.")
}

// reviewFields are the break-glass review form's fields.
var reviewFields = map[string]string{"note": "note", "disposition": "disposition"}

// closeBreakGlass reviews a break-glass session with a note and a
// disposition, which closes it.
func (con *Console) closeBreakGlass(c *gin.Context) {
	id := c.Param("sessionID")
	if !validID.MatchString(id) {
		con.notFound(c)
		return
	}
	f := newForm(postForm(c))
	con.reviewPost(c, "session:"+id, "/api/v1/break-glass/"+id+"/review",
		map[string]any{"note": strings.TrimSpace(f.Get("note")), "disposition": f.Get("disposition")}, reviewFields, f,
		"Break-glass session reviewed and closed.")
}

// dueGrant is a grant due for re-certification.
type dueGrant struct {
	GrantID     string        `json:"grant_id"`
	PracticeID  string        `json:"practice_id"`
	GranteeType string        `json:"grantee_type"`
	GranteeID   string        `json:"grantee_id"`
	Kinds       []policy.Kind `json:"kinds"`
	ReviewDueAt time.Time     `json:"review_due_at"`
	ValidUntil  time.Time     `json:"valid_until"`
	Overdue     bool          `json:"overdue"`
}

type accessReviewsPage struct {
	WithinDays int        `json:"within_days"`
	Overdue    int        `json:"overdue"`
	Items      []dueGrant `json:"items"`
	Form       *form      `json:"-"`
}

// accessReviews lists the grants whose re-certification is due within
// the days asked for, overdue first, across practices.
func (con *Console) accessReviews(c *gin.Context) {
	f := newForm(url.Values{"within_days": {c.DefaultQuery("within_days", "14")}})
	p := accessReviewsPage{Form: f}
	n, err := strconv.Atoi(strings.TrimSpace(f.Get("within_days")))
	if err != nil || n < 0 || n > 365 {
		f.refuse("within_days", "Enter a number of days from 0 to 365.")
		con.render(c, http.StatusOK, "accessreviews", con.page(c, "Access reviews", "access-reviews", p))
		return
	}
	r := con.call(c, http.MethodGet, "/api/v1/audit/access-reviews", url.Values{"within_days": {strconv.Itoa(n)}}, nil)
	if !r.ok() {
		if f.apply(r, map[string]string{"within_days": "within_days"}) {
			con.render(c, http.StatusOK, "accessreviews", con.page(c, "Access reviews", "access-reviews", p))
			return
		}
		con.fail(c, r)
		return
	}
	if r.decode(&p) != nil {
		con.broken(c, r)
		return
	}
	con.render(c, http.StatusOK, "accessreviews", con.page(c, "Access reviews", "access-reviews", p))
}

// verification is a check of the whole log and what it found.
type verification struct {
	At             time.Time `json:"at"`
	OK             bool      `json:"ok"`
	Leaves         int64     `json:"leaves"`
	Checkpoints    int64     `json:"checkpoints"`
	CheckpointSize int64     `json:"checkpoint_size"`
	Problem        string    `json:"problem"`
	RequestedBy    string    `json:"requested_by"`
}

type integrityPage struct {
	Checkpoint       *checkpoint   `json:"checkpoint"`
	LastVerification *verification `json:"last_verification"`
	CanVerify        bool          `json:"-"`
}

// integrity is the log's state: the latest signed checkpoint and the
// last verification, with a button to verify the whole log now.
func (con *Console) integrity(c *gin.Context) {
	var p integrityPage
	if !con.get(c, "/api/v1/audit/integrity", nil, &p) {
		return
	}
	p.CanVerify = con.allowed(c, access.ReviewBreakGlass)
	con.render(c, http.StatusOK, "integrity", con.page(c, "Log integrity", "integrity", p))
}

// verifyLog recomputes the log from every stored event now, and says
// what came of it; the panel then shows it as the last verification.
func (con *Console) verifyLog(c *gin.Context) {
	r := con.call(c, http.MethodPost, "/api/v1/audit/verifications", nil, nil)
	if !r.ok() {
		con.fail(c, r)
		return
	}
	var v verification
	if r.decode(&v) != nil {
		con.broken(c, r)
		return
	}
	if v.OK {
		con.setFlash(c, fmt.Sprintf("Verified: %d events and %d checkpoints are intact.", v.Leaves, v.Checkpoints), false)
	} else {
		con.setFlash(c, "Verification FAILED: "+v.Problem, true)
	}
	redirect(c, "/audit/integrity")
}
