package manager

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/backdesk/backdesk/services/console/internal/kit"
	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/gin-gonic/gin"
)

// maxPayerRows bounds the rows of the payers form the console reads.
const maxPayerRows = 1000

// payerRow is one row of the payers form. Its inputs are named by
// position; the ticks carry the row's index as their value.
type payerRow struct {
	Index                    int
	Name, ID                 string
	Eligibility, ClaimStatus bool
	Remove                   bool
}

// payerForm is the payers as an editable list. Form holds only the
// messages: beside a row's input (payer-name-2, payer-id-2) or above.
type payerForm struct {
	Rows []payerRow
	Form *kit.Form
}

// payersShown is the saved payers as the form shows them, with an empty
// row to add one.
func payersShown(payers []api.ClearinghousePayer) payerForm {
	pf := payerForm{Form: kit.NewForm(nil)}
	for i, p := range payers {
		pf.Rows = append(pf.Rows, payerRow{Index: i, Name: p.Name, ID: p.ID, Eligibility: p.Eligibility, ClaimStatus: p.ClaimStatus})
	}
	pf.Rows = append(pf.Rows, payerRow{Index: len(pf.Rows)})
	return pf
}

// payersPosted reads the payers form as it was sent.
func payersPosted(c *gin.Context) payerForm {
	v := kit.PostForm(c)
	names, ids := v["payer_name"], v["payer_id"]
	n := min(max(len(names), len(ids)), maxPayerRows)
	ticked := func(field string) map[int]bool {
		out := map[int]bool{}
		for _, s := range v[field] {
			if i, err := strconv.Atoi(s); err == nil {
				out[i] = true
			}
		}
		return out
	}
	elig, status, remove := ticked("payer_eligibility"), ticked("payer_claim_status"), ticked("payer_remove")
	pf := payerForm{Form: kit.NewForm(nil)}
	for i := range n {
		row := payerRow{Index: i, Eligibility: elig[i], ClaimStatus: status[i], Remove: remove[i]}
		if i < len(names) {
			row.Name = strings.TrimSpace(names[i])
		}
		if i < len(ids) {
			row.ID = strings.TrimSpace(ids[i])
		}
		pf.Rows = append(pf.Rows, row)
	}
	return pf
}

// Number is the row's place in the list, counted from one.
func (r payerRow) Number() int { return r.Index + 1 }

// blank reports a row with nothing typed in it: an unused new row.
func (r payerRow) blank() bool { return r.Name == "" && r.ID == "" }

// payerField finds the row and input of the API's payers[2].name.
var payerField = regexp.MustCompile(`^payers\[(\d+)\]\.(name|id)$`)

// savePayers replaces the payers a connection reaches with the rows of
// the form, less those to remove and those left empty; "Add a row" shows
// the form again with one more row, saving nothing.
func (p pages) savePayers(c *gin.Context) {
	conn, ok := p.connection(c)
	if !ok {
		return
	}
	kit.ReturnTo(c, "/clearinghouses/"+conn.ID)
	pf := payersPosted(c)
	if c.PostForm("add_row") != "" {
		pf.Rows = append(pf.Rows, payerRow{Index: len(pf.Rows)})
		p.showClearinghouse(c, connectionPage{Payers: pf})
		return
	}
	body := []api.ClearinghousePayer{}
	var sent []int // the row of each payer sent
	for _, r := range pf.Rows {
		if r.Remove || r.blank() {
			continue
		}
		body = append(body, api.ClearinghousePayer{Name: r.Name, ID: r.ID, Eligibility: r.Eligibility, ClaimStatus: r.ClaimStatus})
		sent = append(sent, r.Index)
	}
	r := p.Call(c, http.MethodPut, connectionsAPI+"/"+conn.ID+"/payers", nil, body)
	if !r.OK() {
		refused := applyFields(pf.Form, r, func(field string) (string, string, bool) {
			m := payerField.FindStringSubmatch(field)
			if m == nil {
				return "", "", false
			}
			i, err := strconv.Atoi(m[1])
			if err != nil || i >= len(sent) {
				return "", "", false
			}
			if m[2] == "name" {
				return fmt.Sprintf("payer-name-%d", sent[i]), "Name", true
			}
			return fmt.Sprintf("payer-id-%d", sent[i]), "Payer id", true
		})
		if refused {
			p.showClearinghouse(c, connectionPage{Payers: pf})
			return
		}
		p.Fail(c, r)
		return
	}
	msg := fmt.Sprintf("Saved the %d payers %s reaches.", len(body), conn.Name)
	switch len(body) {
	case 0:
		msg = "Saved: " + conn.Name + " lists no payers now, so it asks about none."
	case 1:
		msg = "Saved the one payer " + conn.Name + " reaches."
	}
	p.SetFlash(c, msg, false)
	kit.Redirect(c, "/clearinghouses/"+conn.ID+"#payers-title")
}
