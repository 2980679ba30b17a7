package manager

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/backdesk/backdesk/services/console/internal/kittest"
	"github.com/stretchr/testify/require"
)

// flashText finds the message a page shows after a form.
var flashText = regexp.MustCompile(`<p id="flash" role="status" class="flash[^"]*">([^<]*)</p>`)

// fileRowOn finds a file's row in the files table.
func fileRowOn(t *testing.T, body, id string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<tr data-file-id="` + id + `".*?</tr>`).FindString(body)
	require.NotEmpty(t, m, "the row of file %s", id)
	return m
}

func TestFilesAreListedInWords(t *testing.T) {
	t.Parallel()
	b := setup(t, clearinghouseAPI(nil))
	p := b.Get(t, "maria", "/clearinghouses/acme")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Equal(t, "limit=100", b.API.Last(t, http.MethodGet, "/api/v1/clearinghouses/acme/files").Query)
	body := text(p)
	require.Contains(t, body, `<p class="notice" id="download-warning"><strong>These files hold patients' data.</strong> `+
		`Each download is recorded in the audit trail, with your name and every patient in the file.</p>`)
	cases := []struct {
		file      string
		want      []string
		attention bool
	}{
		{file: "f-5", want: []string{"<td>From the clearinghouse</td><td>999 acknowledgment</td><td><code>000000412</code></td>", "<td>Applied</td>",
			`<td class="num">512 bytes</td>`, `<td><time datetime="2026-11-20T15:00:00Z">Fri 20 Nov 2026, 15:00 UTC</time></td>`}},
		{file: "f-4", attention: true, want: []string{"<td>To the clearinghouse</td><td>270 eligibility questions</td>",
			"<strong>Rejected by the clearinghouse</strong>", "NM109 at segment 9 of the set, loop 2100C", `<td class="num">12</td>`,
			`<td class="num">18.4 KB</td>`, `<time datetime="2026-11-20T14:01:00Z">Fri 20 Nov 2026, 14:01 UTC</time>`}},
		{file: "f-3", attention: true, want: []string{"276 claim status questions", "<strong>Overdue: no acknowledgment in time</strong>"}},
		{file: "f-2", want: []string{"<td>To the clearinghouse</td>", "<td>Kept, not sent yet</td>"}},
		{file: "f-1", attention: true, want: []string{"<strong>Could not be read</strong>", "not applied: segment 4: ISA16 missing",
			`<td class="num">1.5 MB</td>`}},
	}
	for _, tc := range cases {
		row := fileRowOn(t, body, tc.file)
		for _, w := range tc.want {
			require.Contains(t, row, w, tc.file)
		}
		require.Equal(t, tc.attention, strings.Contains(row, `<span class="badge badge-overdue">Needs a look</span>`), tc.file)
		require.Contains(t, row, `<a href="/clearinghouses/acme/files/`+tc.file+`/export" aria-describedby="download-warning">Download`)
		require.Contains(t, row, "<small>Holds patient data; your download is recorded in the audit trail.</small>")
	}
	require.Less(t, strings.Index(body, `data-file-id="f-5"`), strings.Index(body, `data-file-id="f-1"`), "newest first")
}

func TestADownloadStreamsTheAPIsFile(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	b.API.Handlers = map[string]http.HandlerFunc{
		"GET /api/v1/clearinghouses/acme/files/f-2/content": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/edi-x12")
			w.Header().Set("Content-Disposition", `attachment; filename="270-0410.x12"`)
			_, _ = io.WriteString(w, "ISA*00*~")
		},
	}
	p := b.Get(t, "maria", "/clearinghouses/acme/files/f-2/export")
	require.Equal(t, http.StatusOK, p.Code)
	require.Equal(t, "ISA*00*~", p.Body)
	require.Equal(t, `attachment; filename="270-0410.x12"`, p.Header.Get("Content-Disposition"))
	require.Equal(t, "no-store", p.Header.Get("Cache-Control"))

	p = b.Get(t, "maria", "/clearinghouses/acme/files/f.2/export")
	require.Equal(t, http.StatusNotFound, p.Code, "no id, no API call")
}

