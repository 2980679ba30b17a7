package practice

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/services/console/internal/kit"
	"github.com/backdesk/backdesk/services/console/internal/kittest"
	"github.com/stretchr/testify/require"
)

// hangGuard bounds a wait that only a bug would make long.
const hangGuard = 30 * time.Second

// importBody writes the import form as a browser does: fields first,
// the file last.
func importBody(t *testing.T, fields [][2]string, file string) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, f := range fields {
		require.NoError(t, w.WriteField(f[0], f[1]))
	}
	if file != "" {
		fw, err := w.CreateFormFile("file", "C:\\exports\\patients.csv")
		require.NoError(t, err)
		_, err = io.WriteString(fw, file)
		require.NoError(t, err)
	}
	require.NoError(t, w.Close())
	return &buf, w.FormDataContentType()
}

// postUpload posts an import form as pat's page script does: the CSRF
// token in the header, the body unread by the authentication.
func (b bundle) postUpload(t *testing.T, body io.Reader, contentType string, size int64, header ...string) kittest.Page {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/practices/pr-1/imports", body)
	req.ContentLength = size
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Test-User", "pat")
	req.Header.Set("X-CSRF-Token", "csrf-pat")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	b.Engine.ServeHTTP(w, req)
	return kittest.Page{Code: w.Code, Header: w.Header(), Body: w.Body.String()}
}

// uploaded is what the fake API's upload received.
type uploaded struct {
	fields map[string]string
	file   string
	name   string
	csrf   string
}

func uploadHandler(got chan<- uploaded, status int, answer string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u := uploaded{fields: map[string]string{}, csrf: r.Header.Get("X-CSRF-Token")}
		mr, err := r.MultipartReader()
		if err == nil {
			for {
				part, err := mr.NextPart()
				if err != nil {
					break
				}
				raw, _ := io.ReadAll(part)
				if part.FormName() == "file" {
					u.file, u.name = string(raw), part.FileName()
				} else {
					u.fields[part.FormName()] = string(raw)
				}
			}
		}
		got <- u
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, answer)
	}
}

const importJSON = `{"id":"im-1","practice_id":"pr-1","kind":"patients","preset":"canonical","filename":"patients.csv","size_bytes":90,
"sha256":"x","dry_run":false,"state":"%s","progress":%d,"rows_read":2,"rows_applied":1,"rows_rejected":1,"items_created":0,
"errors":[{"line":3,"column":"date_of_birth","rule":"date","message":"not a date: use MM/DD/YYYY"}],"error_code":null,"error_message":null,
"created_at":"2026-11-20T12:00:00Z","started_at":null,"finished_at":null}`

func TestUploadIsForwardedWithItsFields(t *testing.T) {
	t.Parallel()
	got := make(chan uploaded, 1)
	b := setup(t, nil)
	b.API.Handlers = map[string]http.HandlerFunc{
		"POST /api/v1/practices/pr-1/imports": uploadHandler(got, http.StatusAccepted, fmt.Sprintf(importJSON, "queued", 0)),
	}
	csv := "patient_id,first_name,last_name,date_of_birth\nP1,Rosa,Ibarra,03/14/1972\n"
	body, ct := importBody(t, [][2]string{{"csrf_token", "csrf-pat"}, {"kind", "patients"}, {"preset", "opendental"}}, csv)
	p := b.postUpload(t, body, ct, int64(body.Len()), "HX-Request", "true")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Equal(t, "/imports/im-1", p.Header.Get("HX-Redirect"), "htmx loads the import's page")
	u := <-got
	require.Equal(t, map[string]string{"kind": "patients", "preset": "opendental", "dry_run": "false"}, u.fields,
		"an unticked dry run is sent as false, and the token stays out of the API's form")
	require.Equal(t, csv, u.file)
	require.Equal(t, "patients.csv", u.name, "the file's own name, without the folder")
	require.Equal(t, "csrf-pat", u.csrf)
}

