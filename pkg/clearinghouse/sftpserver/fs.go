package sftpserver

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"

	"github.com/pkg/sftp"
)

// rootFS carries out one session's SFTP requests on the served directory.
// Every path goes through an os.Root, which refuses "..", absolute symbolic
// links and relative ones that climb out, so nothing outside the directory
// can be read, written or listed. Error texts reach the client; they name
// paths as the client sees them, never where the directory is on disk.
type rootFS struct {
	root *os.Root
	cut  func(Transfer) int64
	drop func()
}

var (
	_ sftp.FileReader           = (*rootFS)(nil)
	_ sftp.OpenFileWriter       = (*rootFS)(nil)
	_ sftp.PosixRenameFileCmder = (*rootFS)(nil)
	_ sftp.LstatFileLister      = (*rootFS)(nil)
)

// local turns a client path ("/inbound/a.x12") into one relative to the
// root ("inbound/a.x12"); "/" is ".".
func local(p string) string {
	p = path.Clean("/" + p)
	if p == "/" {
		return "."
	}
	return p[1:]
}

// clientErr rewrites the paths in err to the client's view of them; other
// errors pass unchanged. The error types are kept, so the status code sent
// (no such file, permission denied) is still right.
func clientErr(err error, p string) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return &os.PathError{Op: pe.Op, Path: p, Err: pe.Err}
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return &os.PathError{Op: le.Op, Path: p, Err: le.Err}
	}
	return err
}

// Fileread opens a file for a download.
func (r *rootFS) Fileread(req *sftp.Request) (io.ReaderAt, error) {
	f, err := r.root.Open(local(req.Filepath))
	if err != nil {
		return nil, clientErr(err, req.Filepath)
	}
	fi, err := f.Stat()
	if err == nil && fi.IsDir() {
		err = &os.PathError{Op: "open", Path: req.Filepath, Err: errors.New("is a directory")}
	}
	if err != nil {
		f.Close()
		return nil, clientErr(err, req.Filepath)
	}
	return r.watch(f, req.Filepath, false), nil
}

// Filewrite opens a file for an upload.
func (r *rootFS) Filewrite(req *sftp.Request) (io.WriterAt, error) {
	return r.open(req, os.O_WRONLY)
}

// OpenFile opens a file for reading and writing through one handle, which
// is what pkg/sftp's Client.Create asks for.
func (r *rootFS) OpenFile(req *sftp.Request) (sftp.WriterAtReaderAt, error) {
	return r.open(req, os.O_RDWR)
}

func (r *rootFS) open(req *sftp.Request, mode int) (*transfer, error) {
	flags := req.Pflags()
	if flags.Creat {
		mode |= os.O_CREATE
	}
	if flags.Trunc {
		mode |= os.O_TRUNC
	}
	if flags.Excl {
		mode |= os.O_EXCL
	}
	// Append is left out on purpose: clients send the offset of every
	// write, and O_APPEND would make WriteAt fail.
	perm := fs.FileMode(0o644)
	if req.AttrFlags().Permissions {
		perm = req.Attributes().FileMode().Perm()
	}
	f, err := r.root.OpenFile(local(req.Filepath), mode, perm)
	if err != nil {
		return nil, clientErr(err, req.Filepath)
	}
	return r.watch(f, req.Filepath, true), nil
}

// Filecmd carries out the requests that change the tree.
func (r *rootFS) Filecmd(req *sftp.Request) error {
	p := local(req.Filepath)
	var err error
	switch req.Method {
	case "Setstat":
		err = r.setstat(req, p)
	case "Rename":
		err = r.rename(p, local(req.Target))
	case "Mkdir":
		err = r.root.Mkdir(p, 0o755)
	case "Rmdir":
		err = r.remove(p, true)
	case "Remove":
		err = r.remove(p, false)
	case "Link":
		// Request.Filepath names the existing file, Target the new name.
		err = r.root.Link(p, local(req.Target))
	case "Symlink":
		// A link could be made to point anywhere; the root would refuse to
		// follow one that leaves it, but there is no need for them at all.
		return sftp.ErrSSHFxOpUnsupported
	default:
		return sftp.ErrSSHFxOpUnsupported
	}
	return clientErr(err, req.Filepath)
}

// PosixRename renames, replacing the target if it exists
// (posix-rename@openssh.com).
func (r *rootFS) PosixRename(req *sftp.Request) error {
	return clientErr(r.root.Rename(local(req.Filepath), local(req.Target)), req.Filepath)
}

