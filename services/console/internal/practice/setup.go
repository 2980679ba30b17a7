package practice

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/services/console/internal/kit"
	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/gin-gonic/gin"
)

// maxBAADocument bounds the signed BAA the set-up page fingerprints: the
// console reads it once for its SHA-256 and keeps nothing of it.
const maxBAADocument = 20 << 20

// setupPage is the practice's set-up: its time zone, its BAA, its
// locations, its other admins and its contact rules, each a form that
// posts to the practice's API, and its follow-up cadences to review.
type setupPage struct {
	ID        string
	Practice  api.Practice
	Locations []api.Location
	Policies  api.Policies
	// PoliciesErr says why the rules could not be read; the contact form
	// is then left out, as saving it would overwrite what is not shown.
	PoliciesErr string
	CSRF        string
	// failed names the form shown again (a section's id) and form is it,
	// as typed, with its messages.
	failed string
	form   *kit.Form
}

// Zone is the practice's time zone, in which the page shows its moments.
func (p setupPage) Zone() string { return p.Practice.Timezone }

// BAASignedOn is the day the recorded BAA was signed, in words, or "".
func (p setupPage) BAASignedOn() string {
	if p.Practice.BAA == nil {
		return ""
	}
	d, err := time.Parse(time.DateOnly, p.Practice.BAA.SignedOn)
	if err != nil {
		return p.Practice.BAA.SignedOn
	}
	return d.Format("Mon 2 Jan 2006")
}

// Zones are the time zones offered: the practice's own first if it is not
// one of the usual ones.
func (p setupPage) Zones() [][2]string {
	out := slices.Clone(usZones)
	if z := p.Practice.Timezone; z != "" && !choiceOK(out, z) {
		out = append([][2]string{{z, z}}, out...)
	}
	return out
}

// Channels are the ways of contacting a patient the contact rules allow
// or not, with their words.
func (setupPage) Channels() [][2]string { return contactChannels }

// Kinds are the kinds of work whose cadences the page lists, in order.
func (setupPage) Kinds() []policy.Kind { return policy.Kinds }

// Cadence says a kind's cadence in words: "day 0: call; day 7: text".
func (p setupPage) Cadence(k policy.Kind) string {
	pol, ok := p.Policies.Kinds[string(k)]
	if !ok || len(pol.Cadence) == 0 {
		return "—"
	}
	var parts []string
	for _, s := range pol.Cadence {
		parts = append(parts, "day "+strconv.Itoa(s.OffsetDays)+": "+strings.ToLower(kit.Label(string(s.Action))))
	}
	return strings.Join(parts, "; ")
}

// ContactVersion is the version of the contact rules the form saves over.
func (p setupPage) ContactVersion() int { return p.Policies.Versions["contact"] }

// FormFor returns the form of the section which: as typed when it was
// just refused, else filled from what the API holds.
func (p setupPage) FormFor(which string) *kit.Form {
	if which == p.failed && p.form != nil {
		return p.form
	}
	v := map[string][]string{}
	switch which {
	case "timezone":
		v["timezone"] = []string{p.Practice.Timezone}
	case "contact":
		r := p.Policies.Contact
		v["quiet_start"], v["quiet_end"] = []string{r.QuietStart}, []string{r.QuietEnd}
		if r.MaxContactsPerWeek > 0 {
			v["max_contacts_per_week"] = []string{strconv.Itoa(r.MaxContactsPerWeek)}
		}
		for _, ch := range r.Channels {
			v["channels"] = append(v["channels"], string(ch))
		}
		v["text_consent_required"] = []string{strconv.FormatBool(r.TextConsentRequired)}
	}
	return kit.NewForm(v)
}

// LocationLabels are the words for the location form's fields.
func (setupPage) LocationLabels() map[string]string { return locationLabels }

// LocationAuto are the browser's autofill names of the location form's
// fields.
func (setupPage) LocationAuto() map[string]string { return locationAuto }