// TestUploadStreams has the API read the start of the file before the
// browser has sent the rest: nothing waits for the whole body.
func TestUploadStreams(t *testing.T) {
	t.Parallel()
	firstChunk := make(chan struct{})
	b := setup(t, nil)
	b.API.Handlers = map[string]http.HandlerFunc{
		"POST /api/v1/practices/pr-1/imports": func(w http.ResponseWriter, r *http.Request) {
			mr, err := r.MultipartReader()
			require.NoError(t, err)
			for {
				part, err := mr.NextPart()
				require.NoError(t, err)
				if part.FormName() != "file" {
					continue
				}
				buf := make([]byte, 5)
				_, err = io.ReadFull(part, buf)
				require.NoError(t, err)
				require.Equal(t, "head,", string(buf))
				close(firstChunk)
				rest, _ := io.ReadAll(part)
				require.Equal(t, "rest\n", string(rest))
				break
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusAccepted)
			_, _ = fmt.Fprintf(w, importJSON, "queued", 0)
		},
	}
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		_ = mw.WriteField("kind", "patients")
		_ = mw.WriteField("dry_run", "true")
		fw, _ := mw.CreateFormFile("file", "p.csv")
		_, _ = io.WriteString(fw, "head,")
		select {
		case <-firstChunk:
		case <-time.After(hangGuard):
			_ = pw.CloseWithError(fmt.Errorf("the API never saw the start of the file"))
			return
		}
		_, _ = io.WriteString(fw, "rest\n")
		_ = mw.Close()
		_ = pw.Close()
	}()
	p := b.postUpload(t, pr, mw.FormDataContentType(), -1)
	require.Equal(t, http.StatusSeeOther, p.Code, p.Body)
	require.Equal(t, "/imports/im-1", p.Header.Get("Location"))
}

func TestUploadRefusals(t *testing.T) {
	t.Parallel()
	got := make(chan uploaded, 4)
	b := setup(t, nil)
	b.API.Handlers = map[string]http.HandlerFunc{
		"POST /api/v1/practices/pr-1/imports": uploadHandler(got, http.StatusBadRequest,
			`{"error":{"code":"missing_columns","field":"file","message":"the header lacks date_of_birth"}}`),
	}
	// Too large: refused from its Content-Length, before anything is read.
	p := b.postUpload(t, strings.NewReader("x"), "multipart/form-data; boundary=x", 60<<20)
	require.Equal(t, http.StatusOK, p.Code)
	require.Contains(t, p.Body, `<small id="file-error" class="field-error">the file is over 50 MB`)
	require.False(t, b.API.Called("POST", "/api/v1/practices/pr-1/imports"))

	// No kind and no file: the console's own refusals, beside each field.
	body, ct := importBody(t, [][2]string{{"kind", "invoices"}}, "")
	p = b.postUpload(t, body, ct, int64(body.Len()))
	require.Contains(t, p.Body, `<small id="kind-error" class="field-error">Choose what the file holds.</small>`)
	require.Contains(t, p.Body, `<small id="file-error" class="field-error">Choose the file to import.</small>`)
	require.Len(t, got, 0)

	// The API's refusal of the file, with the form as it was typed.
	body, ct = importBody(t, [][2]string{{"kind", "claims"}, {"preset", "dentrix"}, {"dry_run", "true"}}, "patient_id\nX\n")
	p = b.postUpload(t, body, ct, int64(body.Len()))
	require.Equal(t, http.StatusOK, p.Code)
	require.Contains(t, p.Body, `<small id="file-error" class="field-error">the header lacks date_of_birth</small>`)
	require.Contains(t, p.Body, `aria-describedby="file-hint file-error" aria-invalid="true"`)
	require.Contains(t, p.Body, `<option value="claims" selected>`)
	require.Contains(t, p.Body, `<option value="dentrix" selected>`)
	require.Contains(t, p.Body, `value="true" role="switch" aria-describedby="dry_run-hint" checked>`)
	require.Equal(t, "true", (<-got).fields["dry_run"])
}

// TestUploadPostedWithoutScript covers a form posted with its token in the
// body, which the authentication parses before the console sees it.
func TestUploadPostedWithoutScript(t *testing.T) {
	t.Parallel()
	got := make(chan uploaded, 1)
	b := setup(t, nil)
	b.API.Handlers = map[string]http.HandlerFunc{
		"POST /api/v1/practices/pr-1/imports": uploadHandler(got, http.StatusAccepted, fmt.Sprintf(importJSON, "queued", 0)),
	}
	body, ct := importBody(t, [][2]string{{"csrf_token", "csrf-pat"}, {"kind", "balances"}, {"dry_run", "true"}}, "a,b\n1,2\n")
	p := b.postUpload(t, body, ct, int64(body.Len()), "X-CSRF-Token", "", "X-Test-Parse-Form", "1")
	require.Equal(t, http.StatusSeeOther, p.Code, p.Body)
	u := <-got
	require.Equal(t, "a,b\n1,2\n", u.file)
	require.Equal(t, map[string]string{"kind": "balances", "preset": "canonical", "dry_run": "true"}, u.fields)
}

