package audit

import (
	"net/http"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/config"
	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/gin-gonic/gin"
)

var policyFields = []string{"retention_days", "minimum_retention_days", "keep_since", "deletes_events"}

// policy reports the audit trail's retention. Backdesk deletes no event
// (the tables refuse it); the answer is the rule an operator's archival
// must follow, stated where the trail is read.
func (a *API) policy(c *gin.Context) {
	ev := newEvent(c, audit.ActionRead, policyFields)
	if !a.record(c, ev, nil) {
		return
	}
	now := time.Now().UTC().Truncate(time.Second)
	c.JSON(http.StatusOK, api.RetentionPolicy{
		RetentionDays:        a.retentionDays,
		MinimumRetentionDays: config.MinAuditRetentionDays,
		KeepSince:            now.AddDate(0, 0, -a.retentionDays),
		DeletesEvents:        false,
	})
}
