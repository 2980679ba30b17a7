package demohouse

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/x12"
)

// The folders of the served directory, as a connection to the demo
// clearinghouse names them (from the served root, "/outbound" and so on).
const (
	// Outbound is where Backdesk puts its batches.
	Outbound = "outbound"
	// Inbound is where the answers wait for Backdesk's poller.
	Inbound = "inbound"
	// Archive is where the poller moves the answers it has kept.
	Archive = "archive"
	// Handled is where each batch goes once it has been answered (or
	// could not be), so that it is answered once.
	Handled = "handled"
	// writing is where answers are written before they are renamed into
	// Inbound whole.
	writing = "writing"
)

// Prepare makes the folders under root that Run and a connection use.
func Prepare(root string) error {
	for _, d := range []string{Outbound, Inbound, Archive, Handled, writing} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			return fmt.Errorf("demohouse: %w", err)
		}
	}
	return nil
}

// Answered is what a pass did with one batch.
type Answered struct {
	Batch   string   // the batch's file name
	Kind    string   // its transaction set: 270, 276, or what else it held
	Answers []string // the answers put in the inbound folder, the 999 first
	Err     error    // why the batch was not answered; nil when it was
}

// AnswerAll answers every batch waiting in root's outbound folder, in the
// order of their names, as of now: its 999 and its 271 or 277 are
// written whole into the inbound folder, and the batch moves to the
// handled folder. A batch that cannot be answered (not X12, or neither a
// 270 nor a 276) moves there too, with the reason in its Answered. Names
// ending in ".part" (an upload under way) and names starting with a dot
// are left alone. The error is for the folders themselves; a batch that
// could not be moved stays, to be answered again.
func AnswerAll(root string, now time.Time) ([]Answered, error) {
	entries, err := os.ReadDir(filepath.Join(root, Outbound))
	if err != nil {
		return nil, fmt.Errorf("demohouse: %w", err)
	}
	var out []Answered
	var errs []error
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".part") {
			continue
		}
		h, err := answerFile(root, name, now)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, h)
	}
	return out, errors.Join(errs...)
}

// answerFile answers one batch and moves it to the handled folder.
func answerFile(root, name string, now time.Time) (Answered, error) {
	h := Answered{Batch: name}
	body, err := os.ReadFile(filepath.Join(root, Outbound, name))
	if err != nil {
		return h, fmt.Errorf("demohouse: %w", err)
	}
	h.Kind = kindOf(body)
	var ack, answer []byte
	switch h.Kind {
	case "270":
		ack, answer, h.Err = Answer270(body, now)
	case "276":
		ack, answer, h.Err = Answer276(body, now)
	default:
		h.Err = fmt.Errorf("demohouse: %s holds no 270 or 276 to answer", name)
	}
	if h.Err == nil {
		for _, f := range [][]byte{ack, answer} {
			placed, err := place(root, f)
			if err != nil {
				return h, err
			}
			h.Answers = append(h.Answers, placed)
		}
	}
	if err := os.Rename(filepath.Join(root, Outbound, name), filepath.Join(root, Handled, name)); err != nil {
		return h, fmt.Errorf("demohouse: %w", err)
	}
	return h, nil
}

// place writes an answer whole into the inbound folder: under the
// writing folder first, then renamed in, so a poller never lists half a
// file. Its name is its transaction set and interchange control number.
func place(root string, body []byte) (string, error) {
	name := kindOf(body) + "-" + controlOf(body) + ".x12"
	tmp := filepath.Join(root, writing, name)
	if err := os.WriteFile(tmp, body, 0o644); err != nil {
		return "", fmt.Errorf("demohouse: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(root, Inbound, name)); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("demohouse: %w", err)
	}
	return name, nil
}

// kindOf is ST01 of the first transaction set of body, or "unknown".
func kindOf(body []byte) string {
	r := x12.NewReader(bytes.NewReader(body))
	for {
		seg, err := r.Next()
		if err != nil {
			return "unknown"
		}
		if seg.ID == "ST" {
			return seg.Element(1)
		}
	}
}

// controlOf is the ISA13 of body.
func controlOf(body []byte) string {
	seg, err := x12.NewReader(bytes.NewReader(body)).Next()
	if err != nil || seg.ID != "ISA" {
		return "000000000"
	}
	return strings.TrimSpace(seg.Element(13))
}

// Run makes the folders under root, then answers the batches that arrive
// in its outbound folder (AnswerAll), looking every every, until ctx
// ends. What it answers, and what it cannot, goes to log (nil for none)
// by file name, kind and reason: never the batches' contents.
func Run(ctx context.Context, root string, every time.Duration, log *slog.Logger) error {
	if err := Prepare(root); err != nil {
		return err
	}
	if every <= 0 {
		return errors.New("demohouse: the interval must be positive")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		done, err := AnswerAll(root, time.Now())
		for _, h := range done {
			if h.Err != nil {
				log.WarnContext(ctx, "demo clearinghouse could not answer a batch", "batch", h.Batch, "kind", h.Kind, "error", h.Err.Error())
				continue
			}
			log.InfoContext(ctx, "demo clearinghouse answered a batch", "batch", h.Batch, "kind", h.Kind, "answers", strings.Join(h.Answers, " "))
		}
		if err != nil {
			log.WarnContext(ctx, "demo clearinghouse", "error", err.Error())
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}
