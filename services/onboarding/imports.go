package onboarding

import (
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/backdesk/backdesk/pkg/imports"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/backdesk/backdesk/pkg/records/recordcsv"
	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/backdesk/backdesk/services/internal/auditmw"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/backdesk/backdesk/services/internal/authz"
	"github.com/gin-gonic/gin"
)

// uploadSlack allows for the multipart envelope around a file at the limit.
const uploadSlack = 1 << 20

var errTooLarge = imports.ErrTooLarge

// upload takes a multipart form: file, kind, and optionally preset,
// mapping and dry_run. The size is checked before the body is read.
func (a *API) upload(c *gin.Context) {
	if c.Request.ContentLength > imports.MaxFileBytes+uploadSlack {
		web.Fail(c, errTooLarge)
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, imports.MaxFileBytes+uploadSlack)
	// Up to 1 MB of the form is kept in memory; a larger file part waits
	// in a temporary file, removed when the request ends.
	if err := c.Request.ParseMultipartForm(1 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			web.Fail(c, errTooLarge)
			return
		}
		web.Fail(c, apperr.Invalid("file", "not_multipart", "send the file as multipart/form-data with fields file and kind"))
		return
	}
	defer func() { _ = c.Request.MultipartForm.RemoveAll() }()
	fh, err := c.FormFile("file")
	if err != nil {
		web.Fail(c, apperr.Invalid("file", "required", "attach the export as the form field file"))
		return
	}
	if fh.Size > imports.MaxFileBytes {
		web.Fail(c, errTooLarge)
		return
	}
	f, err := fh.Open()
	if err != nil {
		web.Fail(c, imports.ErrUnreadable)
		return
	}
	defer f.Close()
	dry := false
	if v := c.PostForm("dry_run"); v != "" {
		if dry, err = strconv.ParseBool(v); err != nil {
			web.Fail(c, apperr.Invalid("dry_run", "invalid_bool", "must be true or false"))
			return
		}
	}
	by, _ := authn.PrincipalFrom(c.Request.Context())
	imp, err := a.imports.As(auditmw.By(c)).Submit(c.Request.Context(), imports.Upload{
		PracticeID: c.Param("id"), Kind: c.PostForm("kind"), Preset: c.PostForm("preset"), Mapping: c.PostForm("mapping"),
		Filename: fh.Filename, DryRun: dry, CreatedBy: by.UserID, Content: f, Size: fh.Size,
	})
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/imports/"+imp.ID)
	c.JSON(http.StatusAccepted, importResponseFrom(imp))
}

// loadImport returns the import if the caller may see it: platform admins
// and the practice's admins. Anyone else is told it does not exist. The
// import is read, and the rest of the request runs, within its practice's
// scope.
func (a *API) loadImport(c *gin.Context) (imports.Import, bool) {
	// The guard found the import's practice, decided, and scoped the
	// request to that practice.
	ctx := c.Request.Context()
	imp, err := a.imports.Get(ctx, c.Param("importID"))
	if err != nil {
		web.Fail(c, err)
		return imports.Import{}, false
	}
	return imp, true
}

// listImports answers the practice's latest imports, newest first, with
// their reports but not their row errors (those are on each import).
func (a *API) listImports(c *gin.Context) {
	n := 50
	if v := c.Query("limit"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 || n > 200 {
			web.Fail(c, apperr.Invalid("limit", "out_of_range", "must be a whole number from 1 to 200"))
			return
		}
	}
	_, res, _ := authz.DecisionFrom(c.Request.Context())
	list, err := a.imports.List(c.Request.Context(), res.PracticeID, n)
	if err != nil {
		web.Fail(c, err)
		return
	}
	out := make([]api.Import, 0, len(list))
	for _, imp := range list {
		out = append(out, importResponseFrom(imp))
	}
	c.JSON(http.StatusOK, api.ImportList{Imports: out})
}

func (a *API) getImport(c *gin.Context) {
	if imp, ok := a.loadImport(c); ok {
		c.JSON(http.StatusOK, importResponseFrom(imp))
	}
}

// importErrorsCSV downloads the rejected rows as CSV: line, column, rule,
// message. The rows' values are not in it; the practice has its own file.
func (a *API) importErrorsCSV(c *gin.Context) {
	imp, ok := a.loadImport(c)
	if !ok {
		return
	}
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="import-%s-errors.csv"`, imp.ID))
	c.Status(http.StatusOK)
	w := csv.NewWriter(c.Writer)
	_ = w.Write([]string{"line", "column", "rule", "message"})
	_ = a.imports.AllErrors(c.Request.Context(), imp.ID, func(e recordcsv.RowError) error {
		return w.Write([]string{strconv.Itoa(e.Line), e.Column, e.Rule, e.Message})
	})
	w.Flush()
}

func importResponseFrom(i imports.Import) api.Import {
	r := api.Import{
		ID: i.ID, PracticeID: i.PracticeID, Kind: string(i.Kind), Preset: string(i.Preset), Filename: i.Filename,
		SizeBytes: i.SizeBytes, SHA256: i.SHA256, DryRun: i.DryRun, State: string(i.State), Progress: i.Progress,
		RowsRead: i.RowsRead, RowsApplied: i.RowsApplied, RowsRejected: i.RowsRejected, ItemsCreated: i.ItemsCreated,
		Errors: []api.RowError{}, Notices: []api.ImportNotice{}, CreatedAt: i.CreatedAt, StartedAt: i.StartedAt, FinishedAt: i.FinishedAt,
	}
	for _, e := range i.Errors {
		r.Errors = append(r.Errors, api.RowError(e))
	}
	for _, n := range i.Notices {
		r.Notices = append(r.Notices, api.ImportNotice(n))
	}
	if i.ErrorCode != "" {
		r.ErrorCode, r.ErrorMessage = &i.ErrorCode, &i.ErrorMessage
	}
	return r
}
