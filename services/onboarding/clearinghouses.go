package onboarding

import (
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/clearinghouse"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/backdesk/backdesk/services/internal/auditmw"
	"github.com/backdesk/backdesk/services/internal/authz"
	"github.com/gin-gonic/gin"
)

// MaxClearinghouseFile bounds an answer file uploaded by hand: a day's
// 271s for a large practice fit many times over.
const MaxClearinghouseFile = 64 << 20

// mountClearinghouses registers the clearinghouse routes: billing
// managers and platform admins configure connections and carry a manual
// connection's files; linking a practice sits under the practice's path.
func (a *API) mountClearinghouses(r gin.IRouter) {
	if a.clearinghouse == nil {
		return
	}
	g := a.guard
	manage := authz.Policy{Action: access.ManageClearinghouses}
	const base = "/api/v1/clearinghouses"
	g.Handle(r, http.MethodGet, base, manage, a.listConnections)
	g.Handle(r, http.MethodPut, base+"/:connectionID", manage, a.putConnection)
	g.Handle(r, http.MethodGet, base+"/:connectionID/payers", manage, a.listPayers)
	g.Handle(r, http.MethodPut, base+"/:connectionID/payers", manage, a.putPayers)
	g.Handle(r, http.MethodGet, base+"/:connectionID/files", manage, a.listFiles)
	g.Handle(r, http.MethodGet, base+"/:connectionID/files/:fileID/content", manage, a.downloadFile)
	web.AllowBodyOn(r, http.MethodPost, base+"/:connectionID/files", MaxClearinghouseFile)
	g.Handle(r, http.MethodPost, base+"/:connectionID/files", manage, a.uploadFile)
	g.Handle(r, http.MethodPost, base+"/:connectionID/exchange", manage, a.exchangeNow)
	g.Handle(r, http.MethodPut, "/api/v1/practices/:id/clearinghouse",
		authz.Policy{Action: access.ManageClearinghouses, Resolve: authz.Practice("id")}, a.linkPractice)
}

func connectionOut(c clearinghouse.Connection) api.Connection {
	return api.Connection{ID: c.ID, Name: c.Name, Mode: string(c.Mode), Address: c.Address, Username: c.Username,
		HostKey: c.HostKey, SecretRef: c.SecretRef, Outbound: c.Outbound, Inbound: c.Inbound, Archive: c.Archive,
		SenderQualifier: c.SenderQualifier, SenderID: c.SenderID, ReceiverQualifier: c.ReceiverQualifier,
		ReceiverID: c.ReceiverID, Production: c.Production, AnswerMinutes: int(c.AnswerWithin / time.Minute),
		AckMinutes: int(c.AckWithin / time.Minute), LastPollAt: c.LastPollAt, LastError: c.LastError}
}

func fileOut(f clearinghouse.File) api.ClearinghouseFile {
	return api.ClearinghouseFile{ID: f.ID, Direction: string(f.Direction), Name: f.Name, Kind: f.Kind,
		InterchangeControl: f.InterchangeControl, State: string(f.State), Note: f.Note, Patients: f.Patients,
		Size: f.Size, CreatedAt: f.CreatedAt, SentAt: f.SentAt, AckedAt: f.AckedAt}
}

func (a *API) listConnections(c *gin.Context) {
	conns, err := a.clearinghouse.Store().Connections(c.Request.Context())
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, orEmpty(api.Each(conns, connectionOut)))
}

func (a *API) putConnection(c *gin.Context) {
	var in api.Connection
	if err := web.DecodeJSON(c, &in); err != nil {
		web.Fail(c, err)
		return
	}
	conn := clearinghouse.Connection{ID: c.Param("connectionID"), Name: in.Name, Mode: clearinghouse.Mode(in.Mode),
		Address: in.Address, Username: in.Username, HostKey: in.HostKey, SecretRef: in.SecretRef, Outbound: in.Outbound,
		Inbound: in.Inbound, Archive: in.Archive, SenderQualifier: in.SenderQualifier, SenderID: in.SenderID,
		ReceiverQualifier: in.ReceiverQualifier, ReceiverID: in.ReceiverID, Production: in.Production,
		AnswerWithin: time.Duration(in.AnswerMinutes) * time.Minute, AckWithin: time.Duration(in.AckMinutes) * time.Minute}
	saved, err := a.clearinghouse.SaveConnection(c.Request.Context(), auditmw.By(c), conn)
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, connectionOut(saved))
}

func (a *API) listPayers(c *gin.Context) {
	payers, err := a.clearinghouse.Payers(c.Request.Context(), c.Param("connectionID"))
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, orEmpty(api.Each(payers, func(p clearinghouse.Payer) api.ClearinghousePayer { return api.ClearinghousePayer(p) })))
}

