package manager

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/backdesk/backdesk/services/console/internal/kit"
	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/gin-gonic/gin"
)

// maxAnswerFile is the largest answer file the console forwards: the
// API's 64 MB, and room for the form around it. Bigger bodies are
// refused from their Content-Length, or cut off when they turn out
// bigger.
const maxAnswerFile = 64<<20 + 1<<20

// errAnswerTooLarge says what to do about a file over the limit.
const errAnswerTooLarge = "The file is over 64 MB. Ask the clearinghouse to split it, and hand in the parts one by one."

// fileRow is a file sent or received, in words.
type fileRow struct {
	api.ClearinghouseFile
	DirectionText, KindText, StateText, SizeText string
	// Attention marks a file someone should look at: a batch rejected or
	// not acknowledged in time, an answer that could not be read.
	Attention bool
}

var fileStates = map[string]string{
	"built":    "Kept, not sent yet",
	"sent":     "Sent, waiting for its acknowledgment",
	"accepted": "Accepted by the clearinghouse",
	"rejected": "Rejected by the clearinghouse",
	"overdue":  "Overdue: no acknowledgment in time",
	"received": "Received, applied at the next exchange",
	"applied":  "Applied",
	"failed":   "Could not be read",
}

var fileKinds = map[string]string{
	"270": "270 eligibility questions", "271": "271 eligibility answers", "276": "276 claim status questions",
	"277": "277 claim status answers", "999": "999 acknowledgment", "TA1": "TA1 interchange acknowledgment",
}

func fileRowOf(f api.ClearinghouseFile) fileRow {
	r := fileRow{ClearinghouseFile: f, StateText: fileStates[f.State], KindText: fileKinds[f.Kind], SizeText: size(f.Size),
		DirectionText: "From the clearinghouse", Attention: f.State == "rejected" || f.State == "overdue" || f.State == "failed"}
	if f.Direction == "out" {
		r.DirectionText = "To the clearinghouse"
	}
	if r.StateText == "" {
		r.StateText = kit.Label(f.State)
	}
	if r.KindText == "" {
		r.KindText = "Not recognised"
	}
	return r
}

// size says a file's size as people do: 812 bytes, 14.2 KB, 3.1 MB.
func size(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d bytes", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.1f KB", float64(n)/1000)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1000*1000))
}

// downloadFile hands a kept file to the browser as the API writes it.
// The API records the download before it sends a byte.
func (p pages) downloadFile(c *gin.Context) {
	id, ok := p.IDParam(c, "connectionID")
	if !ok {
		return
	}
	file, ok := p.IDParam(c, "fileID")
	if !ok {
		return
	}
	p.Download(c, connectionsAPI+"/"+id+"/files/"+file+"/content", nil)
}

// exchange runs the connection's exchange at once and says what it did.
func (p pages) exchange(c *gin.Context) {
	id, ok := p.IDParam(c, "connectionID")
	if !ok {
		return
	}
	r := p.Call(c, http.MethodPost, connectionsAPI+"/"+id+"/exchange", nil, nil)
	if !r.OK() {
		p.Fail(c, r)
		return
	}
	var rep api.ClearinghouseExchange
	if r.Decode(&rep) != nil {
		p.Broken(c, r)
		return
	}
	p.SetFlash(c, exchangeText(rep), false)
	kit.Redirect(c, "/clearinghouses/"+id)
}

// exchangeText says what an exchange did.
func exchangeText(rep api.ClearinghouseExchange) string {
	var said []string
	if rep.Asked > 0 {
		said = append(said, fmt.Sprintf("asked %s in %s", count(rep.Asked, "question"), count(rep.Batches, "batch")))
	}
	if rep.ToAgents > 0 {
		said = append(said, fmt.Sprintf("gave agents %s that could not be asked, with the reason", count(rep.ToAgents, "item")))
	}
	if rep.Sent > 0 {
		said = append(said, "sent "+count(rep.Sent, "batch"))
	}
	if rep.Overdue > 0 {
		said = append(said, fmt.Sprintf("flagged %s overdue for acknowledgment", count(rep.Overdue, "batch")))
	}
	if len(said) == 0 {
		return "Exchange done: nothing was waiting to be asked or sent, and no batch is late."
	}
	return "Exchange done: " + strings.Join(said, "; ") + "."
}