// postFile hands in file as maria's browser posts the upload form: the
// token first, the file last.
func postFile(t *testing.T, b kittest.Bundle, name, file string) kittest.Page {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	require.NoError(t, w.WriteField("csrf_token", "csrf-maria"))
	if name != "" {
		fw, err := w.CreateFormFile("file", `C:\clearinghouse\`+name)
		require.NoError(t, err)
		_, err = io.WriteString(fw, file)
		require.NoError(t, err)
	}
	require.NoError(t, w.Close())
	req := httptest.NewRequest(http.MethodPost, "/clearinghouses/acme/files", &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("X-Test-User", "maria")
	rec := httptest.NewRecorder()
	b.Engine.ServeHTTP(rec, req)
	return kittest.Page{Code: rec.Code, Header: rec.Header(), Body: rec.Body.String()}
}

func TestHandingInAFileShowsWhatItDid(t *testing.T) {
	t.Parallel()
	receipt := func(state, fields string) string {
		return `{"file":{"id":"f-9","direction":"in","name":"271-0413.x12","kind":"271","interchange_control":"000000413","state":"` +
			state + `","note":"","patients":4,"size":900,"created_at":"2026-11-20T16:00:00Z"},` + fields + `}`
	}
	cases := []struct {
		name  string
		reply func() (int, string)
		flash string
		field string // the message beside the file input instead
	}{
		{name: "answers applied", reply: answer(200, receipt("applied",
			`"duplicate":false,"answers":4,"verified":2,"to_agents":1,"unmatched":1,"acknowledged":0,"statuses":0`)),
			flash: "Received 271-0413.x12: 4 eligibility answers read; 2 settled without a call, 1 to agents with the reason, 1 matching no question of ours."},
		{name: "claim statuses and an acknowledgment", reply: answer(200, receipt("applied",
			`"duplicate":false,"answers":0,"verified":3,"to_agents":0,"unmatched":0,"acknowledged":1,"statuses":3`)),
			flash: "Received 271-0413.x12: 3 claim statuses posted; 3 settled without a call, 0 to agents with the reason, 0 matching no question of ours; 1 batch acknowledged."},
		{name: "a file handed in twice", reply: answer(200, receipt("applied",
			`"duplicate":true,"answers":0,"verified":0,"to_agents":0,"unmatched":0,"acknowledged":0,"statuses":0`)),
			flash: "271-0413.x12 was already received: it is kept once and was not applied again."},
		{name: "a file that is not X12", reply: answer(200, receipt("failed",
			`"duplicate":false,"answers":0,"verified":0,"to_agents":0,"unmatched":0,"acknowledged":0,"statuses":0`)),
			flash: "271-0413.x12 is kept, but it could not be read, so nothing was applied. The list of files says why."},
		{name: "an empty file", reply: answer(400, `{"error":{"code":"required","field":"file","message":"send the clearinghouse's file as the request body"}}`),
			field: "The file chosen is empty. Choose the file the clearinghouse sent."},
		{name: "a file too large", reply: answer(400, `{"error":{"code":"too_large","field":"file","message":"the file is larger than 64 MB"}}`),
			field: errAnswerTooLarge},
		{name: "another refusal", reply: answer(400, `{"error":{"code":"invalid","field":"name","message":"must name the file"}}`),
			field: "The file must name the file."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, clearinghouseAPI(map[string]func() (int, string){"POST /api/v1/clearinghouses/acme/files": tc.reply}))
			p := postFile(t, b, "271-0413.x12", "ISA*00*~GS*HB~")
			sent := b.API.Last(t, http.MethodPost, "/api/v1/clearinghouses/acme/files")
			require.Equal(t, "ISA*00*~GS*HB~", string(sent.Raw), "the file alone is the body")
			require.Equal(t, "name=271-0413.x12", sent.Query, "named without the folder it came from")
			require.Equal(t, "application/edi-x12", sent.ContentType)
			if tc.field != "" {
				require.Equal(t, http.StatusOK, p.Code, p.Body)
				require.Contains(t, text(p), `<small id="file-error" class="field-error">`+tc.field+`</small>`)
				return
			}
			require.Equal(t, "/clearinghouses/acme", p.Header.Get("Location"))
			require.Equal(t, tc.flash, flashOf(t, b, p))
		})
	}

	b := setup(t, clearinghouseAPI(nil))
	p := postFile(t, b, "", "")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, p.Body, `<small id="file-error" class="field-error">Choose the file the clearinghouse sent.</small>`)
	require.Contains(t, p.Body, `aria-describedby="file-hint file-error" aria-invalid="true"`)
	require.False(t, b.API.Called(http.MethodPost, "/api/v1/clearinghouses/acme/files"))
}

func TestExchangeNowSaysWhatItDid(t *testing.T) {
	t.Parallel()
	cases := []struct{ reply, want string }{
		{`{"asked":12,"to_agents":2,"batches":3,"sent":3,"overdue":1}`,
			"Exchange done: asked 12 questions in 3 batches; gave agents 2 items that could not be asked, with the reason; " +
				"sent 3 batches; flagged 1 batch overdue for acknowledgment."},
		{`{"asked":1,"to_agents":0,"batches":1,"sent":0,"overdue":0}`, "Exchange done: asked 1 question in 1 batch."},
		{`{"asked":0,"to_agents":0,"batches":0,"sent":0,"overdue":0}`,
			"Exchange done: nothing was waiting to be asked or sent, and no batch is late."},
	}
	for _, tc := range cases {
		t.Run(tc.want, func(t *testing.T) {
			t.Parallel()
			b := setup(t, clearinghouseAPI(map[string]func() (int, string){"POST /api/v1/clearinghouses/acme/exchange": answer(200, tc.reply)}))
			p := b.Post(t, "maria", "/clearinghouses/acme/exchange", url.Values{})
			require.Equal(t, "/clearinghouses/acme", p.Header.Get("Location"))
			require.Equal(t, tc.want, flashOf(t, b, p))
		})
	}
}