func (a *API) putPayers(c *gin.Context) {
	var in []api.ClearinghousePayer
	if err := web.DecodeJSON(c, &in); err != nil {
		web.Fail(c, err)
		return
	}
	payers := make([]clearinghouse.Payer, len(in))
	for i, p := range in {
		payers[i] = clearinghouse.Payer(p)
	}
	if err := a.clearinghouse.SavePayers(c.Request.Context(), auditmw.By(c), c.Param("connectionID"), payers); err != nil {
		web.Fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// listFiles lists a connection's files, newest first, without their
// content: names, kinds, control numbers, states and notes carry no
// patient data. ?control= finds the files of one interchange control
// number instead.
func (a *API) listFiles(c *gin.Context) {
	limit, err := strconv.Atoi(c.DefaultQuery("limit", "100"))
	if err != nil || limit < 1 || limit > 1000 {
		web.Fail(c, apperr.Invalid("limit", "invalid_limit", "must be a whole number from 1 to 1000"))
		return
	}
	var files []clearinghouse.File
	if q, ok := c.GetQuery("control"); ok {
		var control string
		if control, err = clearinghouse.ControlNumber(q); err != nil {
			web.Fail(c, err)
			return
		}
		files, err = a.clearinghouse.FilesByControl(c.Request.Context(), c.Param("connectionID"), control)
	} else {
		files, err = a.clearinghouse.Files(c.Request.Context(), c.Param("connectionID"), limit)
	}
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, orEmpty(api.Each(files, fileOut)))
}

// downloadFile hands over a kept file once its disclosure is recorded.
func (a *API) downloadFile(c *gin.Context) {
	f, err := a.clearinghouse.Download(c.Request.Context(), auditmw.By(c), c.Param("connectionID"), c.Param("fileID"))
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="`+safeFileName(f.Name)+`"`)
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/edi-x12", f.Body)
}

// safeFileName keeps a file's name to characters a header may carry.
func safeFileName(name string) string {
	out := make([]rune, 0, len(name))
	for _, r := range name {
		if r == '.' || r == '-' || r == '_' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return "clearinghouse.x12"
	}
	return string(out)
}

// uploadFile takes an answer from the clearinghouse sent by hand (the
// body is the file; ?name= names it) and applies it as the poller would.
func (a *API) uploadFile(c *gin.Context) {
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, MaxClearinghouseFile))
	if err != nil {
		web.Fail(c, apperr.Invalid("file", "too_large", "the file is larger than %d MB", MaxClearinghouseFile>>20))
		return
	}
	if len(body) == 0 {
		web.Fail(c, apperr.Invalid("file", "required", "send the clearinghouse's file as the request body"))
		return
	}
	name := c.DefaultQuery("name", "upload.x12")
	got, err := a.clearinghouse.As(auditmw.By(c)).Receive(c.Request.Context(), c.Param("connectionID"), name, body)
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, api.ClearinghouseReceipt{File: fileOut(got.File), Duplicate: got.Duplicate, Answers: got.Answers,
		Verified: got.Verified, ToAgents: got.ToAgents, Unmatched: got.Unmatched, Acks: got.Acks, Statuses: got.Statuses, AskedAgain: got.AskedAgain})
}

// exchangeNow runs a connection's exchange without waiting for the
// scheduler.
func (a *API) exchangeNow(c *gin.Context) {
	rep, err := a.clearinghouse.As(auditmw.By(c)).Exchange(c.Request.Context(), c.Param("connectionID"))
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, api.ClearinghouseExchange{Asked: rep.Ask.Asked + rep.Status.Asked, ToAgents: rep.Ask.ToAgents + rep.Status.ToAgents,
		Batches: len(rep.Ask.Batches) + len(rep.Status.Batches), Sent: rep.Sent, Overdue: rep.Overdue})
}

// linkPractice makes a connection ask on the practice's behalf.
func (a *API) linkPractice(c *gin.Context) {
	var in api.ClearinghouseLink
	if err := web.DecodeJSON(c, &in); err != nil {
		web.Fail(c, err)
		return
	}
	if in.ConnectionID == "" {
		web.Fail(c, apperr.Invalid("connection_id", "required", "name the connection that asks for this practice"))
		return
	}
	if err := a.clearinghouse.Link(c.Request.Context(), auditmw.By(c), c.Param("id"), in.ConnectionID); err != nil {
		web.Fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// orEmpty is s, or an empty list for nil: a list answers [], never null.
func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
