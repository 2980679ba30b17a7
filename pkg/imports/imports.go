// Package imports brings a practice's data in from the exports of its
// practice-management system. An upload is stored and queued; a worker
// parses it, and applies the valid rows, the work items they generate and
// the report in one transaction, so a failed import leaves the database as
// it was and a repeated one changes nothing. Every rejected row is
// reported by line, column and rule, never by value.
package imports

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/payer"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/outbox"
	"github.com/backdesk/backdesk/pkg/records"
	"github.com/backdesk/backdesk/pkg/records/recordcsv"
	"github.com/google/uuid"
)

// State is where an import stands.
type State string

// The import states.
const (
	Queued    State = "queued"
	Running   State = "running"
	Succeeded State = "succeeded"
	Failed    State = "failed"
)

// MaxFileBytes is the largest file accepted (50 MB).
const MaxFileBytes = 50 << 20

// MaxStoredErrors bounds the row errors kept per import; all are counted.
const MaxStoredErrors = 1000

// TaskRun is the task that runs a queued import.
const TaskRun = "import:run"

// RunArgs is the task that runs an uploaded import.
type RunArgs struct {
	ImportID string `json:"import_id"`
}

// Kind implements outbox.Args.
func (RunArgs) Kind() string { return TaskRun }

// Queue implements outbox.Args.
func (RunArgs) Queue() string { return queueSystem }

// Validate refuses a payload without an import.
func (a RunArgs) Validate() error {
	if a.ImportID == "" {
		return errors.New("no import id")
	}
	return nil
}

// queueSystem is where imports and work generation wait: housekeeping,
// beside the queues of the follow-up work they create.
const queueSystem = "system"

// Import is one upload and, once run, its report.
type Import struct {
	ID           string
	PracticeID   string
	Kind         records.Kind
	Preset       recordcsv.Preset
	Mapping      recordcsv.Mapping
	Filename     string
	SizeBytes    int64
	SHA256       string
	DryRun       bool
	State        State
	RowsRead     int
	RowsApplied  int
	RowsRejected int
	ItemsCreated int
	ErrorCode    string
	ErrorMessage string
	CreatedBy    string
	CreatedAt    time.Time
	StartedAt    *time.Time
	FinishedAt   *time.Time
	Errors       []recordcsv.RowError // up to MaxStoredErrors, by line
	// Notices are what a payer's file said that applies to no one claim
	// (provider-level adjustments, batch and provider statuses), up to
	// MaxStoredErrors, in file order.
	Notices  []payer.Notice
	Progress int // percent, while running
}

// Upload is what a practice admin sends.
type Upload struct {
	PracticeID string
	Kind       string
	Preset     string
	Mapping    string // JSON object, with preset "custom"
	Filename   string
	DryRun     bool
	CreatedBy  string
	Content    io.Reader // streamed; never held whole
	Size       int64     // as declared by the upload; checked against what arrives
}

// headBytes is how much of a file is read up front to check its header.
const headBytes = 64 << 10

// validate checks everything that can be checked before queueing,
// including the file's header (in head, the file's first bytes), so a
// wrong file is refused at once.
func (u Upload) validate(head []byte) (Import, error) {
	kind := records.Kind(strings.TrimSpace(u.Kind))
	if IsX12(kind) {
		return u.validX12(kind, head)
	}
	if !slices.Contains(records.Kinds, kind) {
		return Import{}, apperr.Invalid("kind", "invalid_kind", "must be one of patients, balances, claims, recalls, treatments, appointments, era835, claimstatus277")
	}
	preset := recordcsv.Preset(strings.TrimSpace(u.Preset))
	if preset == "" {
		preset = "canonical"
	}
	if !slices.Contains(recordcsv.Presets(), preset) {
		return Import{}, apperr.Invalid("preset", "invalid_preset", "must be one of canonical, opendental, dentrix, eaglesoft, custom")
	}
	var mapping recordcsv.Mapping
	if preset == "custom" {
		if err := json.Unmarshal([]byte(u.Mapping), &mapping); err != nil || len(mapping) == 0 {
			return Import{}, apperr.Invalid("mapping", "invalid_mapping", `with preset custom, give a JSON object of canonical column to your header, e.g. {"patient_id":"Chart #"}`)
		}
	} else if strings.TrimSpace(u.Mapping) != "" {
		return Import{}, apperr.Invalid("mapping", "invalid_mapping", "is only used with preset custom")
	}
	if len(head) == 0 {
		return Import{}, apperr.Invalid("file", "empty_file", "the file is empty")
	}
	if u.Size > MaxFileBytes {
		return Import{}, ErrTooLarge
	}
	if _, err := recordcsv.NewReader(bytes.NewReader(head), recordcsv.Options{Kind: kind, Preset: preset, Mapping: mapping}); err != nil {
		return Import{}, fileError(err)
	}
	return u.newImport(kind, preset, mapping), nil
}

