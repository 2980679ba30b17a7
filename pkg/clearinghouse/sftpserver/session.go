package sftpserver

import (
	"errors"
	"io"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
)

// serveSession waits for the client to ask for the sftp subsystem and then
// serves it on ch. Every other request (shell, exec, pty, env) is refused.
func (s *Server) serveSession(conn *ssh.ServerConn, ch ssh.Channel, reqs <-chan *ssh.Request) {
	defer ch.Close()
	for req := range reqs {
		ok := req.Type == "subsystem" && subsystem(req.Payload) == "sftp"
		_ = req.Reply(ok, nil)
		if !ok {
			continue
		}
		go ssh.DiscardRequests(reqs)
		status := uint32(0)
		if err := s.serveSFTP(conn, ch); err != nil {
			status = 1
			s.log.Debug("sftp session ended", "user", conn.User(), "remote", conn.RemoteAddr().String(), "err", err)
		}
		// Like sshd, say how the subsystem ended before closing the
		// channel; some clients wait for it.
		_, _ = ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{status}))
		return
	}
}

// subsystem returns the name in a "subsystem" request's payload, or "" if
// the payload is malformed.
func subsystem(payload []byte) string {
	var p struct{ Name string }
	if err := ssh.Unmarshal(payload, &p); err != nil {
		return ""
	}
	return p.Name
}

// serveSFTP serves one SFTP session on ch until the client ends it or the
// connection drops.
func (s *Server) serveSFTP(conn *ssh.ServerConn, ch ssh.Channel) error {
	fs := &rootFS{
		root: s.root,
		cut:  s.opts.CutAfter,
		drop: func() { conn.Close() },
	}
	rs := sftp.NewRequestServer(ch, sftp.Handlers{FileGet: fs, FilePut: fs, FileCmd: fs, FileList: fs})
	defer rs.Close()
	if err := rs.Serve(); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}
