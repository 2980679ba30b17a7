package payment_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/payment"
	"github.com/stretchr/testify/require"
)

// clock is a settable clock for a DevProvider.
type clock struct{ t atomic.Pointer[time.Time] }

func newClock(t time.Time) *clock {
	c := &clock{}
	c.set(t)
	return c
}
func (c *clock) now() time.Time      { return *c.t.Load() }
func (c *clock) set(t time.Time)     { c.t.Store(&t) }
func (c *clock) add(d time.Duration) { c.set(c.now().Add(d)) }

var start = time.Date(2026, 10, 6, 15, 0, 0, 0, time.UTC)

func dev(t *testing.T) (*payment.DevProvider, *clock) {
	t.Helper()
	c := newClock(start)
	d, err := payment.NewDevProvider("http://localhost:8080/", c.now)
	require.NoError(t, err)
	return d, c
}

func TestDevCheckout(t *testing.T) {
	t.Parallel()
	d, _ := dev(t)
	r := request()
	co, err := d.CreateCheckout(context.Background(), r)
	require.NoError(t, err)
	require.Regexp(t, `^cs_dev_[0-9a-f]{32}$`, co.ProviderID)
	require.Equal(t, "http://localhost:8080/dev/pay/"+co.ProviderID, co.URL)
	require.Equal(t, r.ExpiresAt, co.ExpiresAt)

	s, ok := d.Session(co.ProviderID)
	require.True(t, ok)
	require.Equal(t, payment.DevOpen, s.State)
	require.Equal(t, r, s.Request)
	s.Request.Metadata["practice"] = "changed"
	again, _ := d.Session(co.ProviderID)
	require.Equal(t, "bright-smile", again.Request.Metadata["practice"], "the session's metadata is a copy")
	r.Metadata["statement"] = "changed"
	again, _ = d.Session(co.ProviderID)
	require.Equal(t, "st_8812", again.Request.Metadata["statement"], "kept as asked, not as changed later")

	_, ok = d.Session("cs_dev_unknown")
	require.False(t, ok)
}

func TestDevDefaultExpiry(t *testing.T) {
	t.Parallel()
	d, _ := dev(t)
	r := request()
	r.ExpiresAt = time.Time{}
	co, err := d.CreateCheckout(context.Background(), r)
	require.NoError(t, err)
	require.Equal(t, start.Add(24*time.Hour), co.ExpiresAt)
}

func TestDevIdempotencyKey(t *testing.T) {
	t.Parallel()
	d, _ := dev(t)
	first, err := d.CreateCheckout(context.Background(), request())
	require.NoError(t, err)
	same, err := d.CreateCheckout(context.Background(), request())
	require.NoError(t, err)
	require.Equal(t, first, same, "the same key and request return the same session")

	other := request()
	other.AmountCents = 100
	_, err = d.CreateCheckout(context.Background(), other)
	require.ErrorContains(t, err, "already used for a different request")
	require.False(t, payment.Temporary(err))

	other.Key = "paylink-6f1c2a9e-attempt-2"
	second, err := d.CreateCheckout(context.Background(), other)
	require.NoError(t, err)
	require.NotEqual(t, first.ProviderID, second.ProviderID)
}

func TestDevRefuses(t *testing.T) {
	t.Parallel()
	d, _ := dev(t)
	r := request()
	r.AmountCents = 0
	_, err := d.CreateCheckout(context.Background(), r)
	require.ErrorContains(t, err, "amount")

	r = request()
	r.ExpiresAt = start
	_, err = d.CreateCheckout(context.Background(), r)
	require.ErrorContains(t, err, "expiry is not in the future")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = d.CreateCheckout(ctx, request())
	require.ErrorIs(t, err, context.Canceled)
	require.True(t, payment.Temporary(err))

	for _, base := range []string{"", "/dev", "localhost:8080", "ftp://h", "http://u:p@h", "http://h/?q=1"} {
		_, err := payment.NewDevProvider(base, nil)
		require.Error(t, err, base)
	}
}

func TestDevComplete(t *testing.T) {
	t.Parallel()
	d, c := dev(t)
	co, err := d.CreateCheckout(context.Background(), request())
	require.NoError(t, err)
	c.add(3 * time.Minute)

	ev, err := d.Complete(co.ProviderID)
	require.NoError(t, err)
	require.Regexp(t, `^evt_dev_[0-9a-f]{32}$`, ev.ID)
	require.Regexp(t, `^pi_dev_[0-9a-f]{32}$`, ev.PaymentIntent)
	ev.ID, ev.PaymentIntent = "", ""
	require.Equal(t, payment.Event{Type: payment.Paid, ProviderID: co.ProviderID,
		ClientReference: "6f1c2a9e-0b4d-4c1e-9a55-2f7d8c3b1e40", AmountCents: 12550, Currency: "usd",
		At: start.Add(3 * time.Minute)}, ev)

	s, _ := d.Session(co.ProviderID)
	require.Equal(t, payment.DevPaid, s.State)
	for _, finish := range []func(string) (payment.Event, error){d.Complete, d.Fail, d.Expire} {
		_, err = finish(co.ProviderID)
		require.ErrorIs(t, err, payment.ErrSessionClosed, "a paid session is closed")
	}
	_, err = d.Complete("cs_dev_unknown")
	require.ErrorIs(t, err, payment.ErrUnknownSession)
}

func TestDevFailAndExpire(t *testing.T) {
	t.Parallel()
	d, c := dev(t)
	failing, err := d.CreateCheckout(context.Background(), request())
	require.NoError(t, err)
	ev, err := d.Fail(failing.ProviderID)
	require.NoError(t, err)
	require.Equal(t, payment.Failed, ev.Type)
	require.NotEmpty(t, ev.PaymentIntent)

	r := request()
	r.Key = "paylink-6f1c2a9e-attempt-2"
	expiring, err := d.CreateCheckout(context.Background(), r)
	require.NoError(t, err)
	c.set(r.ExpiresAt)
	s, _ := d.Session(expiring.ProviderID)
	require.Equal(t, payment.DevExpired, s.State, "past its expiry, it reads as expired")
	_, err = d.Complete(expiring.ProviderID)
	require.ErrorIs(t, err, payment.ErrSessionClosed, "too late to pay")
	ev, err = d.Expire(expiring.ProviderID)
	require.NoError(t, err)
	require.Equal(t, payment.Expired, ev.Type)
	require.Empty(t, ev.PaymentIntent)
	require.Equal(t, int64(12550), ev.AmountCents)
	require.Equal(t, r.ExpiresAt, ev.At)
}

func TestDevConcurrent(t *testing.T) {
	t.Parallel()
	d, _ := dev(t)
	co, err := d.CreateCheckout(context.Background(), request())
	require.NoError(t, err)
	var wg sync.WaitGroup
	var paid atomic.Int32
	ids := make(chan string, 16)
	for range 16 {
		wg.Go(func() {
			again, err := d.CreateCheckout(context.Background(), request())
			if err == nil {
				ids <- again.ProviderID
			}
			if _, err := d.Complete(co.ProviderID); err == nil {
				paid.Add(1)
			}
		})
	}
	wg.Wait()
	close(ids)
	for id := range ids {
		require.Equal(t, co.ProviderID, id)
	}
	require.EqualValues(t, 1, paid.Load(), "a session is paid once")
	require.True(t, strings.HasPrefix(co.URL, "http://localhost:8080/dev/pay/"))
}
