package message

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// RetryAfter is a delivery put off, not failed: the practice's rate is
// spent for this minute. The worker runs the task again after Wait.
type RetryAfter struct{ Wait time.Duration }

// RetryIn implements queue.Later.
func (r *RetryAfter) RetryIn() time.Duration { return r.Wait }

func (r *RetryAfter) Error() string {
	return fmt.Sprintf("the practice's message rate is spent; next try in %s", r.Wait.Round(time.Second))
}

// Deliver hands one queued message to its channel's provider. It is the
// messages queue's task, and safe to run twice: only a worker that claims
// the message sends it. A message the patient opted out of since it was
// queued is failed, not sent. A practice past its rate gets *RetryAfter;
// a provider that is down gets the message back in the queue and the
// task's error, so the queue tries again with backoff; a provider that
// refuses it fails it with the reason.
func (s *Service) Deliver(ctx context.Context, id string) error {
	now := s.clock()
	c, ok, err := s.store.Claim(ctx, id, now)
	if err != nil || !ok {
		return err
	}
	if c.Blocked != "" {
		return s.store.Finish(ctx, id, Failed, "", c.Blocked, now)
	}
	p := s.providers[c.Channel]
	if p == nil {
		return s.put(ctx, id, fmt.Sprintf("no %s provider is configured", c.Channel), &RetryAfter{Wait: 5 * time.Minute})
	}
	per := c.PerMinute
	if per <= 0 {
		per = DefaultPerMinute
	}
	wait, err := s.limiter.Wait(ctx, c.PracticeID, per, now)
	if err != nil {
		return s.put(ctx, id, "the rate limiter is unavailable", err)
	}
	if wait > 0 {
		return s.put(ctx, id, "", &RetryAfter{Wait: wait})
	}
	d := Delivery{ID: c.ID, Channel: c.Channel, To: c.Address, Subject: c.Subject, Body: c.Body, UnsubscribeURL: c.UnsubscribeURL}
	if c.Channel == Text {
		d.From = c.TextFrom
		if s.publicURL != "" {
			d.StatusURL = s.publicURL + StatusPath + "?message=" + c.ID
		}
	}
	r, err := p.Deliver(ctx, d)
	switch {
	case err == nil:
		state := Sent
		if r.Delivered {
			state = Delivered
		}
		return s.store.Finish(ctx, id, state, r.ProviderID, "", s.clock())
	case Temporary(err):
		s.log.WarnContext(ctx, "message delivery put off", "message", id, "channel", string(c.Channel), "error", err.Error())
		return s.put(ctx, id, "the provider could not take it: "+err.Error(), err)
	default:
		return s.store.Finish(ctx, id, Failed, "", "the provider refused it: "+err.Error(), s.clock())
	}
}

// put gives a claimed message back to the queue and returns cause, so
// the task runs again.
func (s *Service) put(ctx context.Context, id, reason string, cause error) error {
	if err := s.store.Requeue(ctx, id, reason, s.clock()); err != nil {
		return errors.Join(cause, err)
	}
	return cause
}

// StatusPath is where text providers report delivery.
const StatusPath = "/api/v1/messages/twilio/status"

// InboundPath is where text providers post patients' texts.
const InboundPath = "/api/v1/messages/twilio/inbound"
