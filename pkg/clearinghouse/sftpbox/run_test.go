package sftpbox_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/clearinghouse/sftpbox"
	"github.com/backdesk/backdesk/pkg/clearinghouse/sftpserver"
	"github.com/stretchr/testify/require"
)

type report struct {
	p   sftpbox.Polled
	err error
}

// run starts Run in the background. Each report waits for the test to
// read it, so the test steps through Run's polls one at a time.
func run(t *testing.T, b *testBundle) (<-chan report, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	reports := make(chan report)
	done := make(chan error, 1)
	go func() {
		done <- sftpbox.Run(ctx, b.cfg, 5*time.Millisecond, b.store.keep, func(p sftpbox.Polled, err error) {
			select {
			case reports <- report{p, err}:
			case <-ctx.Done():
			}
		})
	}()
	stop := sync.OnceValue(func() error {
		cancel()
		return within(t, done, "return from Run")
	})
	t.Cleanup(func() { _ = stop() })
	return reports, stop
}

// next returns the next report that matches ok.
func next(t *testing.T, reports <-chan report, ok func(report) bool) report {
	t.Helper()
	for {
		if r := within(t, reports, "report"); ok(r) {
			return r
		}
	}
}

func TestRunAcrossServerRestart(t *testing.T) {
	t.Parallel()
	key, err := sftpserver.NewHostKey()
	require.NoError(t, err)
	b := setup(t, func(o *sftpserver.Options) { o.HostKey = key })
	reports, stop := run(t, b)
	accepted := testdata(t, "999-accepted.x12")
	rejected := testdata(t, "999-rejected.x12")

	b.drop(t, "inbound/999-412.x12", accepted)
	next(t, reports, func(r report) bool { return r.p.Unsettled == 1 })
	b.clock.Advance(settle)
	r := next(t, reports, func(r report) bool { return r.p.Taken > 0 })
	require.NoError(t, r.err)
	require.Equal(t, sftpbox.Polled{Taken: 1}, r.p)
	require.Equal(t, accepted, b.read(t, "archive/999-412.x12"))

	// A second file is seen, and then the server goes away.
	b.drop(t, "inbound/999-413.x12", rejected)
	next(t, reports, func(r report) bool { return r.p.Unsettled == 1 })
	require.NoError(t, b.srv.Close())
	r = next(t, reports, func(r report) bool { return r.err != nil })
	require.Zero(t, r.p.Taken)

	// Time passes while it is down; it comes back on the same address.
	b.clock.Advance(settle)
	opts := b.opts
	opts.Addr = b.srv.Addr()
	srv, err := sftpserver.Start(opts)
	require.NoError(t, err)
	t.Cleanup(func() { srv.Close() })

	// The first good poll takes the file: what was learnt about it before
	// the drop carried over to the new connection.
	r = next(t, reports, func(r report) bool { return r.err == nil })
	require.Equal(t, sftpbox.Polled{Taken: 1}, r.p)
	require.Equal(t, rejected, b.read(t, "archive/999-413.x12"))

	require.NoError(t, stop())
	require.Equal(t, 1, b.store.delivered(accepted))
	require.Equal(t, 1, b.store.delivered(rejected))
	require.Equal(t, 2, b.store.stored())
}

// A transfer cut mid-way drops the connection; Run dials again and the
// next poll takes the file.
func TestRunRecoversFromCutDownload(t *testing.T) {
	t.Parallel()
	cut := make(chan struct{}, 1)
	cut <- struct{}{}
	b := setup(t, func(o *sftpserver.Options) {
		o.CutAfter = func(tr sftpserver.Transfer) int64 {
			select {
			case <-cut:
				return 10
			default:
				return -1
			}
		}
	})
	b.cfg.Settle = time.Nanosecond
	b.cfg.Now = nil // the real clock: any two listings are a nanosecond apart
	ack := testdata(t, "999-accepted.x12")
	b.drop(t, "inbound/999-412.x12", ack)
	reports, stop := run(t, b)

	r := next(t, reports, func(r report) bool { return r.err != nil })
	require.ErrorIs(t, r.err, sftpbox.ErrConnLost)
	require.ErrorContains(t, r.err, "read /inbound/999-412.x12")
	require.Equal(t, sftpbox.Polled{Failed: 1}, r.p)
	require.True(t, b.exists("inbound/999-412.x12"))

	r = next(t, reports, func(r report) bool { return r.p.Taken > 0 })
	require.NoError(t, r.err)
	require.NoError(t, stop())
	require.Equal(t, 1, b.store.delivered(ack))
	require.False(t, b.exists("inbound/999-412.x12"))
}

func TestRunRefusesBadConfig(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	keep := b.store.keep
	tests := []struct {
		name   string
		change func(*sftpbox.Config)
		every  time.Duration
		keep   func(context.Context, sftpbox.File) error
		want   string
	}{
		{"no host key", func(c *sftpbox.Config) { c.HostKey = "" }, time.Second, keep, "no pinned host key"},
		{"no inbound", func(c *sftpbox.Config) { c.Inbound = "" }, time.Second, keep, "no inbound folder"},
		{"no interval", func(*sftpbox.Config) {}, 0, keep, "interval"},
		{"no keep", func(*sftpbox.Config) {}, time.Second, nil, "no keep"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := b.cfg
			tt.change(&cfg)
			err := sftpbox.Run(t.Context(), cfg, tt.every, tt.keep, nil)
			require.ErrorContains(t, err, tt.want)
		})
	}
}
