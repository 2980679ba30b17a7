package sftpbox

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"
)

// maxBackoff caps the wait between attempts to reach a server that is
// down, unless the poll interval is longer still.
const maxBackoff = 5 * time.Minute

// Run polls the inbound folder every interval until ctx ends, handing each
// file to keep as Poll does, and calls report (when not nil) after each
// poll and each failed dial. When the connection drops, or a dial or a
// listing fails, it closes the connection and dials again after a backoff
// that doubles with each failure in a row, capped at five minutes (or at
// every, if longer), with jitter. Failures of single files do not cause a
// redial; those files are offered again at the next poll. What the Box
// has learnt about unsettled files carries over to the next connection.
//
// Run returns nil when ctx ends, without reporting a poll that ctx cut
// short. It returns an error only for a Config that can never work.
func Run(ctx context.Context, cfg Config, every time.Duration, keep func(context.Context, File) error, report func(Polled, error)) error {
	l, err := prepare(cfg)
	if err != nil {
		return err
	}
	switch {
	case cfg.Inbound == "":
		return errors.New("sftpbox: config: no inbound folder to poll")
	case every <= 0:
		return errors.New("sftpbox: poll interval must be positive")
	case keep == nil:
		return errors.New("sftpbox: no keep function")
	}
	if report == nil {
		report = func(Polled, error) {}
	}

	var (
		box      *Box
		seen     = make(map[string]sighting)
		failures int
	)
	defer func() {
		if box != nil {
			box.Close()
		}
	}()
	for {
		wait := every
		if box == nil {
			box, err = l.dial(ctx)
			if err != nil {
				box = nil
				if ctx.Err() != nil {
					return nil
				}
				report(Polled{}, err)
				failures++
				if !sleep(ctx, backoff(every, failures)) {
					return nil
				}
				continue
			}
			box.seen = seen
		}

		p, whole, err := box.poll(ctx, keep)
		seen = box.seen
		if ctx.Err() != nil {
			return nil
		}
		report(p, err)
		if whole {
			box.Close()
			box = nil
			failures++
			wait = backoff(every, failures)
		} else {
			failures = 0
		}
		if !sleep(ctx, wait) {
			return nil
		}
	}
}

// backoff is the wait after the n-th failure in a row: every, doubled for
// each failure after the first, capped, and then drawn at random from its
// upper half so that pollers that lost the same server do not all return
// at once.
func backoff(every time.Duration, n int) time.Duration {
	limit := max(every, maxBackoff)
	d := every
	for i := 1; i < n && d < limit; i++ {
		d *= 2
	}
	d = min(d, limit)
	return d/2 + rand.N(d/2+1)
}

// sleep waits for d, or until ctx ends; it reports whether the wait ran
// its course.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