var locationLabels = map[string]string{"name": "Office name", "address_line1": "Street address",
	"address_line2": "Suite or floor (optional)", "city": "City", "state": "State (two letters)",
	"postal_code": "ZIP code", "phone": "Phone (optional)"}

var locationAuto = map[string]string{"address_line1": "address-line1", "address_line2": "address-line2",
	"city": "address-level2", "state": "address-level1", "postal_code": "postal-code", "phone": "tel"}

// usZones are the time zones of US practices, with their words.
var usZones = [][2]string{
	{"America/New_York", "Eastern (New York)"}, {"America/Chicago", "Central (Chicago)"},
	{"America/Denver", "Mountain (Denver)"}, {"America/Phoenix", "Mountain, no daylight saving (Phoenix)"},
	{"America/Los_Angeles", "Pacific (Los Angeles)"}, {"America/Anchorage", "Alaska (Anchorage)"},
	{"Pacific/Honolulu", "Hawaii (Honolulu)"}, {"America/Puerto_Rico", "Atlantic (Puerto Rico)"},
}

// contactChannels are the actions that contact a patient, which the
// contact rules allow or not.
var contactChannels = [][2]string{
	{"call", "Phone calls"}, {"text", "Text messages"}, {"email", "Emails"},
	{"statement", "Statements"}, {"final_notice", "Final notices"},
}

// The forms' fields, by the API's names.
var (
	timezoneFields = map[string]string{"timezone": "timezone", "version": "timezone", "name": "timezone"}
	baaFields      = map[string]string{"signer_name": "signer_name", "signer_title": "signer_title", "signed_on": "signed_on", "document_sha256": "document"}
	locationFields = map[string]string{"name": "name", "address_line1": "address_line1", "address_line2": "address_line2",
		"city": "city", "state": "state", "postal_code": "postal_code", "phone": "phone"}
	inviteFields  = map[string]string{"email": "email"}
	contactFields = map[string]string{"quiet_start": "quiet_start", "quiet_end": "quiet_end", "max_contacts_per_week": "max_contacts_per_week",
		"channels": "channels", "text_consent_required": "text_consent_required", "version": "quiet_start",
		"policy.quiet_start": "quiet_start", "policy.quiet_end": "quiet_end", "policy.max_contacts_per_week": "max_contacts_per_week",
		"policy.channels": "channels", "policy.text_consent_required": "text_consent_required"}
)

var (
	usState    = regexp.MustCompile(`^[A-Za-z]{2}$`)
	postalCode = regexp.MustCompile(`^[0-9]{5}(-[0-9]{4})?$`)
	clockTime  = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
)

// setupHome is the practice's set-up page.
func (p pages) setupHome(c *gin.Context) {
	id, ok := p.IDParam(c, "practiceID")
	if !ok {
		return
	}
	p.showSetup(c, id, "", nil)
}

func (p pages) showSetup(c *gin.Context, id, failed string, f *kit.Form) {
	base := "/api/v1/practices/" + id
	me, _ := authn.PrincipalFrom(c.Request.Context())
	page := setupPage{ID: id, CSRF: me.CSRF, failed: failed, form: f}
	if !p.Get(c, base, nil, &page.Practice) {
		return
	}
	var locs api.LocationList
	if !p.Get(c, base+"/locations", nil, &locs) {
		return
	}
	page.Locations = locs.Items
	r := p.Call(c, http.MethodGet, base+"/policies", nil, nil)
	if !r.OK() || r.Decode(&page.Policies) != nil {
		page.PoliciesErr = "The follow-up rules could not be read just now. Reload the page to change them."
	}
	if failed != "" {
		kit.ReturnTo(c, "/practices/"+id+"/setup")
	}
	p.Show(c, views, "setup", "Set up the practice", "checklist", page)
}

