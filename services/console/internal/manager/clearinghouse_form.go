package manager

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/backdesk/backdesk/services/console/internal/kit"
	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/gin-gonic/gin"
)

// connectionLabels name the fields of a connection in words;
// the API's field names are the form's.
var connectionLabels = map[string]string{
	"id": "Short name", "name": "Name", "mode": "Mode", "production": "Production", "address": "Address",
	"username": "User name", "host_key": "Host key", "secret_ref": "Secret reference", "outbound": "Outbound folder",
	"inbound": "Inbound folder", "archive": "Archive folder", "sender_qualifier": "Sender qualifier",
	"sender_id": "Sender id", "receiver_qualifier": "Receiver qualifier", "receiver_id": "Receiver id",
	"answer_minutes": "Answer window", "ack_minutes": "Acknowledgment window",
}

// newConnectionForm is the add form as it first shows: SFTP, test files,
// and the API's defaults written out.
func newConnectionForm() *kit.Form {
	return kit.NewForm(url.Values{"mode": {"sftp"}, "sender_qualifier": {"ZZ"}, "receiver_qualifier": {"ZZ"},
		"answer_minutes": {"240"}, "ack_minutes": {"60"}})
}

// connectionForm is a saved connection as its edit form shows it. The
// secret reference is shown only when it is one.
func connectionForm(c api.Connection) *kit.Form {
	v := url.Values{"name": {c.Name}, "mode": {c.Mode}, "address": {c.Address}, "username": {c.Username},
		"host_key": {c.HostKey}, "outbound": {c.Outbound}, "inbound": {c.Inbound}, "archive": {c.Archive},
		"sender_qualifier": {c.SenderQualifier}, "sender_id": {c.SenderID}, "receiver_qualifier": {c.ReceiverQualifier},
		"receiver_id": {c.ReceiverID}, "answer_minutes": {strconv.Itoa(c.AnswerMinutes)}, "ack_minutes": {strconv.Itoa(c.AckMinutes)}}
	if secretRef(c.SecretRef) {
		v.Set("secret_ref", c.SecretRef)
	}
	if c.Production {
		v.Set("production", "yes")
	}
	return kit.NewForm(v)
}

// connectionBody reads the connection form into the API's shape and
// refuses what the console can tell is wrong before sending: minutes that
// are not whole numbers, and a secret reference that is not one. What
// was typed there is dropped, so that a password typed by mistake is
// neither sent nor shown back.
func connectionBody(f *kit.Form) api.Connection {
	get := func(name string) string { return strings.TrimSpace(f.Get(name)) }
	c := api.Connection{Name: get("name"), Mode: get("mode"), Address: get("address"), Username: get("username"),
		HostKey: get("host_key"), SecretRef: get("secret_ref"), Outbound: get("outbound"), Inbound: get("inbound"),
		Archive: get("archive"), SenderQualifier: get("sender_qualifier"), SenderID: get("sender_id"),
		ReceiverQualifier: get("receiver_qualifier"), ReceiverID: get("receiver_id"), Production: f.Has("production", "yes")}
	if c.SecretRef != "" && !secretRef(c.SecretRef) {
		f.Values.Del("secret_ref")
		c.SecretRef = ""
		f.Refuse("secret_ref", "Secret reference must be env:NAME or file:PATH, naming where the password or key is kept. "+
			"What was typed was not sent or kept: never type the password itself.")
	}
	c.AnswerMinutes = minutes(f, "answer_minutes", "Answer window must be a whole number of minutes, such as 240; empty for 240.")
	c.AckMinutes = minutes(f, "ack_minutes", "Acknowledgment window must be a whole number of minutes, such as 60; empty for 60.")
	return c
}

// minutes reads a whole number of minutes; empty is zero, the API's
// default.
func minutes(f *kit.Form, field, refusal string) int {
	s := strings.TrimSpace(f.Get(field))
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		f.Refuse(field, refusal)
		return 0
	}
	return n
}

// secretRef reports whether s names where a secret is (env:NAME or
// file:PATH) rather than being one.
func secretRef(s string) bool {
	kind, name, ok := strings.Cut(s, ":")
	return ok && name != "" && (kind == "env" || kind == "file") && !strings.ContainsAny(s, " \t\r\n")
}

// applyConnection shows the API's refusal of a connection: every field
// at fault beside its input, all at once.
func applyConnection(f *kit.Form, r kit.Reply) bool {
	return applyFields(f, r, func(field string) (string, string, bool) {
		label, ok := connectionLabels[field]
		return field, label, ok
	})
}

// applyFields puts each field the API refused beside the input named by
// input, its message made a sentence with the field's label. An answer
// naming no known field, or one that is not a refusal of fields, is left
// to kit.Form.Apply.
func applyFields(f *kit.Form, r kit.Reply, input func(field string) (name, label string, ok bool)) bool {
	if r.Status != http.StatusBadRequest {
		return f.Apply(r, nil)
	}
	refused := r.Err.Fields
	if len(refused) == 0 && r.Err.Field != "" {
		refused = map[string]string{r.Err.Field: r.Err.Message}
	}
	var others []string
	for field, msg := range refused {
		if name, label, ok := input(field); ok {
			f.Refuse(name, sentence(label, msg))
		} else {
			others = append(others, sentence(kit.Label(field), msg))
		}
	}
	sort.Strings(others)
	switch {
	case len(others) > 0:
		f.Alert = strings.Join(others, " ")
	case len(refused) == 0:
		f.Alert = r.Err.Message
	}
	return true
}

// sentence makes the API's message about a field ("is required") a
// sentence that names it ("Sender id is required.").
func sentence(label, msg string) string {
	msg = strings.TrimSpace(msg)
	if msg == "" {
		return label + " was refused."
	}
	if first := []rune(msg)[0]; unicode.IsLower(first) {
		msg = label + " " + msg
	}
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	return msg
}

// slug makes a short name from a connection's name: lower-case letters
// and digits, joined by single hyphens ("Acme Clearinghouse" gives
// acme-clearinghouse).
func slug(name string) string {
	var b strings.Builder
	gap := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if gap && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			gap = false
		default:
			gap = true
		}
		if b.Len() >= 60 {
			break
		}
	}
	return b.String()
}

// putConnection puts body as connection id. A refusal of fields is
// shown on f by show; any other failure answers the page. It reports the
// connection as saved, or false when the page has been answered.
func (p pages) putConnection(c *gin.Context, id string, f *kit.Form, body api.Connection, show func()) (api.Connection, bool) {
	r := p.Call(c, http.MethodPut, connectionsAPI+"/"+id, nil, body)
	if !r.OK() {
		if applyConnection(f, r) {
			show()
			return api.Connection{}, false
		}
		p.Fail(c, r)
		return api.Connection{}, false
	}
	var saved api.Connection
	if r.Decode(&saved) != nil {
		p.Broken(c, r)
		return api.Connection{}, false
	}
	return saved, true
}
