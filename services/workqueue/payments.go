package workqueue

import (
	"errors"
	"html/template"
	"io"
	"net/http"
	"time"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/message"
	"github.com/backdesk/backdesk/pkg/payment"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/backdesk/backdesk/pkg/statement"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/backdesk/backdesk/services/internal/auditmw"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/backdesk/backdesk/services/internal/authz"
	"github.com/gin-gonic/gin"
)

// PaymentWebhooks checks a payment provider's signed webhooks;
// stripe.Client is one.
type PaymentWebhooks interface {
	VerifyWebhook(payload []byte, sigHeader string, now time.Time) (payment.Event, error)
}

// StripeWebhookPath is where Stripe posts its events.
const StripeWebhookPath = "/api/v1/payments/stripe/webhook"

// mountPayLink registers the agent's "send pay link" on a balance item.
func (a *API) mountPayLink(r gin.IRouter, item authz.Resolver) {
	if a.d.Billing == nil {
		return
	}
	mine := authz.Policy{Action: access.WorkOwnQueue, Resolve: item}
	a.d.Guard.Handle(r, http.MethodPost, "/api/v1/work/items/:itemID/payment-link", mine, a.sendPayLink)
}

// sendPayLink makes a payment link for what the balance owes and sends it
// to the patient by text or e-mail, as the outcome "sent".
func (a *API) sendPayLink(c *gin.Context) {
	var in SendBody
	if err := web.DecodeJSON(c, &in); err != nil {
		web.Fail(c, err)
		return
	}
	ctx := c.Request.Context()
	p, _ := authn.PrincipalFrom(ctx)
	_, res, _ := authz.DecisionFrom(ctx)
	ref := work.Ref{PracticeID: res.PracticeID, PatientID: res.PatientID, Kind: res.Kind}
	m, v, err := a.d.Billing.SendLink(ctx, ref, res.WorkItemID, p.UserID, message.SendInput{Channel: in.Channel,
		NextContactAt: in.NextContactAt, Note: in.Note, Version: in.Version}, auditmw.By(c))
	if errors.Is(err, work.ErrNotYours) {
		a.d.Guard.Deny(c, c.Request.Method, res, work.ErrNotYours.Code, work.ErrNotYours.Message)
		return
	}
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"message": messageModel(m), "version": v})
}

// mountPaymentWebhooks registers the provider's webhook, which needs no
// session: each event is checked against its signature.
func (a *API) mountPaymentWebhooks(r gin.IRouter) {
	if a.d.Billing == nil {
		return
	}
	r.POST(StripeWebhookPath, a.stripeWebhook)
}

// stripeWebhook applies a signed event. A bad or replayed signature is
// refused with 400 and logged without the payload; an event Backdesk does
// not act on is acknowledged.
func (a *API) stripeWebhook(c *gin.Context) {
	if a.d.PaymentWebhooks == nil {
		web.Fail(c, &apperr.Error{Kind: apperr.KindNotFound, Code: "no_payment_provider", Message: "payments do not go through a provider that calls back here"})
		return
	}
	body, err := io.ReadAll(io.LimitReader(c.Request.Body, 1<<20))
	if err != nil {
		web.Fail(c, apperr.Invalid("body", "unreadable", "the body could not be read"))
		return
	}
	ev, err := a.d.PaymentWebhooks.VerifyWebhook(body, c.GetHeader("Stripe-Signature"), a.d.Now())
	switch {
	case errors.Is(err, payment.ErrIgnored):
		c.Status(http.StatusNoContent)
		return
	case err != nil:
		a.d.Log.WarnContext(c.Request.Context(), "payment webhook refused", "route", c.FullPath(), "error", err.Error())
		web.Fail(c, apperr.Invalid("Stripe-Signature", "bad_signature", "the event's signature does not check"))
		return
	}
	if _, err := a.d.Billing.Apply(c.Request.Context(), ev); err != nil {
		web.Fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

var devPayTmpl = template.Must(template.New("devpay").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Dev checkout</title></head><body><main>
{{- if .Found}}
<h1>Dev checkout</h1>
<p>This page stands in for the payment company's in development: no money moves.</p>
<p>{{.Description}}: <strong>{{.Amount}}</strong> ({{.State}})</p>
{{- if eq .State "open"}}
<form method="post" action="{{.Action}}/complete"><button type="submit">Pay {{.Amount}}</button></form>
<form method="post" action="{{.Action}}/fail"><button type="submit">Decline the card</button></form>
{{- end}}
{{- else}}<h1>No such checkout</h1>{{end}}
</main></body></html>`))

// mountDevPay registers the dev payment provider's checkout page, where
// the dev provider is the configured one.
func (a *API) mountDevPay(r gin.IRouter) {
	if a.d.Billing == nil {
		return
	}
	if _, ok := a.d.Billing.Provider().(*payment.DevProvider); !ok {
		return
	}
	r.GET(payment.DevPayPath+":session", a.devPayPage)
	r.POST(payment.DevPayPath+":session/:outcome", a.devPay)
}

func (a *API) devPayPage(c *gin.Context) {
	dev := a.d.Billing.Provider().(*payment.DevProvider)
	s, ok := dev.Session(c.Param("session"))
	linkHeaders(c)
	if !ok {
		c.Status(http.StatusNotFound)
	}
	_ = devPayTmpl.Execute(c.Writer, gin.H{"Found": ok, "Description": s.Request.Description, "Amount": statement.FormatCents(s.Request.AmountCents),
		"State": string(s.State), "Action": payment.DevPayPath + c.Param("session")})
}

// devPay completes or declines a dev checkout and applies its event as
// a webhook's would be, then sends the patient back as the provider does.
func (a *API) devPay(c *gin.Context) {
	dev := a.d.Billing.Provider().(*payment.DevProvider)
	id := c.Param("session")
	s, ok := dev.Session(id)
	if !ok {
		web.Fail(c, apperr.NotFound("dev checkout"))
		return
	}
	var ev payment.Event
	var err error
	back := s.Request.SuccessURL
	switch c.Param("outcome") {
	case "complete":
		ev, err = dev.Complete(id)
	case "fail":
		ev, err = dev.Fail(id)
		back = s.Request.CancelURL
	default:
		web.Fail(c, apperr.NotFound("dev checkout action"))
		return
	}
	if err != nil {
		web.Fail(c, apperr.Conflict("closed", err.Error(), err))
		return
	}
	if _, err := a.d.Billing.Apply(c.Request.Context(), ev); err != nil {
		web.Fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, back)
}
