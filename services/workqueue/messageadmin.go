package workqueue

import (
	"net/http"
	"time"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/message"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/backdesk/backdesk/services/internal/auditmw"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/backdesk/backdesk/services/internal/authz"
	"github.com/gin-gonic/gin"
)

// TemplateModel is a template as practice admins edit it.
type TemplateModel struct {
	Key     string `json:"key"`
	Name    string `json:"name"`
	Channel string `json:"channel"`
	Subject string `json:"subject,omitempty"`
	Body    string `json:"body"`
	// Own is set when the practice replaced the default.
	Own bool `json:"own"`
}

// ProblemsWindow is how far back failed messages are listed.
const ProblemsWindow = 90 * 24 * time.Hour

// mountMessageAdmin registers a practice's message settings, templates
// and problems for its admins.
func (a *API) mountMessageAdmin(r gin.IRouter) {
	if a.d.MessageAdmin == nil || a.d.Messages == nil {
		return
	}
	g := a.d.Guard
	const base = "/api/v1/work/practices/:practiceID/messages"
	read := authz.Policy{Action: access.ReadPractice, Resolve: authz.Practice("practiceID")}
	admin := authz.Policy{Action: access.AdministerPractice, Resolve: authz.Practice("practiceID")}
	g.Handle(r, http.MethodGet, base, read, a.messageSetup)
	g.Handle(r, http.MethodPut, base+"/settings", admin, a.putMessageSettings)
	g.Handle(r, http.MethodPost, base+"/templates/check", read, a.checkTemplate)
	g.Handle(r, http.MethodPut, base+"/templates/:channel/:key", admin, a.putTemplate)
	g.Handle(r, http.MethodDelete, base+"/templates/:channel/:key", admin, a.resetTemplate)
	g.Handle(r, http.MethodGet, base+"/problems", admin, a.messageProblems)
}

// messageSetup is the practice's settings, its templates (its own and
// the defaults it kept) and the placeholders each channel allows.
func (a *API) messageSetup(c *gin.Context) {
	ctx := c.Request.Context()
	id := c.Param("practiceID")
	st, err := a.d.MessageAdmin.Store().Settings(ctx, id)
	if err != nil {
		web.Fail(c, err)
		return
	}
	ts, err := a.d.Messages.Templates(ctx, id)
	if err != nil {
		web.Fail(c, err)
		return
	}
	out := make([]TemplateModel, 0, len(ts))
	for _, t := range ts {
		out = append(out, TemplateModel{Key: t.Key, Name: t.Name, Channel: string(t.Channel), Subject: t.Subject, Body: t.Body, Own: !message.IsDefault(t)})
	}
	c.JSON(http.StatusOK, gin.H{"settings": st, "templates": out,
		"placeholders": gin.H{"text": message.Allowed(message.Text), "email": message.Allowed(message.Email)}})
}

func (a *API) putMessageSettings(c *gin.Context) {
	var in message.Settings
	if err := web.DecodeJSON(c, &in); err != nil {
		web.Fail(c, err)
		return
	}
	if err := a.d.MessageAdmin.PutSettings(c.Request.Context(), c.Param("practiceID"), in, auditmw.By(c)); err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, in)
}

// templateBody is a template as the editor sends it.
type templateBody struct {
	Channel string `json:"channel"`
	Key     string `json:"key"`
	Name    string `json:"name"`
	Subject string `json:"subject"`
	Body    string `json:"body"`
}

// checkTemplate answers every problem of a template, or how it reads
// with sample values, without keeping it.
func (a *API) checkTemplate(c *gin.Context) {
	var in templateBody
	if err := web.DecodeJSON(c, &in); err != nil {
		web.Fail(c, err)
		return
	}
	prof, err := a.d.Practices.Profile(c.Request.Context(), c.Param("practiceID"))
	if err != nil {
		web.Fail(c, err)
		return
	}
	t := message.Template{Key: in.Key, Name: in.Name, Channel: message.Channel(in.Channel), Subject: in.Subject, Body: in.Body}
	c.JSON(http.StatusOK, message.Check(t, prof.Practice.Name, prof.Phone))
}

func (a *API) putTemplate(c *gin.Context) {
	var in templateBody
	if err := web.DecodeJSON(c, &in); err != nil {
		web.Fail(c, err)
		return
	}
	p, _ := authn.PrincipalFrom(c.Request.Context())
	t := message.Template{Key: c.Param("key"), Name: in.Name, Channel: message.Channel(c.Param("channel")), Subject: in.Subject, Body: in.Body}
	checked, err := a.d.MessageAdmin.PutTemplate(c.Request.Context(), c.Param("practiceID"), p.UserID, t, auditmw.By(c))
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, checked)
}

func (a *API) resetTemplate(c *gin.Context) {
	ok, err := a.d.MessageAdmin.ResetTemplate(c.Request.Context(), c.Param("practiceID"), c.Param("key"), message.Channel(c.Param("channel")), auditmw.By(c))
	switch {
	case err != nil:
		web.Fail(c, err)
	case !ok:
		web.Fail(c, apperr.NotFound("practice's own template"))
	default:
		c.Status(http.StatusNoContent)
	}
}

// messageProblems lists opt-outs and undelivered messages with the
// patients' names: a read of patient data, recorded before it is
// answered.
func (a *API) messageProblems(c *gin.Context) {
	ctx := c.Request.Context()
	id := c.Param("practiceID")
	now := a.d.Now()
	p, err := a.d.MessageAdmin.Store().Problems(ctx, id, now.Add(-ProblemsWindow), now)
	if err != nil {
		web.Fail(c, err)
		return
	}
	ev := auditmw.Event(c, audit.ActionRead)
	ev.PracticeID, ev.Outcome, ev.Reason, ev.Fields = id, audit.OutcomeAllow, "message problems", []string{"first_name", "last_name"}
	seen := map[string]bool{}
	optOuts := make([]gin.H, 0, len(p.OptOuts))
	for _, o := range p.OptOuts {
		optOuts = append(optOuts, gin.H{"channel": o.Channel, "patient_id": o.PatientID, "patient_name": o.PatientName, "source": o.Source, "at": o.At})
		if o.PatientID != "" && !seen[o.PatientID] {
			seen[o.PatientID] = true
			ev.PatientIDs = append(ev.PatientIDs, o.PatientID)
		}
	}
	failures := make([]gin.H, 0, len(p.Failures))
	for _, f := range p.Failures {
		failures = append(failures, gin.H{"message_id": f.MessageID, "patient_id": f.PatientID, "patient_name": f.PatientName, "item_id": f.WorkItemID,
			"channel": f.Channel, "template": f.TemplateKey, "state": f.State, "error": f.Error, "at": f.At})
		if !seen[f.PatientID] {
			seen[f.PatientID] = true
			ev.PatientIDs = append(ev.PatientIDs, f.PatientID)
		}
	}
	auditmw.Then(c, a.d.Recorder, ev, func() { c.JSON(http.StatusOK, gin.H{"opt_outs": optOuts, "failures": failures}) }, nil)
}