// count says n things: "1 batch", "3 batches".
func count(n int, one string) string {
	if n == 1 {
		return "1 " + one
	}
	many := one + "s"
	if strings.HasSuffix(one, "ch") || strings.HasSuffix(one, "s") {
		many = one + "es"
	}
	return fmt.Sprintf("%d %s", n, many)
}

// uploadFile hands in a file the clearinghouse sent by hand: the form's
// file goes to the API as the request's body, read only as the API
// reads it, and what applying it did is said on the connection's page.
func (p pages) uploadFile(c *gin.Context) {
	id, ok := p.IDParam(c, "connectionID")
	if !ok {
		return
	}
	kit.ReturnTo(c, "/clearinghouses/"+id)
	refuse := func(msg string) {
		f := kit.NewForm(nil)
		f.Refuse("file", msg)
		p.showClearinghouse(c, connectionPage{Upload: f})
	}
	if c.Request.ContentLength > maxAnswerFile {
		refuse(errAnswerTooLarge)
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxAnswerFile)
	// What the API did not read is read to its end before the answer,
	// which a browser still sending might otherwise not see.
	drained := func() { _, _ = io.Copy(io.Discard, c.Request.Body) }
	u, err := kit.ReadUpload(c)
	switch {
	case err != nil && kit.TooLarge(err):
		drained()
		refuse(errAnswerTooLarge)
		return
	case err != nil:
		drained()
		refuse("The form did not arrive whole. Choose the file and send it again.")
		return
	case u.File == nil:
		drained()
		refuse("Choose the file the clearinghouse sent.")
		return
	}
	r := p.SendFile(c, connectionsAPI+"/"+id+"/files", url.Values{"name": {u.Name()}}, u, "application/edi-x12")
	drained()
	switch {
	case r.Status == http.StatusRequestEntityTooLarge, r.Err.Code == "too_large":
		refuse(errAnswerTooLarge)
		return
	case r.Status == http.StatusBadRequest && r.Err.Code == "required":
		refuse("The file chosen is empty. Choose the file the clearinghouse sent.")
		return
	case r.Status == http.StatusBadRequest:
		refuse(sentence("The file", r.Err.Message))
		return
	case !r.OK():
		p.Fail(c, r)
		return
	}
	var got api.ClearinghouseReceipt
	if r.Decode(&got) != nil {
		p.Broken(c, r)
		return
	}
	text, bad := receiptText(got)
	p.SetFlash(c, text, bad)
	kit.Redirect(c, "/clearinghouses/"+id)
}

// receiptText says what handing in a file did; bad is a file that could
// not be read.
func receiptText(got api.ClearinghouseReceipt) (text string, bad bool) {
	name := got.File.Name
	switch {
	case got.Duplicate:
		return name + " was already received: it is kept once and was not applied again.", false
	case got.File.State == "failed":
		return name + " is kept, but it could not be read, so nothing was applied. The list of files says why.", true
	case got.File.State == "received":
		return name + " is kept, and will be applied at the next exchange.", false
	}
	var said []string
	if got.Answers > 0 {
		said = append(said, count(got.Answers, "eligibility answer")+" read")
	}
	if got.Statuses > 0 {
		said = append(said, count(got.Statuses, "claim status")+" posted")
	}
	if got.Answers+got.Statuses+got.Unmatched > 0 {
		said = append(said, fmt.Sprintf("%d settled without a call, %d to agents with the reason, %d matching no question of ours",
			got.Verified, got.ToAgents, got.Unmatched))
	}
	if got.AskedAgain > 0 {
		said = append(said, count(got.AskedAgain, "check")+" to be asked again: the payer could not answer for now")
	}
	if got.Acks > 0 {
		said = append(said, count(got.Acks, "batch")+" acknowledged")
	}
	if len(said) == 0 {
		return name + " is applied; it answered nothing we asked.", false
	}
	return "Received " + name + ": " + strings.Join(said, "; ") + ".", false
}