// TestUploadOverUpstream sends the form on over HTTP, as the console
// running as its own service does.
func TestUploadOverUpstream(t *testing.T) {
	t.Parallel()
	got := make(chan uploaded, 1)
	srv := httptest.NewServer(uploadHandler(got, http.StatusAccepted, fmt.Sprintf(importJSON, "queued", 0)))
	t.Cleanup(srv.Close)
	up, err := kit.Upstream(srv.URL, nil, nil)
	require.NoError(t, err)
	b := setup(t, nil)
	b.API.Handlers = map[string]http.HandlerFunc{"POST /api/v1/practices/pr-1/imports": up.ServeHTTP}
	csv := strings.Repeat("P1,Rosa,Ibarra,03/14/1972\n", 20000)
	body, ct := importBody(t, [][2]string{{"kind", "patients"}, {"dry_run", "true"}}, csv)
	p := b.postUpload(t, body, ct, int64(body.Len()))
	require.Equal(t, http.StatusSeeOther, p.Code, p.Body)
	require.Equal(t, "/imports/im-1", p.Header.Get("Location"), "the API's answer comes back whole")
	u := <-got
	require.Equal(t, csv, u.file)
	require.Equal(t, "csrf-pat", u.csrf)
}

// TestUploadRefusedForScriptSaysSoInTheForm: htmx swaps in only a 2xx
// page, so a refusal of the page's own post is told in the form.
func TestUploadRefusedForScriptSaysSoInTheForm(t *testing.T) {
	t.Parallel()
	got := make(chan uploaded, 2)
	b := setup(t, nil)
	b.API.Handlers = map[string]http.HandlerFunc{
		"POST /api/v1/practices/pr-1/imports": uploadHandler(got, http.StatusForbidden,
			`{"error":{"code":"practice_not_active","message":"the practice is suspended"}}`),
	}
	body, ct := importBody(t, [][2]string{{"kind", "patients"}}, "a\n")
	p := b.postUpload(t, body, ct, int64(body.Len()), "HX-Request", "true")
	require.Equal(t, http.StatusOK, p.Code)
	require.Contains(t, p.Body, `<p class="form-alert" role="alert">Not sent: the practice is suspended (practice_not_active)</p>`)

	body, ct = importBody(t, [][2]string{{"kind", "patients"}}, "a\n")
	p = b.postUpload(t, body, ct, int64(body.Len()))
	require.Equal(t, http.StatusForbidden, p.Code, "a plain post gets the error page")
	require.Contains(t, p.Body, `<code id="reason-code">practice_not_active</code>`)
}

// TestUploadX12GoesWithoutPresetOrMapping sends a payer's 835 through the
// console: the kind is offered, and the file goes with its kind alone, as
// the API takes X12 files, whatever the preset select still holds.
func TestUploadX12GoesWithoutPresetOrMapping(t *testing.T) {
	t.Parallel()
	got := make(chan uploaded, 1)
	b := setup(t, nil)
	b.API.Handlers = map[string]http.HandlerFunc{
		"POST /api/v1/practices/pr-1/imports": uploadHandler(got, http.StatusAccepted, fmt.Sprintf(importJSON, "queued", 0)),
	}
	p := b.Get(t, "pat", "/practices/pr-1/imports")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, p.Body, `<option value="era835">835 remittance advice (X12)</option>`)
	require.Contains(t, p.Body, `<option value="claimstatus277">277 claim status (X12)</option>`)

	x12 := "ISA*00*          *00*          *ZZ*PAYER          *ZZ*PRACTICE       *261120*1200*^*00501*000000001*0*P*:~"
	body, ct := importBody(t, [][2]string{{"csrf_token", "csrf-pat"}, {"kind", "era835"}, {"preset", "canonical"}, {"mapping", ""}}, x12)
	p = b.postUpload(t, body, ct, int64(body.Len()))
	require.Equal(t, http.StatusSeeOther, p.Code, p.Body)
	require.Equal(t, "/imports/im-1", p.Header.Get("Location"))
	u := <-got
	require.Equal(t, map[string]string{"kind": "era835", "dry_run": "false"}, u.fields, "no preset and no mapping for a payer's file")
	require.Equal(t, x12, u.file)

	// A mapping typed for a payer's file is refused beside its field, unsent.
	body, ct = importBody(t, [][2]string{{"kind", "claimstatus277"}, {"mapping", `{"patient_id":"Chart"}`}}, x12)
	p = b.postUpload(t, body, ct, int64(body.Len()))
	require.Equal(t, http.StatusOK, p.Code)
	require.Contains(t, p.Body, `<small id="mapping-error" class="field-error">A payer&#39;s X12 file takes no column mapping: leave it empty.</small>`)
	require.Contains(t, p.Body, `<option value="claimstatus277" selected>`)
	require.Len(t, got, 0)
}

