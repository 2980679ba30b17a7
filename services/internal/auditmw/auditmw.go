// Package auditmw is the HTTP side of auditing. It builds audit events
// from requests: who (the principal, as the identity layer established
// it), from where, and the request and trace ids that tie the event to
// logs and traces. It is also the one place where a request is recorded
// and then answered (Then, Send), and where a patient read is projected
// and recorded (StartRead) for the routes declared as returning PHI.
package auditmw

import (
	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/logging"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/gin-gonic/gin"
	"go.opentelemetry.io/otel/trace"
)

// ActorFrom returns the audit actor of the request's principal.
func ActorFrom(c *gin.Context) audit.Actor {
	p, _ := authn.PrincipalFrom(c.Request.Context())
	a := audit.Actor{Issuer: p.Issuer, Subject: p.Subject, SessionRef: p.SessionRef, IP: c.ClientIP(), UserAgent: clip(c.Request.UserAgent(), 200)}
	if len(p.Roles) > 0 {
		a.Role = string(p.Roles[0])
	}
	return a
}

// Event starts an event for this request with the given action; the
// caller adds practice, patients, fields, outcome and reason.
func Event(c *gin.Context, action audit.Action) audit.Event {
	ctx := c.Request.Context()
	e := audit.Event{Actor: ActorFrom(c), Action: action, RequestID: logging.RequestID(ctx)}
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		e.TraceID = sc.TraceID().String()
	}
	return e
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