func TestEditingThePayers(t *testing.T) {
	t.Parallel()
	b := setup(t, clearinghouseAPI(map[string]func() (int, string){
		"PUT /api/v1/clearinghouses/acme/payers": answer(400, `{"error":{"code":"invalid_fields","field":"payers[1].id","message":"1 fields need attention",
"fields":{"payers[1].id":"is required: the clearinghouse's id for the payer"}}}`),
	}))
	p := b.Get(t, "maria", "/clearinghouses/acme")
	require.Contains(t, p.Body, `<input id="payer-name-0" name="payer_name" value="Delta Dental"`)
	require.Contains(t, p.Body, `<input type="checkbox" name="payer_claim_status" value="0" checked>`)
	require.Contains(t, p.Body, `<input type="checkbox" name="payer_claim_status" value="1"><span class="visually-hidden"> Guardian answers claim status (276)</span>`)
	require.Contains(t, p.Body, `<input id="payer-name-2" name="payer_name" value=""`, "an empty row to add a payer")

	form := url.Values{"payer_name": {"Delta Dental", "Guardian", "Aetna", ""}, "payer_id": {"DD001", "GRD77", "", ""},
		"payer_eligibility": {"0", "2"}, "payer_remove": {"1"}}
	// "Add a row" saves nothing and keeps what was typed.
	add := url.Values{"add_row": {"yes"}}
	for k, v := range form {
		add[k] = v
	}
	p = b.Post(t, "maria", "/clearinghouses/acme/payers", add)
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.False(t, b.API.Called(http.MethodPut, "/api/v1/clearinghouses/acme/payers"))
	require.Contains(t, p.Body, `<input id="payer-name-4" name="payer_name" value=""`)
	require.Contains(t, p.Body, `<input type="checkbox" name="payer_remove" value="1" checked>`)

	// Guardian is removed and the empty row left out, so the API's second
	// payer is Aetna, on the form's third row.
	p = b.Post(t, "maria", "/clearinghouses/acme/payers", form)
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	sent := b.API.Last(t, http.MethodPut, "/api/v1/clearinghouses/acme/payers")
	require.JSONEq(t, `[{"name":"Delta Dental","id":"DD001","eligibility":true,"claim_status":false},
{"name":"Aetna","id":"","eligibility":true,"claim_status":false}]`, string(sent.Raw))
	require.Contains(t, text(p), `<small id="payer-id-2-error" class="field-error">Payer id is required: the clearinghouse's id for the payer.</small>`)
	require.Contains(t, p.Body, `<input id="payer-id-2" name="payer_id" value="" autocomplete="off" spellcheck="false" aria-invalid="true" aria-describedby="payer-id-2-error">`)
	require.Contains(t, p.Body, `value="Aetna"`)
}

// TestFilesAreFoundByControlNumber: the number a clearinghouse's desk
// quotes is passed on as typed, the page says which files it lists, and a
// number the API refuses is refused beside the field, the newest files
// still listed.
func TestFilesAreFoundByControlNumber(t *testing.T) {
	t.Parallel()
	b := setup(t, clearinghouseAPI(nil))
	p := b.Get(t, "maria", "/clearinghouses/acme?control=412")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Equal(t, "control=412", b.API.Last(t, http.MethodGet, "/api/v1/clearinghouses/acme/files").Query)
	require.Contains(t, p.Body, `<caption class="visually-hidden">The files of control number 412, newest first.`)
	require.Contains(t, p.Body, `<a href="/clearinghouses/acme">Show the newest files</a>`)
	require.Contains(t, p.Body, `<input type="text" id="control" name="control" inputmode="numeric" value="412"`)

	calls := 0
	refusing := func() (int, string) {
		calls++
		if calls == 1 {
			return 400, `{"error":{"code":"invalid_control","field":"control","message":"must be an interchange control number: up to 9 digits"}}`
		}
		return 200, filesJSON
	}
	b = setup(t, clearinghouseAPI(map[string]func() (int, string){"GET /api/v1/clearinghouses/acme/files": refusing}))
	p = b.Get(t, "maria", "/clearinghouses/acme?control=12a")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, p.Body, `aria-describedby="control-hint control-error" aria-invalid="true"`)
	require.Contains(t, p.Body, "must be an interchange control number: up to 9 digits")
	require.Contains(t, p.Body, `<caption class="visually-hidden">The newest 5 files, newest first.`)
	require.Equal(t, "limit=100", b.API.Last(t, http.MethodGet, "/api/v1/clearinghouses/acme/files").Query)
}