// TestUploadCustomHeadersAsksForTheColumns: a file with the practice's
// own headers is not sent at first; the console shows its columns with
// the first row, to match to Backdesk's, and sends the matches as the
// mapping with the file chosen again.
func TestUploadCustomHeadersAsksForTheColumns(t *testing.T) {
	t.Parallel()
	got := make(chan uploaded, 2)
	b := setup(t, nil)
	b.API.Handlers = map[string]http.HandlerFunc{
		"POST /api/v1/practices/pr-1/imports": uploadHandler(got, http.StatusAccepted, fmt.Sprintf(importJSON, "queued", 0)),
	}
	csv := "\xef\xbb\xbfChart #,Given,Surname,DOB,Cell\nP1,Rosa,Ibarra,03/14/1972,512-555-0199\n"
	body, ct := importBody(t, [][2]string{{"kind", "patients"}, {"preset", "custom"}, {"dry_run", "true"}}, csv)
	p := b.postUpload(t, body, ct, int64(body.Len()))
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Len(t, got, 0, "nothing is sent before the columns are matched")
	require.Contains(t, p.Body, `<h2 id="upload-title">Match your columns</h2>`)
	require.Contains(t, p.Body, `<label for="map-last_name">Last name</label> <small>(required)</small>`)
	require.Contains(t, p.Body, `<option value="Surname">Surname (first row: Ibarra)</option>`)
	require.Contains(t, p.Body, `<input type="hidden" name="column" value="Chart #"><input type="hidden" name="sample" value="P1">`)
	require.Contains(t, p.Body, `<input type="hidden" name="dry_run" value="true">`)
	require.NotContains(t, p.Body, `<textarea id="mapping"`, "no JSON to write")

	// A required column left unmatched is refused beside its select, and
	// the form comes back from the columns it carries.
	form := [][2]string{{"kind", "patients"}, {"preset", "custom"}, {"dry_run", "true"},
		{"column", "Chart #"}, {"sample", "P1"}, {"column", "Given"}, {"sample", "Rosa"}, {"column", "Surname"}, {"sample", "Ibarra"},
		{"column", "DOB"}, {"sample", "03/14/1972"}, {"column", "Cell"}, {"sample", "512-555-0199"},
		{"map.patient_id", "Chart #"}, {"map.first_name", "Given"}, {"map.last_name", "Surname"}, {"map.date_of_birth", ""}, {"map.phone", "Cell"}}
	body, ct = importBody(t, form, csv)
	p = b.postUpload(t, body, ct, int64(body.Len()))
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, p.Body, `<small id="map-date_of_birth-error" class="field-error">Choose the column that holds the date of birth.</small>`)
	require.Contains(t, p.Body, `<option value="Cell" selected>Cell (first row: 512-555-0199)</option>`)
	require.Len(t, got, 0)

	form[len(form)-2] = [2]string{"map.date_of_birth", "DOB"}
	body, ct = importBody(t, form, csv)
	p = b.postUpload(t, body, ct, int64(body.Len()))
	require.Equal(t, http.StatusSeeOther, p.Code, p.Body)
	u := <-got
	require.Equal(t, map[string]string{"kind": "patients", "preset": "custom", "dry_run": "true",
		"mapping": `{"date_of_birth":"DOB","first_name":"Given","last_name":"Surname","patient_id":"Chart #","phone":"Cell"}`}, u.fields,
		"the matches as the mapping; the carried columns stay out of the API's form")
	require.Equal(t, csv, u.file)
}
