package sftpbox

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"time"
)

// File is an inbound file, read whole.
type File struct {
	// Name is the file's name in the inbound folder.
	Name string
	// Size is its length in bytes, len(Body).
	Size int64
	// ModTime is its modification time on the server, to the second.
	ModTime time.Time
	// Body is its content.
	Body []byte
}

// Polled counts what one poll did with the files it listed.
type Polled struct {
	// Taken files were read, kept by the caller and moved out of the
	// inbound folder.
	Taken int
	// Unsettled files were new or still changing, and were left for a
	// later poll.
	Unsettled int
	// Failed files could not be read, kept or moved, or were not reached
	// because the connection dropped. They stay in the inbound folder and
	// are offered again.
	Failed int
}

// sighting is what an inbound file looked like at a listing, and since
// when it has looked that way.
type sighting struct {
	size  int64
	mtime time.Time
	since time.Time
}

// Poll collects the settled files of the inbound folder. It lists the
// folder and skips folders, links, names ending in ".part" and names
// starting with a dot. A file is settled once two listings at least
// Settle apart have shown it with the same size and time; the Box
// remembers earlier listings, so a file first seen by this poll is taken
// by a later one.
//
// Each settled file is read whole and handed to keep, which must store it
// durably before returning nil. Only then is the file moved to the archive
// folder (or removed). If the read, keep or the move fails, the file stays
// in the inbound folder and a later poll offers it to keep again, with the
// same content: keep must treat a file it already holds (by content hash)
// as stored. A failure on one file does not stop the others, unless the
// connection has dropped.
//
// The error is nil when every settled file was taken; otherwise it joins
// an *Error per failure, naming the file and the step.
func (b *Box) Poll(ctx context.Context, keep func(context.Context, File) error) (Polled, error) {
	p, _, err := b.poll(ctx, keep)
	return p, err
}

// poll is Poll; whole is true when the poll as a whole failed (the listing,
// or the connection), rather than one or more of its files.
func (b *Box) poll(ctx context.Context, keep func(context.Context, File) error) (p Polled, whole bool, err error) {
	if b.cfg.Inbound == "" {
		return p, true, errors.New("sftpbox: poll: no inbound folder configured")
	}
	b.pollMu.Lock()
	defer b.pollMu.Unlock()

	var list []fs.FileInfo
	err = b.do(ctx, func() (err error) {
		list, err = b.sftp.ReadDirContext(ctx, b.cfg.Inbound)
		return err
	})
	if err != nil {
		return p, true, &Error{Step: "list", Path: b.cfg.Inbound, Err: err}
	}
	ready := b.settled(list, &p)

	var errs []error
	for i, fi := range ready {
		if err := b.take(ctx, fi, keep); err != nil {
			p.Failed++
			errs = append(errs, err)
			if !b.alive() || ctx.Err() != nil {
				if left := len(ready) - i - 1; left > 0 {
					p.Failed += left
					errs = append(errs, fmt.Errorf("sftpbox: %d more files in %s left for the next poll: %w", left, b.cfg.Inbound, lostOrDone(ctx)))
				}
				return p, true, errors.Join(errs...)
			}
		} else {
			p.Taken++
		}
	}
	return p, false, errors.Join(errs...)
}

// lostOrDone says why a poll stopped early.
func lostOrDone(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return ErrConnLost
}

// settled returns the listed files that are ready to take, counts the
// others as unsettled, and remembers this listing for the next poll.
func (b *Box) settled(list []fs.FileInfo, p *Polled) []fs.FileInfo {
	now := b.cfg.Now()
	seen := make(map[string]sighting, len(list))
	var ready []fs.FileInfo
	for _, fi := range list {
		name := fi.Name()
		if !fi.Mode().IsRegular() || strings.HasPrefix(name, ".") || strings.HasSuffix(name, partSuffix) {
			continue
		}
		s, known := b.seen[name]
		if !known || s.size != fi.Size() || !s.mtime.Equal(fi.ModTime()) {
			s = sighting{size: fi.Size(), mtime: fi.ModTime(), since: now}
			known = false
		}
		seen[name] = s
		if known && now.Sub(s.since) >= b.cfg.Settle {
			ready = append(ready, fi)
		} else {
			p.Unsettled++
		}
	}
	// Files gone from the listing are forgotten.
	b.seen = seen
	return ready
}

// take reads one settled file, hands it to keep, and moves it out of the
// inbound folder.
func (b *Box) take(ctx context.Context, fi fs.FileInfo, keep func(context.Context, File) error) error {
	name := fi.Name()
	p := path.Join(b.cfg.Inbound, name)
	var body []byte
	err := b.do(ctx, func() (err error) {
		body, err = b.read(p, fi.Size())
		return err
	})
	if err != nil {
		if errors.Is(err, errChanged) {
			// Still being written after all: let it settle again.
			delete(b.seen, name)
		}
		return &Error{Step: "read", Path: p, Err: err}
	}
	if err := keep(ctx, File{Name: name, Size: fi.Size(), ModTime: fi.ModTime(), Body: body}); err != nil {
		return &Error{Step: "keep", Path: p, Err: err}
	}
	if b.cfg.Archive == "" {
		if err := b.do(ctx, func() error { return b.sftp.Remove(p) }); err != nil {
			return &Error{Step: "remove", Path: p, Err: err}
		}
	} else if err := b.archive(ctx, p, name, body); err != nil {
		return err
	}
	delete(b.seen, name)
	return nil
}

// archive moves p into the archive folder. Clearinghouses reuse file
// names, so when the name is taken there the file is archived under the
// name with a short content hash appended; if even that is taken, the same
// bytes are archived already and p is simply removed.
func (b *Box) archive(ctx context.Context, p, name string, body []byte) error {
	dst := path.Join(b.cfg.Archive, name)
	err := b.do(ctx, func() error { return b.sftp.Rename(p, dst) })
	if err == nil {
		return nil
	}
	moveErr := &Error{Step: "rename", Path: p, Err: fmt.Errorf("to %s: %w", dst, err)}
	if !b.exists(ctx, dst) {
		return moveErr
	}
	sum := sha256.Sum256(body)
	alt := fmt.Sprintf("%s.%x", dst, sum[:6])
	err = b.do(ctx, func() error { return b.sftp.Rename(p, alt) })
	if err == nil {
		return nil
	}
	if !b.exists(ctx, alt) {
		return &Error{Step: "rename", Path: p, Err: fmt.Errorf("to %s: %w", alt, err)}
	}
	if err := b.do(ctx, func() error { return b.sftp.Remove(p) }); err != nil {
		return &Error{Step: "remove", Path: p, Err: fmt.Errorf("already archived as %s: %w", alt, err)}
	}
	return nil
}

// exists reports whether p is known to exist; any error counts as no.
func (b *Box) exists(ctx context.Context, p string) bool {
	err := b.do(ctx, func() error {
		_, err := b.sftp.Stat(p)
		return err
	})
	return err == nil
}
