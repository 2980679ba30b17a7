package manager

import (
	"net/url"
	"strings"

	"github.com/backdesk/backdesk/services/console/internal/kit"
	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/gin-gonic/gin"
)

// connectionsAPI is where the API keeps clearinghouse connections.
const connectionsAPI = "/api/v1/clearinghouses"

// connectionRow is a connection in the list, with its health in words.
type connectionRow struct {
	api.Connection
	ModeText, Target, LastPoll string
}

type connectionsPage struct {
	Connections []connectionRow
	Form        *kit.Form
}

// connections lists every connection with its health and offers the
// form that adds one.
func (p pages) connections(c *gin.Context) {
	var conns []api.Connection
	if !p.Get(c, connectionsAPI, nil, &conns) {
		return
	}
	p.showConnections(c, conns, newConnectionForm())
}

func (p pages) showConnections(c *gin.Context, conns []api.Connection, f *kit.Form) {
	kit.ReturnTo(c, "/clearinghouses")
	page := connectionsPage{Form: f}
	for _, conn := range conns {
		page.Connections = append(page.Connections, rowOf(conn))
	}
	p.Show(c, views, "clearinghouses", "Clearinghouses", "clearinghouses", page)
}

// rowOf puts a connection's health in words, and keeps its secret
// reference only when it is one.
func rowOf(conn api.Connection) connectionRow {
	r := connectionRow{Connection: conn, ModeText: modeText(conn.Mode), Target: "Test files (T)"}
	if !secretRef(conn.SecretRef) {
		r.SecretRef = "" // only ever a reference is shown
	}
	if conn.Production {
		r.Target = "Production (P)"
	}
	switch {
	case conn.LastPollAt != nil:
		r.LastPoll = kit.In(conn.LastPollAt, "UTC")
	case conn.Mode == "manual":
		r.LastPoll = "Not polled: files are carried by hand"
	default:
		r.LastPoll = "Not yet"
	}
	return r
}

// modeText names how a connection's files travel.
func modeText(mode string) string {
	switch mode {
	case "sftp":
		return "SFTP"
	case "manual":
		return "By hand"
	}
	return kit.Label(mode)
}

// addConnection saves a new connection under the short name typed, or
// one made from its name. A short name already in use is refused rather
// than sent, since the API's PUT would replace that connection.
func (p pages) addConnection(c *gin.Context) {
	var conns []api.Connection
	if !p.Get(c, connectionsAPI, nil, &conns) {
		return
	}
	f := kit.NewForm(kit.PostForm(c))
	body := connectionBody(f)
	id := newConnectionID(f, body.Name, conns)
	if f.Failed() {
		p.showConnections(c, conns, f)
		return
	}
	saved, ok := p.putConnection(c, id, f, body, func() { p.showConnections(c, conns, f) })
	if !ok {
		return
	}
	p.SetFlash(c, "Added "+saved.Name+". List the payers it reaches next.", false)
	kit.Redirect(c, "/clearinghouses/"+url.PathEscape(id))
}

// newConnectionID is the short name a new connection is kept under:
// the one typed, or one made from its name; a problem with it is
// refused beside the field.
func newConnectionID(f *kit.Form, name string, conns []api.Connection) string {
	id := strings.TrimSpace(f.Get("id"))
	if id == "" {
		id = slug(name)
		switch {
		case name == "":
			f.Refuse("name", "Name is required: the connection is kept under a short name made from it.")
			return ""
		case id == "":
			f.Refuse("id", "No short name could be made from the name: give one of letters, digits and hyphens.")
			return ""
		}
		f.Values.Set("id", id)
	}
	if !kit.ValidID(id) {
		f.Refuse("id", "Use letters, digits and hyphens only, starting with a letter or digit, such as acme-clearinghouse.")
		return ""
	}
	for _, conn := range conns {
		if conn.ID == id {
			f.Refuse("id", "The connection "+conn.Name+" already has this short name. Choose another, or change "+conn.Name+" on its page.")
		}
	}
	return id
}