// setupPost is the common shape of the set-up page's forms: check the
// form whole, call the API, then go back to the page's section with a
// message, or show the page again with the form as typed and every
// message beside its field.
func (p pages) setupPost(c *gin.Context, section, method, apiPath string, fields map[string]string,
	body func(f *kit.Form) any, done string) {
	id, ok := p.IDParam(c, "practiceID")
	if !ok {
		return
	}
	f := kit.NewForm(kit.PostForm(c))
	b := body(f)
	p.sendSetup(c, id, section, method, apiPath, fields, f, b, done)
}

func (p pages) sendSetup(c *gin.Context, id, section, method, apiPath string, fields map[string]string,
	f *kit.Form, b any, done string) {
	if f.Failed() {
		p.showSetup(c, id, section, f)
		return
	}
	r := p.Call(c, method, "/api/v1/practices/"+id+apiPath, nil, b)
	if !r.OK() {
		if r.Status == http.StatusConflict {
			f.Alert = "It changed since this page was loaded. Check it below and save again."
			p.showSetup(c, id, section, f)
			return
		}
		if f.Apply(r, fields) {
			p.showSetup(c, id, section, f)
			return
		}
		p.Fail(c, r)
		return
	}
	p.SetFlash(c, done, false)
	kit.Redirect(c, "/practices/"+id+"/setup#"+section)
}

// saveTimezone sets the zone the practice's dates and times are shown
// and kept in.
func (p pages) saveTimezone(c *gin.Context) {
	id, ok := p.IDParam(c, "practiceID")
	if !ok {
		return
	}
	f := kit.NewForm(kit.PostForm(c))
	zone := strings.TrimSpace(f.Get("timezone"))
	if _, err := time.LoadLocation(zone); zone == "" || err != nil {
		f.Refuse("timezone", "Choose the practice's time zone.")
	}
	var cur api.Practice
	if !p.Get(c, "/api/v1/practices/"+id, nil, &cur) {
		return
	}
	b := api.PracticeUpdateBody{Name: cur.Name, Timezone: zone, Version: f.Int("version")}
	p.sendSetup(c, id, "timezone", http.MethodPatch, "", timezoneFields, f, b, "Saved: the practice's time zone is "+zone+".")
}

// addLocation adds an office where the practice sees patients.
func (p pages) addLocation(c *gin.Context) {
	p.setupPost(c, "locations", http.MethodPost, "/locations", locationFields, func(f *kit.Form) any {
		b := api.LocationBody{}
		for _, fl := range []struct {
			name string
			to   *string
		}{{"name", &b.Name}, {"address_line1", &b.AddressLine1}, {"address_line2", &b.AddressLine2}, {"city", &b.City},
			{"state", &b.State}, {"postal_code", &b.PostalCode}, {"phone", &b.Phone}} {
			*fl.to = strings.TrimSpace(f.Get(fl.name))
		}
		b.State = strings.ToUpper(b.State)
		if b.Name == "" {
			f.Refuse("name", "Give the office a name, such as the street it is on.")
		}
		if b.AddressLine1 == "" {
			f.Refuse("address_line1", "Enter the street address.")
		}
		if b.City == "" {
			f.Refuse("city", "Enter the city.")
		}
		if !usState.MatchString(b.State) {
			f.Refuse("state", "Enter the two-letter state code, such as TX.")
		}
		if !postalCode.MatchString(b.PostalCode) {
			f.Refuse("postal_code", "Enter a ZIP code such as 78701 or 78701-1234.")
		}
		return b
	}, "Added the location.")
}

// inviteAdmin invites another person to administer the practice.
func (p pages) inviteAdmin(c *gin.Context) {
	p.setupPost(c, "admins", http.MethodPost, "/invitations", inviteFields, func(f *kit.Form) any {
		email := strings.TrimSpace(f.Get("email"))
		if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
			f.Refuse("email", "Enter an email address, such as office@example.com.")
		}
		return api.InviteBody{Email: email}
	}, "Invited. The invitation is in their inbox; it binds when they sign in.")
}

