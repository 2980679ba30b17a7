package api

import "time"

// MaxImportFile is the largest file an import takes (50 MB); the console
// refuses a bigger one before sending it.
const MaxImportFile = 50 << 20

// Import is an upload of a practice-management export and its report:
// how far it got, the rows read, applied and rejected, and the first row
// errors (the rest are in its CSV error report).
type Import struct {
	ID           string     `json:"id"`
	PracticeID   string     `json:"practice_id"`
	Kind         string     `json:"kind"`
	Preset       string     `json:"preset"`
	Filename     string     `json:"filename"`
	SizeBytes    int64      `json:"size_bytes"`
	SHA256       string     `json:"sha256"`
	DryRun       bool       `json:"dry_run"`
	State        string     `json:"state"`
	Progress     int        `json:"progress"`
	RowsRead     int        `json:"rows_read"`
	RowsApplied  int        `json:"rows_applied"`
	RowsRejected int        `json:"rows_rejected"`
	ItemsCreated int        `json:"items_created"`
	Errors       []RowError `json:"errors"`
	// Notices are what a payer's file said that applies to no one claim:
	// provider-level adjustments and batch or provider statuses.
	Notices      []ImportNotice `json:"notices"`
	ErrorCode    *string        `json:"error_code"`
	ErrorMessage *string        `json:"error_message"`
	CreatedAt    time.Time      `json:"created_at"`
	StartedAt    *time.Time     `json:"started_at"`
	FinishedAt   *time.Time     `json:"finished_at"`
}

// RowError is one rejected row: where, and what rule it broke. The row's
// values are never in it.
type RowError struct {
	Line    int    `json:"line"`
	Column  string `json:"column"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

// ImportNotice is something a payer's file said that was not posted to
// any claim, listed for the practice.
type ImportNotice struct {
	Line        int    `json:"line"`
	Element     string `json:"element"`
	Kind        string `json:"kind"`
	Code        string `json:"code"`
	Message     string `json:"message"`
	AmountCents int64  `json:"amount_cents,omitempty"`
	Reference   string `json:"reference,omitempty"`
}

// ImportList is a practice's latest imports, newest first; each import's
// own answer has its row errors.
type ImportList struct {
	Imports []Import `json:"imports"`
}
