package devstack_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

func multipartBody(t *testing.T, fields map[string]string, file string) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		require.NoError(t, w.WriteField(k, v))
	}
	if file != "" {
		fw, err := w.CreateFormFile("file", "export.csv")
		require.NoError(t, err)
		_, err = fw.Write([]byte(file))
		require.NoError(t, err)
	}
	require.NoError(t, w.Close())
	return &buf, w.FormDataContentType()
}

func (b bundle) upload(t *testing.T, path, token string, fields map[string]string, file string) *httptest.ResponseRecorder {
	t.Helper()
	body, ct := multipartBody(t, fields, file)
	req := httptest.NewRequest("POST", path, body)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Authorization", "Bearer "+token)
	w := httptest.NewRecorder()
	b.engine.ServeHTTP(w, req)
	return w
}

func TestImportAPI(t *testing.T) {
	t.Parallel()
	for _, d := range testenv.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			testImportAPI(t, appDatabase(t, d))
		})
	}
}

func testImportAPI(t *testing.T, dbURL string) {
	b := setup(t, dbURL)
	pat, alice := b.token(t, "pat"), b.token(t, "alice")
	var me struct {
		Memberships []struct {
			PracticeID string `json:"practice_id"`
		} `json:"memberships"`
	}
	b.api.Do("GET", "/api/v1/me", "", bearer(pat)...).JSON(t, &me)
	path := "/api/v1/practices/" + me.Memberships[0].PracticeID + "/imports"

	file := "patient_id,first_name,last_name,date_of_birth,phone\n" +
		"NEW-1,Rosa,Ibarra,03/14/1972,512-555-0199\n" +
		"NEW-2,Tom,,13/45/1980,12\n"

	w := b.upload(t, path, alice, map[string]string{"kind": "patients"}, file)
	require.Equal(t, 403, w.Code, "agents do not import")
	w = b.upload(t, path, pat, map[string]string{"kind": "patients"}, "patient_id\nX\n")
	require.Equal(t, 400, w.Code)
	require.Contains(t, w.Body.String(), `"field":"file"`, "missing columns are refused before queueing")
	w = b.upload(t, path, pat, map[string]string{"kind": "invoices"}, file)
	require.Equal(t, 400, w.Code)
	require.Contains(t, w.Body.String(), `"field":"kind"`)

	// Over the size limit: refused from Content-Length, before the body.
	req := httptest.NewRequest("POST", path, strings.NewReader("x"))
	req.ContentLength = 60 << 20
	req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
	req.Header.Set("Authorization", "Bearer "+pat)
	rec := httptest.NewRecorder()
	b.engine.ServeHTTP(rec, req)
	require.Equal(t, 413, rec.Code)

	w = b.upload(t, path, pat, map[string]string{"kind": "patients", "dry_run": "true"}, file)
	require.Equal(t, 202, w.Code, w.Body.String())
	dry := waitImport(t, b, w.Header().Get("Location"), pat)
	require.Equal(t, true, dry["dry_run"])
	require.EqualValues(t, 0, dry["rows_applied"])
	require.EqualValues(t, 1, dry["rows_rejected"])

	w = b.upload(t, path, pat, map[string]string{"kind": "patients"}, file)
	require.Equal(t, 202, w.Code)
	loc := w.Header().Get("Location")
	done := waitImport(t, b, loc, pat)
	require.EqualValues(t, 1, done["rows_applied"])
	require.EqualValues(t, 100, done["progress"])

	res := b.api.Do("GET", loc+"/errors.csv", "", bearer(pat)...)
	require.Equal(t, 200, res.Code)
	rows, err := csv.NewReader(bytes.NewReader(res.Body)).ReadAll()
	require.NoError(t, err)
	require.Equal(t, []string{"line", "column", "rule", "message"}, rows[0])
	require.Greater(t, len(rows), 1)
	for _, r := range rows[1:] {
		require.Equal(t, "3", r[0])
		require.NotContains(t, r[3], "13/45/1980")
	}
	var list struct {
		Imports []struct {
			ID     string `json:"id"`
			DryRun bool   `json:"dry_run"`
		} `json:"imports"`
	}
	res = b.api.Do("GET", path+"?limit=2", "", bearer(pat)...)
	require.Equal(t, 200, res.Code, string(res.Body))
	res.JSON(t, &list)
	require.Len(t, list.Imports, 2)
	require.Equal(t, loc, "/api/v1/imports/"+list.Imports[0].ID, "newest first")
	require.True(t, list.Imports[1].DryRun)
	require.Equal(t, 403, b.api.Do("GET", path, "", bearer(alice)...).Code, "agents do not list imports")
	require.Equal(t, 400, b.api.Do("GET", path+"?limit=0", "", bearer(pat)...).Code)

	res = b.api.Do("GET", loc, "", bearer(alice)...)
	require.Equal(t, 403, res.Code, "someone else's import is refused")
	require.Contains(t, string(res.Body), `"not_a_member"`)
}

func waitImport(t *testing.T, b bundle, loc, token string) map[string]any {
	t.Helper()
	var out map[string]any
	require.Eventually(t, func() bool {
		res := b.api.Do("GET", loc, "", "Authorization", "Bearer "+token)
		if res.Code != http.StatusOK {
			return false
		}
		out = nil
		res.JSON(t, &out)
		return out["state"] == "succeeded" || out["state"] == "failed"
	}, 2*time.Minute, 25*time.Millisecond) // a hang guard: at start the stack is also routing the demo's work

	require.Equal(t, "succeeded", out["state"], fmt.Sprint(out))
	return out
}
