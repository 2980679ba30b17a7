package auditmw

import (
	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/gin-gonic/gin"
)

// By starts the event of a change the request asks for: the actor, request
// and trace ids. The domain completes it (audit.Change: action, object,
// time) and the store writes it in the transaction of the change.
func By(c *gin.Context) audit.Event { return Event(c, "") }
