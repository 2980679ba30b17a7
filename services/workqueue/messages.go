package workqueue

import (
	"errors"
	"net/http"
	"time"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/message"
	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/backdesk/backdesk/services/internal/auditmw"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/backdesk/backdesk/services/internal/authz"
	"github.com/gin-gonic/gin"
)

// MessageModel is one text or e-mail in an item's thread.
type MessageModel struct {
	ID        string     `json:"id"`
	Direction string     `json:"direction"`
	Channel   string     `json:"channel"`
	Template  string     `json:"template,omitempty"`
	Subject   string     `json:"subject,omitempty"`
	Body      string     `json:"body"`
	State     string     `json:"state"`
	Error     string     `json:"error,omitempty"`
	SentBy    string     `json:"sent_by"`
	CreatedAt time.Time  `json:"created_at"`
	SentAt    *time.Time `json:"sent_at,omitempty"`
}

func messageModel(m message.Message) MessageModel {
	return MessageModel{ID: m.ID, Direction: string(m.Direction), Channel: string(m.Channel), Template: m.TemplateKey,
		Subject: m.Subject, Body: message.Shown(m.Body), State: string(m.State), Error: m.Error, SentBy: m.ActorID,
		CreatedAt: m.CreatedAt, SentAt: m.SentAt}
}

// TemplateChoice is a template an agent may pick.
type TemplateChoice struct {
	Key     string `json:"key"`
	Name    string `json:"name"`
	Channel string `json:"channel"`
}

// SendBody is an agent's send from an item.
type SendBody struct {
	Channel       message.Channel `json:"channel"`
	Template      string          `json:"template"`
	NextContactAt *time.Time      `json:"next_contact_at"`
	Note          string          `json:"note"`
	Version       int             `json:"version"`
}

// mountMessages registers an item's messages: the templates to pick
// from, the preview, the send and the thread.
func (a *API) mountMessages(r gin.IRouter, item authz.Resolver) {
	if a.d.Messages == nil {
		return
	}
	g := a.d.Guard
	const base = "/api/v1/work/items/:itemID/messages"
	mine := authz.Policy{Action: access.WorkOwnQueue, Resolve: item}
	read := authz.Policy{Action: access.ReadPatient, Resolve: item}
	g.Handle(r, http.MethodGet, base, read, auditmw.PHI(http.MethodGet, base, a.d.Recorder, a.thread))
	g.Handle(r, http.MethodGet, base+"/preview", read, auditmw.PHI(http.MethodGet, base+"/preview", a.d.Recorder, a.preview))
	g.Handle(r, http.MethodPost, base, mine, a.sendMessage)
}

// thread is the item's messages, sent and received, oldest first.
func (a *API) thread(c *gin.Context) auditmw.Answer {
	ctx := c.Request.Context()
	d, res, _ := authz.DecisionFrom(ctx)
	read := auditmw.StartRead(c, d, res)
	ms, err := a.d.Messages.Store().Thread(ctx, res.PracticeID, res.WorkItemID)
	if err != nil {
		return read.Answer(nil, err)
	}
	out := make([]MessageModel, 0, len(ms))
	for _, m := range ms {
		out = append(out, messageModel(m))
	}
	ts, err := a.d.Messages.Templates(ctx, res.PracticeID)
	if err != nil {
		return read.Answer(nil, err)
	}
	choices := make([]TemplateChoice, 0, len(ts))
	for _, t := range ts {
		choices = append(choices, TemplateChoice{Key: t.Key, Name: t.Name, Channel: string(t.Channel)})
	}
	return read.Answer(gin.H{"messages": out, "templates": choices}, nil)
}

// preview is the message as it would go now, and whether a rule refuses
// it (and which).
func (a *API) preview(c *gin.Context) auditmw.Answer {
	ctx := c.Request.Context()
	d, res, _ := authz.DecisionFrom(ctx)
	read := auditmw.StartRead(c, d, res)
	ref := work.Ref{PracticeID: res.PracticeID, PatientID: res.PatientID, Kind: res.Kind}
	draft, err := a.d.Messages.Preview(ctx, ref, res.WorkItemID, message.Channel(c.Query("channel")), c.Query("template"))
	return read.Answer(draft, err)
}

// sendMessage sends a message from the item as its owner, with the
// outcome "sent": a refused send is 422 on field channel, naming the rule.
func (a *API) sendMessage(c *gin.Context) {
	var in SendBody
	if err := web.DecodeJSON(c, &in); err != nil {
		web.Fail(c, err)
		return
	}
	ctx := c.Request.Context()
	p, _ := authn.PrincipalFrom(ctx)
	_, res, _ := authz.DecisionFrom(ctx)
	ref := work.Ref{PracticeID: res.PracticeID, PatientID: res.PatientID, Kind: res.Kind}
	m, v, err := a.d.Messages.Send(ctx, ref, res.WorkItemID, p.UserID, message.SendInput{Channel: in.Channel, Template: in.Template,
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
