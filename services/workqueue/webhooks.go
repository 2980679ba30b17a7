package workqueue

import (
	"html/template"
	"net/http"
	"net/url"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/message"
	"github.com/backdesk/backdesk/pkg/message/sms/twilio"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/backdesk/backdesk/services/internal/auditmw"
	"github.com/backdesk/backdesk/services/internal/authz"
	"github.com/gin-gonic/gin"
)

// TextWebhooks checks a text provider's signed callbacks; twilio.Client
// is one.
type TextWebhooks interface {
	Verify(r *http.Request, publicURL string) (url.Values, error)
}

// mountPatientFacing registers what patients and providers reach without
// signing in: the provider's signed callbacks and the one-click
// unsubscribe link. Each checks what it is given (a signature, a link's
// token) before it changes anything.
func (a *API) mountPatientFacing(r gin.IRouter) {
	if a.d.Messages == nil {
		return
	}
	r.POST(message.StatusPath, a.textStatus)
	r.POST(message.InboundPath, a.textInbound)
	r.GET("/m/unsubscribe/:token", a.unsubscribePage)
	r.POST("/m/unsubscribe/:token", a.unsubscribe)
	r.GET("/m/:token", a.linkPage)
	r.POST("/m/:token", a.verifyLink)
}

// verified checks the callback's signature against the URL the provider
// was given; a refusal is logged (without the request's values) and
// answered 403.
func (a *API) verified(c *gin.Context) (url.Values, bool) {
	if a.d.TextWebhooks == nil {
		web.Fail(c, &apperr.Error{Kind: apperr.KindNotFound, Code: "no_text_provider", Message: "texts do not go through a provider that calls back here"})
		return nil, false
	}
	public := a.d.PublicURL + c.Request.URL.Path
	if q := c.Request.URL.RawQuery; q != "" {
		public += "?" + q
	}
	form, err := a.d.TextWebhooks.Verify(c.Request, public)
	if err != nil {
		a.d.Log.WarnContext(c.Request.Context(), "text provider callback refused", "route", c.FullPath(), "error", err.Error())
		web.Fail(c, &apperr.Error{Kind: apperr.KindForbidden, Code: "bad_signature", Message: "the callback's signature does not check"})
		return nil, false
	}
	return form, true
}

// textStatus applies a delivery receipt.
func (a *API) textStatus(c *gin.Context) {
	form, ok := a.verified(c)
	if !ok {
		return
	}
	st, err := twilio.ParseStatus(form)
	if err != nil {
		web.Fail(c, apperr.Invalid("body", "bad_callback", "%s", err.Error()))
		return
	}
	if _, err := a.d.Messages.Status(c.Request.Context(), c.Query("message"), st); err != nil {
		web.Fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// textInbound applies a patient's text. The answer is empty TwiML: any
// answer to a keyword is queued as a message of its own.
func (a *API) textInbound(c *gin.Context) {
	form, ok := a.verified(c)
	if !ok {
		return
	}
	in, err := twilio.ParseInbound(form)
	if err != nil {
		web.Fail(c, apperr.Invalid("body", "bad_callback", "%s", err.Error()))
		return
	}
	if _, err := a.d.Messages.Receive(c.Request.Context(), in); err != nil {
		web.Fail(c, err)
		return
	}
	c.Data(http.StatusOK, "text/xml; charset=utf-8", []byte(`<?xml version="1.0" encoding="UTF-8"?><Response></Response>`))
}

var unsubscribeTmpl = template.Must(template.New("u").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Unsubscribe</title></head><body><main>
{{if .Done}}<h1>You are unsubscribed</h1><p>You will no longer receive e-mails from this practice through Backdesk. Calls about your account may still come from the office.</p>
{{else if .Unknown}}<h1>This link does not work</h1><p>It may have expired. Call your dental office to stop their e-mails.</p>
{{else}}<h1>Stop these e-mails?</h1><form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>{{end}}
</main></body></html>`))

// unsubscribePage asks before unsubscribing: mail scanners open links,
// and a GET must not act.
func (a *API) unsubscribePage(c *gin.Context) {
	c.Header("Referrer-Policy", "no-referrer")
	c.Header("Cache-Control", "no-store")
	c.Status(http.StatusOK)
	_ = unsubscribeTmpl.Execute(c.Writer, struct{ Done, Unknown bool }{})
}

// unsubscribe is the one-click POST of RFC 8058, from a mail program or
// the page's button.
func (a *API) unsubscribe(c *gin.Context) {
	c.Header("Referrer-Policy", "no-referrer")
	c.Header("Cache-Control", "no-store")
	ok, err := a.d.Messages.Unsubscribe(c.Request.Context(), c.Param("token"))
	if err != nil {
		web.Fail(c, err)
		return
	}
	status := http.StatusOK
	if !ok {
		status = http.StatusNotFound
	}
	c.Status(status)
	_ = unsubscribeTmpl.Execute(c.Writer, struct{ Done, Unknown bool }{ok, !ok})
}

// mountDevOutbox registers the dev outbox: the messages the dev provider
// took, for platform admins, and a reply as the patient would send it.
func (a *API) mountDevOutbox(r gin.IRouter) {
	if a.d.Messages == nil || !a.d.DevOutbox {
		return
	}
	g := a.d.Guard
	admin := authz.Policy{Action: access.ManagePlatform}
	g.Handle(r, http.MethodGet, "/api/v1/messages/outbox", admin, a.devOutbox)
	g.Handle(r, http.MethodPost, "/api/v1/messages/outbox/:messageID/reply", admin, a.devReply)
}

// devOutbox lists the latest messages; the read is audited, as it shows
// message bodies.
func (a *API) devOutbox(c *gin.Context) {
	ms, err := a.d.Messages.Store().Outbox(c.Request.Context(), 200)
	if err != nil {
		web.Fail(c, err)
		return
	}
	ev := auditmw.Event(c, audit.ActionRead)
	ev.Outcome, ev.Reason = audit.OutcomeAllow, "dev outbox"
	out := make([]gin.H, 0, len(ms))
	seen := map[string]bool{}
	for _, m := range ms {
		out = append(out, gin.H{"practice_id": m.PracticeID, "item_id": m.WorkItemID, "to": m.Address, "message": messageModel(m)})
		if !seen[m.PatientID] {
			seen[m.PatientID] = true
			ev.PatientIDs = append(ev.PatientIDs, m.PatientID)
		}
	}
	auditmw.Then(c, a.d.Recorder, ev, func() { c.JSON(http.StatusOK, gin.H{"messages": out}) }, nil)
}

// devReply answers a text as its patient.
func (a *API) devReply(c *gin.Context) {
	var in struct {
		Body string `json:"body"`
	}
	if err := web.DecodeJSON(c, &in); err != nil {
		web.Fail(c, err)
		return
	}
	got, err := a.d.Messages.ReplyAsPatient(c.Request.Context(), c.Param("messageID"), in.Body)
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"message_id": got.MessageID, "item_id": got.WorkItemID})
}
