package sftpserver

import (
	"errors"
	"os"
	"sync"
)

// errCut is what the server answers to the read or write that crossed
// Options.CutAfter; the client rarely sees it, as the connection is
// closed at the same time.
var errCut = errors.New("transfer cut by the server's fault injection")

// transfer is an open file. When limit is not negative, the connection is
// dropped once the bytes read or written through it pass limit.
type transfer struct {
	*os.File
	drop func()

	mu    sync.Mutex
	limit int64
	moved int64
}

// watch wraps f, asking Options.CutAfter whether to cut this transfer.
func (r *rootFS) watch(f *os.File, p string, write bool) *transfer {
	t := &transfer{File: f, drop: r.drop, limit: -1}
	if r.cut != nil {
		t.limit = r.cut(Transfer{Path: p, Write: write})
	}
	return t
}

// ReadAt reads, unless the bytes read would pass the limit: then the
// connection is dropped and nothing more is sent.
func (t *transfer) ReadAt(p []byte, off int64) (int, error) {
	n, err := t.File.ReadAt(p, off)
	if t.limit < 0 {
		return n, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.moved+int64(n) > t.limit {
		t.drop()
		return 0, errCut
	}
	t.moved += int64(n)
	return n, err
}

// WriteAt writes, up to the limit; a write that would pass it is written
// only in part and then the connection is dropped, leaving on disk what a
// transfer cut by the network would.
func (t *transfer) WriteAt(p []byte, off int64) (int, error) {
	if t.limit < 0 {
		return t.File.WriteAt(p, off)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	room := t.limit - t.moved
	if int64(len(p)) <= room {
		n, err := t.File.WriteAt(p, off)
		t.moved += int64(n)
		return n, err
	}
	n, _ := t.File.WriteAt(p[:max(room, 0)], off)
	t.moved += int64(n)
	t.drop()
	return n, errCut
}
