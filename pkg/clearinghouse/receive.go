package clearinghouse

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/x12"
)

// Keep stores a file a clearinghouse sent, whole, unless the same bytes
// came on that connection before: a download retried after a dropped
// connection is one file. It is what the SFTP poller calls before it
// removes the file from the server; Apply reads it afterwards.
func (s *Service) Keep(ctx context.Context, connectionID, name string, body []byte) (File, bool, error) {
	ctx = platform(ctx)
	now := s.clock()
	f := s.newFile(connectionID, "", In, sniffKind(body), sniffControl(body), body, now)
	f.Name, f.State = name, Received
	var stored File
	var fresh bool
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		stored, fresh, err = s.store.AddFile(ctx, tx, f)
		return err
	})
	return stored, fresh, err
}

// Receive keeps a file and applies it: the manual mode's upload, and the
// poller's path for one file.
func (s *Service) Receive(ctx context.Context, connectionID, name string, body []byte) (ApplyReport, error) {
	f, fresh, err := s.Keep(ctx, connectionID, name, body)
	if err != nil {
		return ApplyReport{}, err
	}
	if !fresh && f.State != Received {
		return ApplyReport{File: f, Duplicate: true}, nil
	}
	return s.Apply(ctx, f.ID)
}

// ApplyReport is what applying one received file did.
type ApplyReport struct {
	File      File
	Duplicate bool // the same bytes were received and applied before
	Answers   int  // 271 answers read
	Verified  int  // checks resolved without a person
	ToAgents  int  // checks brought to agents with the reason
	// AskedAgain counts checks whose payer could not answer for now: they
	// wait for the next batch (OutcomeAskAgain).
	AskedAgain int
	Unmatched  int // answers whose trace names no question of ours (or one already answered)
	Acks       int // batches an acknowledgment accepted or rejected
	Statuses   int // 277 claim statuses applied
}

// Apply reads a received file and does what it says, in one transaction
// with its audit event. A file that is not readable X12, or holds
// transaction sets Backdesk does not read, is marked failed with the
// reason in words and changes nothing else.
func (s *Service) Apply(ctx context.Context, fileID string) (ApplyReport, error) {
	ctx = platform(ctx)
	f, err := s.store.FileBody(ctx, fileID)
	if err != nil {
		return ApplyReport{}, err
	}
	var out ApplyReport
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		out = ApplyReport{File: f}
		now := s.clock()
		conn, err := s.store.Connection(ctx, f.ConnectionID)
		if err != nil {
			return err
		}
		var patients []string
		switch f.Kind {
		case "271":
			patients, err = s.apply271(ctx, tx, conn, f, &out, now)
		case "277":
			patients, err = s.apply277(ctx, tx, conn, f, &out, now)
		case "999", "TA1":
			err = s.applyAcks(ctx, tx, conn, f, &out, now)
		default:
			err = &x12.SyntaxError{Msg: "the file holds no 271, 277, 999 or TA1; remittances (835) are imported as their own kind"}
		}
		if err != nil {
			return err
		}
		note := fmt.Sprintf("%d answers: %d verified, %d to agents, %d unmatched; %d batches acknowledged",
			out.Answers, out.Verified, out.ToAgents, out.Unmatched, out.Acks)
		if err := s.store.SetFileState(ctx, tx, f.ID, Applied, note, now); err != nil {
			return err
		}
		out.File.State, out.File.Note = Applied, note
		ev := audit.Change(s.by, now, audit.ActionClearinghouseReceive, "", audit.TargetClearinghouseFile, f.ID)
		ev.PatientIDs, ev.Purpose = patients, "payment"
		ev.Counts = map[string]int{"answers": out.Answers, "verified": out.Verified, "to_agents": out.ToAgents,
			"unmatched": out.Unmatched, "acknowledged": out.Acks, "bytes": int(f.Size)}
		return s.trail.Append(ctx, tx, []audit.Event{ev})
	})
	var se *x12.SyntaxError
	if errors.As(err, &se) {
		return s.failed(ctx, f, se)
	}
	return out, err
}

// failed marks a file that could not be read, with its audit event.
func (s *Service) failed(ctx context.Context, f File, cause *x12.SyntaxError) (ApplyReport, error) {
	now := s.clock()
	note := "not applied: " + cause.Error()
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.store.SetFileState(ctx, tx, f.ID, Failed, note, now); err != nil {
			return err
		}
		ev := audit.Change(s.by, now, audit.ActionClearinghouseReceive, "", audit.TargetClearinghouseFile, f.ID)
		ev.Outcome, ev.Reason = audit.OutcomeError, "unreadable"
		return s.trail.Append(ctx, tx, []audit.Event{ev})
	})
	f.State, f.Note = Failed, note
	return ApplyReport{File: f}, err
}

// sniffKind names what a file holds from its first transaction set, or
// TA1 when it holds only interchange acknowledgments; "unknown" when it
// is not readable X12 (Apply then says why).
func sniffKind(body []byte) string {
	r := x12.NewReader(bytes.NewReader(body))
	for {
		seg, err := r.Next()
		if errors.Is(err, io.EOF) {
			if len(r.InterchangeAcks()) > 0 {
				return "TA1"
			}
			return "unknown"
		}
		if err != nil {
			return "unknown"
		}
		if seg.ID == "ST" {
			return seg.Element(1)
		}
	}
}

// sniffControl is the file's first ISA13, for searching by control number.
func sniffControl(body []byte) string {
	r := x12.NewReader(bytes.NewReader(body))
	seg, err := r.Next()
	if err != nil || seg.ID != "ISA" {
		return ""
	}
	return strings.TrimSpace(seg.Element(13))
}
