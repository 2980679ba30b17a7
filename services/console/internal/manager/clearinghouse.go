package manager

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/backdesk/backdesk/services/console/internal/kit"
	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/gin-gonic/gin"
)

// filesShown is how many of a connection's files its page lists, newest
// first.
const filesShown = 100

type connectionPage struct {
	Conn   connectionRow
	Form   *kit.Form // the settings
	Payers payerForm
	Files  []fileRow
	Upload *kit.Form
	// Search finds the files of one interchange control number; Control
	// is the number searched, empty for the newest files.
	Search  *kit.Form
	Control string
}

// clearinghouse shows one connection: its health, its files, the payers
// it reaches and its settings, each part with its form.
func (p pages) clearinghouse(c *gin.Context) {
	p.showClearinghouse(c, connectionPage{})
}

// showClearinghouse fills what page leaves out from the API and shows
// it: a form posted and refused keeps what was typed.
func (p pages) showClearinghouse(c *gin.Context, page connectionPage) {
	conn, ok := p.connection(c)
	if !ok {
		return
	}
	base := connectionsAPI + "/" + conn.ID
	kit.ReturnTo(c, "/clearinghouses/"+conn.ID)
	page.Conn = rowOf(conn)
	if page.Form == nil {
		page.Form = connectionForm(conn)
	}
	if page.Payers.Form == nil {
		var payers []api.ClearinghousePayer
		if !p.Get(c, base+"/payers", nil, &payers) {
			return
		}
		page.Payers = payersShown(payers)
	}
	var files []api.ClearinghouseFile
	query := url.Values{"limit": {strconv.Itoa(filesShown)}}
	if control := strings.TrimSpace(c.Query("control")); control != "" {
		// A control number as the clearinghouse's desk quotes it; the API
		// says what is wrong with one that is not.
		query, page.Control = url.Values{"control": {control}}, control
		page.Search = kit.NewForm(url.Values{"control": {control}})
		r := p.Call(c, http.MethodGet, base+"/files", query, nil)
		switch {
		case r.OK() && r.Decode(&files) == nil:
		case page.Search.Apply(r, map[string]string{"control": "control"}):
			// Refused beside the field; the newest files stay listed.
			query, page.Control = url.Values{"limit": {strconv.Itoa(filesShown)}}, ""
		default:
			p.Fail(c, r)
			return
		}
	}
	if page.Control == "" && !p.Get(c, base+"/files", query, &files) {
		return
	}
	if page.Search == nil {
		page.Search = kit.NewForm(nil)
	}
	for _, f := range files {
		page.Files = append(page.Files, fileRowOf(f))
	}
	if page.Upload == nil {
		page.Upload = kit.NewForm(nil)
	}
	p.Show(c, views, "clearinghouse", conn.Name, "clearinghouses", page)
}

// connection reads the connection the path names, from the list the API
// gives (it has no call for one), or answers the page itself.
func (p pages) connection(c *gin.Context) (api.Connection, bool) {
	id, ok := p.IDParam(c, "connectionID")
	if !ok {
		return api.Connection{}, false
	}
	var conns []api.Connection
	if !p.Get(c, connectionsAPI, nil, &conns) {
		return api.Connection{}, false
	}
	for _, conn := range conns {
		if conn.ID == id {
			return conn, true
		}
	}
	p.NotFound(c)
	return api.Connection{}, false
}

// saveConnection changes a connection's settings; what the API refuses
// is shown beside its field, with what was typed kept.
func (p pages) saveConnection(c *gin.Context) {
	// The API's PUT would add a connection the path names wrongly: only
	// one that is there is changed here.
	conn, ok := p.connection(c)
	if !ok {
		return
	}
	id := conn.ID
	kit.ReturnTo(c, "/clearinghouses/"+id)
	f := kit.NewForm(kit.PostForm(c))
	body := connectionBody(f)
	if f.Failed() {
		p.showClearinghouse(c, connectionPage{Form: f})
		return
	}
	saved, ok := p.putConnection(c, id, f, body, func() { p.showClearinghouse(c, connectionPage{Form: f}) })
	if !ok {
		return
	}
	p.SetFlash(c, "Saved the settings of "+saved.Name+".", false)
	kit.Redirect(c, "/clearinghouses/"+id)
}
