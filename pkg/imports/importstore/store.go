// Package importstore keeps imports, their files and reports in PostgreSQL
// or SQLite, and shares a running import's progress through Redis. The
// upload and the finished import each write their audit event in their
// own transaction.
package importstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/imports"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/outbox"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/records"
	"github.com/backdesk/backdesk/pkg/records/recordcsv"
	"github.com/redis/go-redis/v9"
)

// Store implements imports.Storer.
type Store struct {
	db    *sqldb.DB
	audit audit.Appender
}

var _ imports.Storer = (*Store)(nil)

// New returns a Store over db that appends the audit events of uploads
// and finished imports through a, in their own transactions.
func New(db *sqldb.DB, a audit.Appender) *Store { return &Store{db: db, audit: a} }

const (
	insertImport = `INSERT INTO imports (id, practice_id, kind, preset, mapping, filename, size_bytes, sha256, dry_run, state, created_by, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`
	insertChunk   = `INSERT INTO import_files (import_id, seq, content) VALUES ($1, $2, $3)`
	setFileInfo   = `UPDATE imports SET size_bytes = $2, sha256 = $3 WHERE id = $1`
	selectChunk   = `SELECT content FROM import_files WHERE import_id = $1 AND seq = $2`
	importColumns = `SELECT id, practice_id, kind, preset, mapping, filename, size_bytes, sha256, dry_run, state,
rows_read, rows_applied, rows_rejected, items_created, error_code, error_message, created_by, created_at, started_at, finished_at, notices
FROM imports`
	selectImport     = importColumns + ` WHERE id = $1`
	selectPracticeOf = `SELECT practice_id FROM imports WHERE id = $1`
	selectErrors     = `SELECT line, col, rule, message FROM import_errors WHERE import_id = $1 ORDER BY seq`
	startImport      = `UPDATE imports SET state = 'running', started_at = $2 WHERE id = $1 AND state IN ('queued', 'running')`
	failImport       = `UPDATE imports SET state = 'failed', error_code = $2, error_message = $3, finished_at = $4 WHERE id = $1 AND state = 'running' AND started_at = $5`
	finishImport     = `UPDATE imports SET state = $2, rows_read = $3, rows_applied = $4, rows_rejected = $5, items_created = $6, finished_at = $7,
notices = $9 WHERE id = $1 AND state = 'running' AND started_at = $8`
	insertError = `INSERT INTO import_errors (import_id, seq, line, col, rule, message) VALUES ($1, $2, $3, $4, $5, $6)`
	dropFile    = `DELETE FROM import_files WHERE import_id = $1`
)

// ChunkSize is how much of a file one row holds.
const ChunkSize = 1 << 20

// Create implements imports.Storer. The file is copied in chunks; if it
// turns out larger than the limit, nothing is kept.
func (s *Store) Create(ctx context.Context, imp imports.Import, content io.Reader, task outbox.Message, ev audit.Event) (int64, string, error) {
	mapping, _ := json.Marshal(imp.Mapping)
	var size int64
	var sum string
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, insertImport, imp.ID, imp.PracticeID, string(imp.Kind), string(imp.Preset), string(mapping),
			imp.Filename, 0, "", imp.DryRun, string(imp.State), imp.CreatedBy, imp.CreatedAt); err != nil {
			return fmt.Errorf("insert import: %w", sqldb.MapError(err))
		}
		h := sha256.New()
		buf := make([]byte, ChunkSize)
		size = 0
		for seq := 1; ; seq++ {
			n, err := io.ReadFull(content, buf)
			if n > 0 {
				size += int64(n)
				if size > imports.MaxFileBytes {
					return imports.ErrTooLarge
				}
				h.Write(buf[:n])
				if _, err := tx.ExecContext(ctx, insertChunk, imp.ID, seq, buf[:n]); err != nil {
					return fmt.Errorf("store import file: %w", sqldb.MapError(err))
				}
			}
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				break
			}
			if err != nil {
				return imports.ErrUnreadable
			}
		}
		sum = hex.EncodeToString(h.Sum(nil))
		if _, err := tx.ExecContext(ctx, setFileInfo, imp.ID, size, sum); err != nil {
			return fmt.Errorf("record file size: %w", sqldb.MapError(err))
		}
		if _, err := outbox.Add(ctx, tx, imp.CreatedAt, task); err != nil {
			return err
		}
		return s.audit.Append(ctx, tx, []audit.Event{ev})
	})
	return size, sum, err
}