// validX12 checks an X12 upload: its options, size and the start of its file.
func (u Upload) validX12(kind records.Kind, head []byte) (Import, error) {
	switch {
	case len(head) == 0:
		return Import{}, apperr.Invalid("file", "empty_file", "the file is empty")
	case u.Size > MaxFileBytes:
		return Import{}, ErrTooLarge
	}
	if err := validateX12(kind, u, head); err != nil {
		return Import{}, err
	}
	return u.newImport(kind, PresetX12, nil), nil
}

func (u Upload) newImport(kind records.Kind, preset recordcsv.Preset, mapping recordcsv.Mapping) Import {
	name := strings.TrimSpace(u.Filename)
	if len(name) > 200 {
		name = name[:200]
	}
	return Import{
		ID: uuid.Must(uuid.NewV7()).String(), PracticeID: u.PracticeID, Kind: kind, Preset: preset, Mapping: mapping,
		Filename: name, DryRun: u.DryRun,
		State: Queued, CreatedBy: u.CreatedBy,
	}
}

// fileError turns the reader's file-level problem into an input error on
// the file field.
func fileError(err error) error {
	if fe, ok := err.(*recordcsv.FileError); ok {
		return &apperr.Error{Kind: apperr.KindInvalid, Code: fe.Code, Field: "file", Message: fe.Message}
	}
	return apperr.Invalid("file", "unreadable", "the file cannot be read as CSV")
}

// ErrSuperseded stops a run of an import that a later run has taken over.
var ErrSuperseded = errors.New("imports: a later run of this import took over")

// ErrUnreadable reports an upload that broke off while being read.
var ErrUnreadable = apperr.Invalid("file", "unreadable", "the uploaded file cannot be read; try the upload again")

// ErrTooLarge refuses a file over MaxFileBytes.
var ErrTooLarge = &apperr.Error{Kind: apperr.KindTooLarge, Code: "file_too_large", Field: "file", Message: "files may be at most 50 MB; split the export"}

// Storer keeps imports.
type Storer interface {
	// Create stores the import, its file (streamed from content, at most
	// MaxFileBytes, or ErrTooLarge), the task that runs it and its audit
	// event in one transaction, and returns the file's size and SHA-256.
	Create(ctx context.Context, imp Import, content io.Reader, task outbox.Message, ev audit.Event) (size int64, sha string, err error)
	// Open streams a stored file.
	Open(ctx context.Context, id string) io.Reader
	Get(ctx context.Context, id string) (Import, error)
	// List returns a practice's imports, newest first, without row errors.
	List(ctx context.Context, practiceID string, limit int) ([]Import, error)
	// PracticeOf returns the practice an import belongs to.
	PracticeOf(ctx context.Context, id string) (string, error)
	// AllErrors streams every stored row error of an import, by line.
	AllErrors(ctx context.Context, id string, fn func(recordcsv.RowError) error) error
	// Start marks a queued (or interrupted running) import as running and
	// returns it; ok is false when it already finished.
	Start(ctx context.Context, id string, at time.Time) (imp Import, ok bool, err error)
	// Fail records a failure that applied nothing, unless a later run of
	// the same import (another StartedAt) has taken over.
	Fail(ctx context.Context, imp Import, code, message string, at time.Time) error
	// Finish writes a finished import's report and its audit event and
	// drops its file, through tx (the transaction that applied the rows)
	// when given. It fails with ErrSuperseded when a later run of the
	// import started (imp.StartedAt is the run's token), so two runs can
	// never both commit.
	Finish(ctx context.Context, tx *sql.Tx, imp Import, ev audit.Event) error
}

// Progress shares a running import's progress between processes.
type Progress interface {
	Set(ctx context.Context, id string, percent int)
	Get(ctx context.Context, id string) (int, bool)
}

// reason is an import's audit reason: its kind, a code, and whether it
// was a dry run. The file's name is the uploader's free text and may name
// a patient, so it is never recorded.
func reason(imp Import) string {
	if imp.DryRun {
		return string(imp.Kind) + " dry_run"
	}
	return string(imp.Kind)
}

// finishEvent is the event of a finished import: the worker applied it at
// the uploader's request (UserID), and it counts rows, never their content.
func finishEvent(imp Import, at time.Time) audit.Event {
	ev := audit.Change(audit.Event{}, at, audit.ActionImportFinish, imp.PracticeID, audit.TargetImport, imp.ID)
	ev.UserID, ev.Reason = imp.CreatedBy, reason(imp)
	ev.Counts = map[string]int{"rows_read": imp.RowsRead, "rows_applied": imp.RowsApplied,
		"rows_rejected": imp.RowsRejected, "items_created": imp.ItemsCreated}
	return ev
}

func newTask(id string) outbox.Message {
	m, _ := outbox.New(RunArgs{ImportID: id}, time.Time{}) // two strings always encode
	return m
}
