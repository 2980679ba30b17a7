package sftpbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
)

// partSuffix marks a file still being uploaded. Clearinghouses ignore such
// names, and Poll skips them on our side.
const partSuffix = ".part"

// Put sends body as the file name in the outbound folder. It writes
// name.part, checks the remote size, and then renames it to name, so the
// clearinghouse never sees half a file. If name is already there with the
// same bytes, Put does nothing, so a send that failed after the rename can
// simply be repeated; if it is there with other bytes, Put fails with
// ErrExists and leaves it alone.
//
// A Put cut short leaves at most a name.part file behind, which the next
// Put of that name overwrites.
func (b *Box) Put(ctx context.Context, name string, body []byte) error {
	if b.cfg.Outbound == "" {
		return errors.New("sftpbox: put: no outbound folder configured")
	}
	if err := plainName(name); err != nil {
		return err
	}
	final := path.Join(b.cfg.Outbound, name)
	part := final + partSuffix

	if found, err := b.compare(ctx, final, body); found || err != nil {
		return err
	}
	err := b.do(ctx, func() error { return b.upload(part, body) })
	if err != nil {
		err = &Error{Step: "write", Path: part, Err: err}
	} else {
		err = b.checkSize(ctx, part, int64(len(body)))
	}
	if err != nil {
		b.discard(ctx, part)
		return err
	}
	err = b.do(ctx, func() error { return b.sftp.Rename(part, final) })
	if err == nil {
		return nil
	}
	// A plain SFTP rename refuses to replace a file. If one appeared under
	// the final name meanwhile, it may be this very file (a rename whose
	// answer was lost) or a different one.
	if found, cerr := b.compare(ctx, final, body); found {
		if cerr == nil {
			b.discard(ctx, part)
		}
		return cerr
	}
	return &Error{Step: "rename", Path: part, Err: err}
}

// plainName refuses names that are not a single, visible file name.
func plainName(name string) error {
	switch {
	case name == "", name == ".", name == "..",
		strings.ContainsAny(name, "/\x00"),
		strings.HasPrefix(name, "."),
		strings.HasSuffix(name, partSuffix):
		return fmt.Errorf("sftpbox: put: %q is not a plain file name", name)
	}
	return nil
}

// upload writes body to p, replacing whatever is there.
func (b *Box) upload(p string, body []byte) error {
	f, err := b.sftp.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_TRUNC)
	if err != nil {
		return err
	}
	_, err = f.Write(body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// checkSize makes sure the server holds all of the file.
func (b *Box) checkSize(ctx context.Context, p string, want int64) error {
	var fi fs.FileInfo
	err := b.do(ctx, func() (err error) {
		fi, err = b.sftp.Stat(p)
		return err
	})
	if err != nil {
		return &Error{Step: "check size", Path: p, Err: err}
	}
	if fi.Size() != want {
		return &Error{Step: "check size", Path: p, Err: fmt.Errorf("server holds %d bytes, %d were sent", fi.Size(), want)}
	}
	return nil
}

// compare reports whether p exists. If it does and its bytes are not body,
// the error wraps ErrExists.
func (b *Box) compare(ctx context.Context, p string, body []byte) (found bool, err error) {
	var fi fs.FileInfo
	err = b.do(ctx, func() (err error) {
		fi, err = b.sftp.Stat(p)
		return err
	})
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, &Error{Step: "stat", Path: p, Err: err}
	}
	if fi.Size() != int64(len(body)) {
		return true, &Error{Step: "compare", Path: p, Err: fmt.Errorf("%w (%d bytes there, %d to send)", ErrExists, fi.Size(), len(body))}
	}
	var there []byte
	err = b.do(ctx, func() (err error) {
		there, err = b.read(p, fi.Size())
		return err
	})
	if err != nil {
		return true, &Error{Step: "read", Path: p, Err: err}
	}
	if !bytes.Equal(there, body) {
		return true, &Error{Step: "compare", Path: p, Err: fmt.Errorf("%w (same size, other bytes)", ErrExists)}
	}
	return true, nil
}

// errChanged says a file's length was not what its listing said.
var errChanged = errors.New("file changed while being read")

// read reads p whole. It reads at most one byte more than size, so a file
// that grew is noticed without reading all of it.
func (b *Box) read(p string, size int64) ([]byte, error) {
	f, err := b.sftp.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	body, err := io.ReadAll(io.LimitReader(f, size+1))
	if err != nil {
		return nil, err
	}
	if int64(len(body)) != size {
		return nil, fmt.Errorf("%w: read %d bytes, the listing said %d", errChanged, len(body), size)
	}
	return body, nil
}

// discard removes a leftover .part file, if the connection still allows.
// A failure is not reported: the next Put of the name overwrites it.
func (b *Box) discard(ctx context.Context, p string) {
	if b.alive() {
		_ = b.do(ctx, func() error { return b.sftp.Remove(p) })
	}
}
