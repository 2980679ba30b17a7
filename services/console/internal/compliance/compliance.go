// Package compliance is the compliance officer's part of the console:
// the audit trail's search and exports, a patient's access report (and
// its CSV), each event with a check of its inclusion proof, the review
// queue (anomalies and break-glass sessions, each closed with a note),
// the grants due for re-certification, and the log's integrity with a
// verification on demand. Practice admins use the search, the access
// report and the event page within their practices, as the API scopes
// them.
package compliance

import (
	"embed"
	"net/http"

	"github.com/backdesk/backdesk/services/console/internal/kit"
	"github.com/gin-gonic/gin"
)

//go:embed templates
var templateFS embed.FS

// views are compliance's pages.
var views = kit.Parse(templateFS, map[string][]string{
	"audit": nil, "event": nil, "patient": nil, "reviews": nil, "accessreviews": nil, "integrity": nil,
})

// pages serves compliance's pages.
type pages struct{ *kit.Kit }

// Mount registers compliance's pages on r.
func Mount(k *kit.Kit, r gin.IRouter) {
	p := pages{k}
	k.Handle(r, http.MethodGet, "/audit", p.audit)
	k.Handle(r, http.MethodGet, "/audit/export", p.auditExport)
	k.Handle(r, http.MethodGet, "/audit/events/:eventID", p.auditEvent)
	k.Handle(r, http.MethodGet, "/audit/reviews", p.reviews)
	k.Handle(r, http.MethodPost, "/audit/reviews", p.closeAnomaly)
	k.Handle(r, http.MethodPost, "/audit/break-glass/:sessionID/review", p.closeBreakGlass)
	k.Handle(r, http.MethodGet, "/audit/access-reviews", p.accessReviews)
	k.Handle(r, http.MethodGet, "/audit/integrity", p.integrity)
	k.Handle(r, http.MethodPost, "/audit/verifications", p.verifyLog)
}
