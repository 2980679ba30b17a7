package clearinghouse

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
)

// Billing managers and platform admins configure connections, link
// practices to them, watch their batches and, for a manual connection,
// carry the files. Each change is audited in its own transaction, by the
// person who made it (by, from the HTTP layer; empty for the platform).

// SaveConnection adds or replaces a connection after checking every
// field; a refusal names each field at fault (apperr.Invalids).
func (s *Service) SaveConnection(ctx context.Context, by audit.Event, c Connection) (Connection, error) {
	c.Name = strings.TrimSpace(c.Name)
	if c.SenderQualifier == "" {
		c.SenderQualifier = "ZZ"
	}
	if c.ReceiverQualifier == "" {
		c.ReceiverQualifier = "ZZ"
	}
	if c.AnswerWithin <= 0 {
		c.AnswerWithin = DefaultAnswerWithin
	}
	if c.AckWithin <= 0 {
		c.AckWithin = DefaultAckWithin
	}
	if p := c.Problems(); len(p) > 0 {
		return c, apperr.Invalids(p)
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		now := s.clock()
		if err := s.store.SaveConnection(ctx, tx, c, now); err != nil {
			return err
		}
		ev := audit.Change(by, now, audit.ActionClearinghouseConnection, "", audit.TargetClearinghouseConnection, c.ID)
		return s.trail.Append(ctx, tx, []audit.Event{ev})
	})
	return c, err
}

// SavePayers replaces the payers a connection reaches; each needs the
// name the practices' systems give it and the clearinghouse's id.
func (s *Service) SavePayers(ctx context.Context, by audit.Event, connectionID string, payers []Payer) error {
	problems := map[string]string{}
	seen := map[string]bool{}
	for i, p := range payers {
		payers[i].Name, payers[i].ID = strings.TrimSpace(p.Name), strings.TrimSpace(p.ID)
		switch {
		case payers[i].Name == "":
			problems[fmt.Sprintf("payers[%d].name", i)] = "is required: the payer's name as the practice's system writes it"
		case seen[payerKey(payers[i].Name)]:
			problems[fmt.Sprintf("payers[%d].name", i)] = "is listed twice"
		}
		seen[payerKey(payers[i].Name)] = true
		if payers[i].ID == "" {
			problems[fmt.Sprintf("payers[%d].id", i)] = "is required: the clearinghouse's id for the payer"
		}
	}
	if len(problems) > 0 {
		return apperr.Invalids(problems)
	}
	if _, err := s.store.Connection(ctx, connectionID); err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		now := s.clock()
		if err := s.store.SavePayers(ctx, tx, connectionID, payers); err != nil {
			return err
		}
		ev := audit.Change(by, now, audit.ActionClearinghouseConnection, "", audit.TargetClearinghouseConnection, connectionID)
		ev.Counts = map[string]int{"payers": len(payers)}
		return s.trail.Append(ctx, tx, []audit.Event{ev})
	})
}

// Link makes connectionID ask on practiceID's behalf: from then on its
// new eligibility checks go to the clearinghouse first. Patients' data
// will go to the clearinghouse, so the change is audited under the
// practice.
func (s *Service) Link(ctx context.Context, by audit.Event, practiceID, connectionID string) error {
	if _, err := s.store.Connection(ctx, connectionID); err != nil {
		return err
	}
	return s.db.Tx(sqldb.WithPractice(ctx, practiceID), func(tx *sql.Tx) error {
		now := s.clock()
		if err := s.store.Link(ctx, tx, practiceID, connectionID, now); err != nil {
			return err
		}
		ev := audit.Change(by, now, audit.ActionClearinghouseConnection, practiceID, audit.TargetClearinghouseConnection, connectionID)
		return s.trail.Append(ctx, tx, []audit.Event{ev})
	})
}

// Files lists a connection's files, newest first, at most limit, without
// their content. Files belong to the practices they ask for, and a
// connection serves several, so they are read in the platform's scope:
// their names, kinds, control numbers, states and notes carry no patient
// data, and who may list them is the caller's decision.
func (s *Service) Files(ctx context.Context, connectionID string, limit int) ([]File, error) {
	return s.store.Files(platform(ctx), connectionID, limit)
}

// FilesByControl lists a connection's files of one interchange control
// number, in the platform's scope as Files does.
func (s *Service) FilesByControl(ctx context.Context, connectionID, control string) ([]File, error) {
	return s.store.FilesByControl(platform(ctx), connectionID, control)
}

// Download returns a kept file whole, for a manual connection's batch or
// an answer someone must read, and records the disclosure (who, which
// file, which patients) before it is returned.
func (s *Service) Download(ctx context.Context, by audit.Event, connectionID, fileID string) (File, error) {
	ctx = platform(ctx)
	f, err := s.store.FileBody(ctx, fileID)
	if err != nil {
		return File{}, err
	}
	if f.ConnectionID != connectionID {
		return File{}, apperr.NotFound("clearinghouse file")
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		patients, err := s.store.FilePatients(ctx, tx, fileID)
		if err != nil {
			return err
		}
		now := s.clock()
		ev := audit.Change(by, now, audit.ActionClearinghouseDownload, f.PracticeID, audit.TargetClearinghouseFile, f.ID)
		ev.PatientIDs, ev.Purpose = patients, "payment"
		ev.Counts = map[string]int{"patients": len(patients), "bytes": len(f.Body)}
		if err := s.trail.Append(ctx, tx, []audit.Event{ev}); err != nil {
			return err
		}
		// A manual connection's batch is sent when someone takes it.
		if f.State == Built {
			return s.store.SetFileState(ctx, tx, f.ID, Sent, "downloaded for sending by hand", now)
		}
		return nil
	})
	return f, err
}

// Payers lists the payers a connection reaches.
func (s *Service) Payers(ctx context.Context, connectionID string) ([]Payer, error) {
	return s.store.Payers(ctx, s.db, connectionID)
}

// ControlNumber reads an interchange control number as people type it
// ("451", "000000451") into the nine digits ISA13 carries.
func ControlNumber(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 9 || strings.Trim(s, "0123456789") != "" {
		return "", apperr.Invalid("control", "invalid_control", "must be an interchange control number: up to 9 digits")
	}
	return strings.Repeat("0", 9-len(s)) + s, nil
}