// saveContact saves the practice's contact rules at the version shown.
func (p pages) saveContact(c *gin.Context) {
	p.setupPost(c, "contact", http.MethodPut, "/policies/contact", contactFields, func(f *kit.Form) any {
		r := policy.ContactRules{QuietStart: strings.TrimSpace(f.Get("quiet_start")), QuietEnd: strings.TrimSpace(f.Get("quiet_end")),
			TextConsentRequired: f.Has("text_consent_required", "true")}
		if !clockTime.MatchString(r.QuietStart) {
			f.Refuse("quiet_start", "Enter a time such as 20:00.")
		}
		if !clockTime.MatchString(r.QuietEnd) {
			f.Refuse("quiet_end", "Enter a time such as 08:00.")
		} else if r.QuietEnd == r.QuietStart {
			f.Refuse("quiet_end", "Quiet hours must end at another time than they start.")
		}
		n, err := strconv.Atoi(strings.TrimSpace(f.Get("max_contacts_per_week")))
		if err != nil || n < 1 || n > 14 {
			f.Refuse("max_contacts_per_week", "Enter a whole number from 1 to 14.")
		}
		r.MaxContactsPerWeek = n
		for _, ch := range f.Values["channels"] {
			if choiceOK(contactChannels, ch) {
				r.Channels = append(r.Channels, policy.Action(ch))
			}
		}
		if len(r.Channels) == 0 {
			f.Refuse("channels", "Allow at least one way to contact patients.")
		}
		raw, _ := json.Marshal(r)
		return api.PolicyBody{Version: f.Int("version"), Policy: raw}
	}, "Saved the contact rules. They apply to every follow-up from now on.")
}

// recordBAA records the signed BAA: who signed it, when, and the SHA-256
// of the signed document, which the console works out from the file as
// it arrives and does not keep.
func (p pages) recordBAA(c *gin.Context) {
	id, ok := p.IDParam(c, "practiceID")
	if !ok {
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxBAADocument+1<<20)
	u, err := kit.ReadUpload(c)
	if err != nil {
		f := kit.NewForm(nil)
		if kit.TooLarge(err) {
			f.Refuse("document", "The document is over 20 MB: scan it at a lower resolution.")
		} else {
			f.Alert = "The form did not arrive whole. Choose the document and send it again."
		}
		_, _ = io.Copy(io.Discard, c.Request.Body)
		p.showSetup(c, id, "baa", f)
		return
	}
	f := kit.NewForm(u.Values)
	b := api.BAABody{SignerName: strings.TrimSpace(f.Get("signer_name")), SignerTitle: strings.TrimSpace(f.Get("signer_title")),
		SignedOn: strings.TrimSpace(f.Get("signed_on"))}
	if b.SignerName == "" {
		f.Refuse("signer_name", "Enter the name of the person who signed.")
	}
	if _, err := time.Parse(time.DateOnly, b.SignedOn); err != nil {
		f.Refuse("signed_on", "Enter the date it was signed.")
	}
	if u.File == nil {
		f.Refuse("document", "Choose the signed document.")
	} else {
		h := sha256.New()
		n, err := io.Copy(h, u.File)
		switch {
		case kit.TooLarge(err):
			f.Refuse("document", "The document is over 20 MB: scan it at a lower resolution.")
		case err != nil:
			f.Alert = "The form did not arrive whole. Choose the document and send it again."
		case n == 0:
			f.Refuse("document", "The chosen file is empty.")
		}
		b.DocumentSHA256 = hex.EncodeToString(h.Sum(nil))
	}
	_, _ = io.Copy(io.Discard, c.Request.Body)
	p.sendSetup(c, id, "baa", http.MethodPut, "/baa", baaFields, f, b, "Recorded the BAA.")
}
