package clearinghouse

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/backdesk/backdesk/pkg/clearinghouse/sftpbox"
)

// BoxConfig is the SFTP mailbox of a connection, its secret read from
// the reference: a PEM private key when the secret is one, else a
// password.
func BoxConfig(c Connection) (sftpbox.Config, error) {
	secret, err := ResolveSecret(c.SecretRef)
	if err != nil {
		return sftpbox.Config{}, fmt.Errorf("connection %s: %w", c.Name, err)
	}
	cfg := sftpbox.Config{Addr: c.Address, User: c.Username, HostKey: c.HostKey, Outbound: c.Outbound,
		Inbound: c.Inbound, Archive: c.Archive}
	if strings.Contains(string(secret), "PRIVATE KEY-----") {
		cfg.PrivateKey = secret
	} else {
		cfg.Password = strings.TrimRight(string(secret), "\r\n")
	}
	return cfg, nil
}

// DialSFTP opens a connection's SFTP mailbox: the Dialer of a Service
// whose batches go over SFTP.
func DialSFTP(ctx context.Context, c Connection) (Transport, error) {
	cfg, err := BoxConfig(c)
	if err != nil {
		return nil, err
	}
	return sftpbox.Dial(ctx, cfg)
}

// keepAndApply is what a poller does with each file it collects: it keeps
// it (the poller then removes it from the server) and applies it. A file
// kept but not applied (the database went away between the two) stays
// received, and the next exchange applies it.
func (s *Service) keepAndApply(connectionID string) func(context.Context, sftpbox.File) error {
	return func(ctx context.Context, f sftpbox.File) error {
		stored, fresh, err := s.Keep(ctx, connectionID, f.Name, f.Body)
		if err != nil {
			return err
		}
		if fresh || stored.State == Received {
			if _, err := s.Apply(ctx, stored.ID); err != nil {
				s.log.WarnContext(ctx, "clearinghouse file kept, not yet applied", "file_id", stored.ID, "error", err.Error())
			}
		}
		return nil
	}
}

// RunPollers keeps one poller running for each SFTP connection, polling
// its inbound folder every every, until ctx ends. It looks at the
// connections again every minute: a connection added starts polling, one
// changed restarts with its new settings, one gone stops. Each poll's
// outcome is recorded on the connection (its health: last poll and last
// error, in words without secrets).
func (s *Service) RunPollers(ctx context.Context, every time.Duration) {
	type running struct {
		cancel context.CancelFunc
		key    string
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	pollers := map[string]running{}
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	for {
		conns, err := s.store.Connections(ctx)
		if err != nil && ctx.Err() == nil {
			s.log.WarnContext(ctx, "list clearinghouse connections", "error", err.Error())
		}
		want := map[string]Connection{}
		for _, c := range conns {
			if c.Mode == ModeSFTP {
				want[c.ID] = c
			}
		}
		for id, p := range pollers {
			if c, ok := want[id]; !ok || settingsKey(c) != p.key {
				p.cancel()
				delete(pollers, id)
			}
		}
		for id, c := range want {
			if _, ok := pollers[id]; ok {
				continue
			}
			pctx, cancel := context.WithCancel(ctx)
			pollers[id] = running{cancel: cancel, key: settingsKey(c)}
			wg.Add(1)
			go func() {
				defer wg.Done()
				s.poll(pctx, c, every)
			}()
		}
		select {
		case <-ctx.Done():
			for _, p := range pollers {
				p.cancel()
			}
			return
		case <-tick.C:
		}
	}
}

// poll runs one connection's poller.
func (s *Service) poll(ctx context.Context, c Connection, every time.Duration) {
	cfg, err := BoxConfig(c)
	cfg.Settle = s.settle
	if err == nil {
		err = sftpbox.Run(ctx, cfg, every, s.keepAndApply(c.ID), func(p sftpbox.Polled, err error) {
			problem := ""
			if err != nil {
				problem = err.Error()
			} else if p.Failed > 0 {
				problem = fmt.Sprintf("%d files could not be collected; they stay on the server for the next poll", p.Failed)
			}
			if perr := s.store.Polled(context.WithoutCancel(ctx), c.ID, s.clock(), problem); perr != nil {
				s.log.WarnContext(ctx, "record a clearinghouse poll", "error", perr.Error())
			}
		})
	}
	if err != nil {
		_ = s.store.Polled(context.WithoutCancel(ctx), c.ID, s.clock(), err.Error())
		s.log.WarnContext(ctx, "clearinghouse poller cannot run", "connection", c.Name, "error", err.Error())
	}
}

// settingsKey changes when anything the poller uses changes.
func settingsKey(c Connection) string {
	return strings.Join([]string{c.Address, c.Username, c.HostKey, c.SecretRef, c.Inbound, c.Archive}, "\x00")
}