// Open implements imports.Storer: it reads the file back one chunk at a time.
func (s *Store) Open(ctx context.Context, id string) io.Reader {
	return &chunkReader{ctx: ctx, db: s.db, id: id}
}

type chunkReader struct {
	ctx  context.Context
	db   *sqldb.DB
	id   string
	seq  int
	cur  []byte
	done bool
}

func (r *chunkReader) Read(p []byte) (int, error) {
	for len(r.cur) == 0 {
		if r.done {
			return 0, io.EOF
		}
		r.seq++
		err := r.db.Scoped(r.ctx, func(q sqldb.Querier) error {
			return q.QueryRowContext(r.ctx, selectChunk, r.id, r.seq).Scan(&r.cur)
		})
		if errors.Is(err, sql.ErrNoRows) {
			r.done = true
			return 0, io.EOF
		}
		if err != nil {
			return 0, fmt.Errorf("read import file: %w", sqldb.MapError(err))
		}
	}
	n := copy(p, r.cur)
	r.cur = r.cur[n:]
	return n, nil
}

// PracticeOf implements imports.Storer.
func (s *Store) PracticeOf(ctx context.Context, id string) (string, error) {
	var practiceID string
	err := s.db.Scoped(ctx, func(q sqldb.Querier) error {
		return q.QueryRowContext(ctx, selectPracticeOf, id).Scan(&practiceID)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return "", apperr.NotFound("import")
	}
	if err != nil {
		return "", fmt.Errorf("select import: %w", sqldb.MapError(err))
	}
	return practiceID, nil
}

// Get implements imports.Storer.
func (s *Store) Get(ctx context.Context, id string) (imports.Import, error) {
	var imp imports.Import
	err := s.db.Scoped(ctx, func(q sqldb.Querier) error {
		var err error
		if imp, err = s.get(ctx, q, id); err != nil {
			return err
		}
		imp.Errors, err = rowErrors(ctx, q, id)
		return err
	})
	if err != nil {
		return imports.Import{}, err
	}
	return imp, nil
}

func (s *Store) get(ctx context.Context, q sqldb.Querier, id string) (imports.Import, error) {
	imp, err := scanImport(q.QueryRowContext(ctx, selectImport, id))
	if errors.Is(err, sql.ErrNoRows) {
		return imports.Import{}, apperr.NotFound("import")
	}
	if err != nil {
		return imports.Import{}, fmt.Errorf("select import: %w", sqldb.MapError(err))
	}
	return imp, nil
}

// scanImport reads one row of importColumns.
func scanImport(row interface{ Scan(...any) error }) (imports.Import, error) {
	var imp imports.Import
	var kind, preset, mapping, state string
	var code, msg sql.NullString
	var started, finished sql.NullTime
	var notices string
	err := row.Scan(&imp.ID, &imp.PracticeID, &kind, &preset, &mapping, &imp.Filename, &imp.SizeBytes,
		&imp.SHA256, &imp.DryRun, &state, &imp.RowsRead, &imp.RowsApplied, &imp.RowsRejected, &imp.ItemsCreated, &code, &msg,
		&imp.CreatedBy, &imp.CreatedAt, &started, &finished, &notices)
	if err != nil {
		return imports.Import{}, err
	}
	imp.Kind, imp.Preset, imp.State = records.Kind(kind), recordcsv.Preset(preset), imports.State(state)
	if err := json.Unmarshal([]byte(mapping), &imp.Mapping); err != nil {
		return imports.Import{}, fmt.Errorf("read import %s mapping: %w", imp.ID, err)
	}
	if err := json.Unmarshal([]byte(notices), &imp.Notices); err != nil {
		return imports.Import{}, fmt.Errorf("read import %s notices: %w", imp.ID, err)
	}
	imp.ErrorCode, imp.ErrorMessage = code.String, msg.String
	imp.CreatedAt = imp.CreatedAt.UTC()
	if started.Valid {
		t := started.Time.UTC()
		imp.StartedAt = &t
	}
	if finished.Valid {
		t := finished.Time.UTC()
		imp.FinishedAt = &t
	}
	return imp, nil
}

// List implements imports.Storer: the practice's imports, newest first,
// without their row errors.
func (s *Store) List(ctx context.Context, practiceID string, limit int) ([]imports.Import, error) {
	out := []imports.Import{}
	err := s.db.Tx(sqldb.WithPractice(ctx, practiceID), func(tx *sql.Tx) error {
		out = out[:0]
		rows, err := tx.QueryContext(ctx, importColumns+` WHERE practice_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, practiceID, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			imp, err := scanImport(rows)
			if err != nil {
				return err
			}
			out = append(out, imp)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list imports: %w", sqldb.MapError(err))
	}
	return out, nil
}

// AllErrors implements imports.Storer. The stored errors are few
// (imports.MaxStoredErrors at most), so they are read whole before fn
// sees them: a slow reader of the report holds no transaction open.
func (s *Store) AllErrors(ctx context.Context, id string, fn func(recordcsv.RowError) error) error {
	var all []recordcsv.RowError
	err := s.db.Scoped(ctx, func(q sqldb.Querier) error {
		var err error
		all, err = rowErrors(ctx, q, id)
		return err
	})
	if err != nil {
		return err
	}
	for _, e := range all {
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

func rowErrors(ctx context.Context, q sqldb.Querier, id string) ([]recordcsv.RowError, error) {
	rows, err := q.QueryContext(ctx, selectErrors, id)
	if err != nil {
		return nil, fmt.Errorf("select import errors: %w", sqldb.MapError(err))
	}
	defer rows.Close()
	out := []recordcsv.RowError{}
	for rows.Next() {
		var e recordcsv.RowError
		if err := rows.Scan(&e.Line, &e.Column, &e.Rule, &e.Message); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Start implements imports.Storer.
func (s *Store) Start(ctx context.Context, id string, at time.Time) (imports.Import, bool, error) {
	var imp imports.Import
	ok := false
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, startImport, id, at)
		if err != nil {
			return fmt.Errorf("start import: %w", sqldb.MapError(err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		if imp, err = s.get(ctx, tx, id); err != nil {
			return err
		}
		ok = true
		return nil
	})
	return imp, ok, err
}

// Fail implements imports.Storer. Only the run that started last may
// record the outcome: its start time is the run's token.
func (s *Store) Fail(ctx context.Context, imp imports.Import, code, message string, at time.Time) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, failImport, imp.ID, code, message, at, startedAt(imp))
		if err != nil {
			return fmt.Errorf("fail import: %w", sqldb.MapError(err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // a later run of the same import owns it now
		}
		_, err = tx.ExecContext(ctx, dropFile, imp.ID)
		return err
	})
}

func startedAt(imp imports.Import) any {
	if imp.StartedAt == nil {
		return nil
	}
	return *imp.StartedAt
}

// Finish implements imports.Storer.
func (s *Store) Finish(ctx context.Context, tx *sql.Tx, imp imports.Import, ev audit.Event) error {
	if tx == nil {
		return s.db.Tx(ctx, func(tx *sql.Tx) error { return s.Finish(ctx, tx, imp, ev) })
	}
	notices, err := json.Marshal(imp.Notices)
	if err != nil {
		return fmt.Errorf("finish import: notices: %w", err)
	}
	if imp.Notices == nil {
		notices = []byte("[]")
	}
	res, err := tx.ExecContext(ctx, finishImport, imp.ID, string(imp.State), imp.RowsRead, imp.RowsApplied, imp.RowsRejected, imp.ItemsCreated,
		imp.FinishedAt, startedAt(imp), string(notices))
	if err != nil {
		return fmt.Errorf("finish import: %w", sqldb.MapError(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		// Another run of this import started after this one (a redelivered
		// task); this run's transaction must not commit.
		return imports.ErrSuperseded
	}
	for i, e := range imp.Errors {
		if _, err := tx.ExecContext(ctx, insertError, imp.ID, i+1, e.Line, e.Column, e.Rule, e.Message); err != nil {
			return fmt.Errorf("store import error: %w", sqldb.MapError(err))
		}
	}
	if _, err := tx.ExecContext(ctx, dropFile, imp.ID); err != nil {
		return fmt.Errorf("drop import file: %w", sqldb.MapError(err))
	}
	return s.audit.Append(ctx, tx, []audit.Event{ev})
}

// RedisProgress implements imports.Progress on Redis, so the API process
// sees what the worker process reports.
type RedisProgress struct{ R redis.UniversalClient }

func progressKey(id string) string { return "backdesk:import:progress:" + id }

// Set implements imports.Progress; a lost update only delays the bar.
func (p RedisProgress) Set(ctx context.Context, id string, percent int) {
	p.R.Set(ctx, progressKey(id), percent, time.Hour)
}

// Get implements imports.Progress.
func (p RedisProgress) Get(ctx context.Context, id string) (int, bool) {
	v, err := p.R.Get(ctx, progressKey(id)).Result()
	if err != nil {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	return n, err == nil
}
