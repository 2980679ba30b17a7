package workqueue

import (
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/billing"
	"github.com/backdesk/backdesk/pkg/message"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/statement"
	"github.com/backdesk/backdesk/services/internal/auditmw"
	"github.com/gin-gonic/gin"
)

// payTmpl is a payment link's page (docs/statements.md). Until the
// patient verifies, it says nothing about the patient, the practice or
// the amount; what was entered is never written back into it.
var payTmpl = template.Must(template.New("pay").Parse(patientHead + `
{{- if eq .State "verified"}}
<h1>Pay {{.PracticeName}}</h1>
<p>Amount due</p>
<p class="due">{{.Due}}</p>
<form method="post" action="{{.Action}}/checkout" novalidate>
<label for="amount">Amount to pay, in dollars</label>
<p id="amount-hint" class="hint">You can pay part of it, at least $1.00.</p>
{{- if .ProblemText}}
<p id="amount-error" class="error" role="alert"><span class="visually-hidden">Error: </span>{{.ProblemText}}</p>
{{- end}}
<input id="amount" class="amount" name="amount" inputmode="decimal" value="{{.DueNumber}}" aria-describedby="amount-hint{{if .ProblemText}} amount-error{{end}}"{{if .ProblemText}} aria-invalid="true"{{end}}>
<p>You will pay on the payment company's secure page; {{.PracticeName}} never sees your card.</p>
<button type="submit">Continue to payment</button>
</form>
{{- if .PracticePhone}}<p>Questions? Call {{.PracticeName}} at {{.PracticePhone}}.</p>{{end}}
{{- else if eq .State "ask"}}
<h1>Confirm it is you</h1>
<p>To see what is due and pay, enter your date of birth.</p>
<form method="post" action="{{.Action}}" novalidate>
` + birthDateFields + `
</form>
{{- else if eq .State "paid"}}
<h1>Thank you</h1>
<p>Your payment has been received. This link has been used.</p>
{{- else if eq .State "thanks"}}
<h1>Thank you</h1>
<p>Your payment is on its way. You can close this page.</p>
` + patientEnd))

type payView struct {
	billing.Page
	State, Title, ProblemText, Action, Due, DueNumber string
}

// mountPay registers the payment link's page.
func (a *API) mountPay(r gin.IRouter) {
	if a.d.Billing == nil {
		return
	}
	r.GET(billing.PayPath+":token", a.payPage)
	r.POST(billing.PayPath+":token", a.payVerify)
	r.POST(billing.PayPath+":token/checkout", a.payCheckout)
}

func (a *API) payPage(c *gin.Context) {
	if c.Query("paid") != "" {
		a.renderPay(c, billing.Page{State: "thanks"}, "")
		return
	}
	p, err := a.d.Billing.Open(c.Request.Context(), c.Param("token"))
	if err != nil {
		a.payFailed(c, err)
		return
	}
	a.renderPay(c, p, "")
}

func (a *API) payVerify(c *gin.Context) {
	dob, _ := message.BirthDate(c.PostForm("month"), c.PostForm("day"), c.PostForm("year"), time.Now())
	p, err := a.d.Billing.Verify(c.Request.Context(), c.Param("token"), dob, auditmw.By(c))
	if err != nil {
		a.payFailed(c, err)
		return
	}
	a.renderPay(c, p, "")
}

// payCheckout sends the patient to the provider's checkout for the
// amount chosen; a problem with it shows next to the field.
func (a *API) payCheckout(c *gin.Context) {
	ctx := c.Request.Context()
	token := c.Param("token")
	cents, ok := dollars(c.PostForm("amount"))
	if !ok {
		cents = -1
	}
	url, err := a.d.Billing.Checkout(ctx, token, cents, auditmw.By(c))
	var ae *apperr.Error
	switch {
	case err == nil:
		c.Redirect(http.StatusSeeOther, url)
	case errors.As(err, &ae) && ae.Field == "amount":
		p, err := a.d.Billing.Open(ctx, token)
		if err != nil {
			a.payFailed(c, err)
			return
		}
		// The page was verified moments ago; show it again with the
		// amount's problem.
		page, perr := a.d.Billing.Reverified(ctx, token)
		if perr != nil || page.State != billing.PageVerified {
			a.renderPay(c, p, "")
			return
		}
		a.renderPay(c, page, "Enter an amount between $1.00 and the amount due, such as 25.00.")
	case errors.As(err, &ae) && ae.Field == "date_of_birth":
		p, err := a.d.Billing.Open(ctx, token)
		if err != nil {
			a.payFailed(c, err)
			return
		}
		a.renderPay(c, p, "For your security, confirm your date of birth again.")
	default:
		a.payFailed(c, err)
	}
}

func (a *API) renderPay(c *gin.Context, p billing.Page, problem string) {
	v := payView{Page: p, State: string(p.State), Action: billing.PayPath + c.Param("token"), ProblemText: problem}
	status := http.StatusOK
	switch p.State {
	case billing.PageVerified:
		v.Title, v.Due, v.DueNumber = "Pay "+p.PracticeName, statement.FormatCents(p.AmountCents), strings.TrimPrefix(statement.FormatCents(p.AmountCents), "$")
		v.DueNumber = strings.ReplaceAll(v.DueNumber, ",", "")
	case billing.PageAsk:
		v.Title = "Confirm it is you"
		switch p.Problem {
		case "mismatch":
			v.ProblemText, status = "That does not match. Check the date and try again; "+strconv.Itoa(p.TriesLeft)+" tries left.", http.StatusUnprocessableEntity
		case "invalid":
			v.ProblemText, status = "Enter your date of birth as numbers: month, day and year.", http.StatusUnprocessableEntity
		}
	case billing.PageLocked:
		v.Title, status = "This link is locked", http.StatusForbidden
	case billing.PagePaid, "thanks":
		v.Title = "Thank you"
	default:
		v.State, v.Title, status = "unknown", "This link does not work", http.StatusNotFound
	}
	linkHeaders(c)
	c.Status(status)
	_ = payTmpl.Execute(c.Writer, v)
}

func (a *API) payFailed(c *gin.Context, err error) {
	a.d.Log.ErrorContext(c.Request.Context(), "payment link page failed", "route", c.FullPath(), "error", err.Error())
	linkHeaders(c)
	c.Status(http.StatusServiceUnavailable)
	_ = payTmpl.Execute(c.Writer, payView{State: "error", Title: "Something went wrong"})
}

// dollars reads "125", "125.5", "$1,250.00" as cents.
func dollars(s string) (int64, bool) {
	s = strings.ReplaceAll(strings.TrimPrefix(strings.TrimSpace(s), "$"), ",", "")
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(frac) > 2 || strings.Trim(whole, "0123456789") != "" || strings.Trim(frac, "0123456789") != "" {
		return 0, false
	}
	for len(frac) < 2 {
		frac += "0"
	}
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	return n, err == nil && len(whole) <= 9
}