// rename is the plain SFTP rename, which must fail if newname exists.
// Like OpenSSH's server, it links the file under its new name and then
// unlinks the old one, so the check and the move are one step: a file
// that appears at newname meanwhile is never overwritten.
func (r *rootFS) rename(oldname, newname string) error {
	fi, err := r.root.Lstat(oldname)
	if err != nil {
		return err
	}
	if fi.Mode().IsRegular() {
		err := r.root.Link(oldname, newname)
		switch {
		case err == nil:
			if err := r.root.Remove(oldname); err != nil {
				_ = r.root.Remove(newname)
				return err
			}
			return nil
		case errors.Is(err, fs.ErrExist), errors.Is(err, fs.ErrNotExist):
			return err
		}
		// The file system has no hard links; fall through to the
		// check-then-rename below.
	}
	if _, err := r.root.Lstat(newname); err == nil {
		return &os.PathError{Op: "rename", Path: newname, Err: fs.ErrExist}
	}
	return r.root.Rename(oldname, newname)
}

// remove deletes a file (dir false) or an empty directory (dir true), and
// refuses the other kind, as unlink and rmdir do.
func (r *rootFS) remove(p string, dir bool) error {
	fi, err := r.root.Lstat(p)
	if err != nil {
		return err
	}
	switch {
	case dir && !fi.IsDir():
		return &os.PathError{Op: "rmdir", Path: p, Err: errors.New("not a directory")}
	case !dir && fi.IsDir():
		return &os.PathError{Op: "remove", Path: p, Err: errors.New("is a directory")}
	}
	return r.root.Remove(p)
}

// setstat changes size, permissions and times. Changing owners is refused:
// every file belongs to the server's own account.
func (r *rootFS) setstat(req *sftp.Request, p string) error {
	attrs, flags := req.Attributes(), req.AttrFlags()
	if flags.UidGid {
		return &os.PathError{Op: "chown", Path: p, Err: fs.ErrPermission}
	}
	if flags.Size {
		f, err := r.root.OpenFile(p, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		err = f.Truncate(int64(attrs.Size))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	if flags.Permissions {
		if err := r.root.Chmod(p, attrs.FileMode().Perm()); err != nil {
			return err
		}
	}
	if flags.Acmodtime {
		if err := r.root.Chtimes(p, attrs.AccessTime(), attrs.ModTime()); err != nil {
			return err
		}
	}
	return nil
}

// Filelist answers directory listings and stat.
func (r *rootFS) Filelist(req *sftp.Request) (sftp.ListerAt, error) {
	p := local(req.Filepath)
	switch req.Method {
	case "List":
		list, err := r.list(p)
		return list, clientErr(err, req.Filepath)
	case "Stat":
		fi, err := r.root.Stat(p)
		if err != nil {
			return nil, clientErr(err, req.Filepath)
		}
		return lister{fi}, nil
	}
	// Readlink would tell where links point, which may be outside the root.
	return nil, sftp.ErrSSHFxOpUnsupported
}

// Lstat is stat without following a final symbolic link.
func (r *rootFS) Lstat(req *sftp.Request) (sftp.ListerAt, error) {
	fi, err := r.root.Lstat(local(req.Filepath))
	if err != nil {
		return nil, clientErr(err, req.Filepath)
	}
	return lister{fi}, nil
}

// list reads a directory, sorted by name. Each entry is looked up through
// the root rather than by the directory's path on disk.
func (r *rootFS) list(dir string) (lister, error) {
	f, err := r.root.Open(dir)
	if err != nil {
		return nil, err
	}
	names, err := f.Readdirnames(-1)
	f.Close()
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	out := make(lister, 0, len(names))
	for _, name := range names {
		fi, err := r.root.Lstat(path.Join(dir, name))
		if err != nil {
			// Removed since the directory was read.
			continue
		}
		out = append(out, fi)
	}
	return out, nil
}

// lister hands out a fixed list of entries.
type lister []os.FileInfo

// ListAt copies entries from offset off into ls.
func (l lister) ListAt(ls []os.FileInfo, off int64) (int, error) {
	if off >= int64(len(l)) {
		return 0, io.EOF
	}
	n := copy(ls, l[off:])
	if n < len(ls) {
		return n, io.EOF
	}
	return n, nil
}
