package router

import (
	"context"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/queue"
	"github.com/backdesk/backdesk/pkg/routing"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the router's Prometheus series. Labels carry kinds and
// reasons, never ids.
type metrics struct {
	routed     *prometheus.CounterVec
	wait       *prometheus.HistogramVec
	unassigned *prometheus.GaugeVec
	escalated  prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		routed: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "backdesk_routing_attempts_total",
			Help: "Routing attempts by outcome: assigned, or the reason nobody could take the item."}, []string{"outcome"}),
		wait: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "backdesk_routing_wait_seconds",
			Help:    "Time from an item's creation to its first assignment.",
			Buckets: []float64{.01, .05, .1, .5, 1, 5, 30, 60, 300, 1800, 3600, 86400}}, []string{"kind"}),
		unassigned: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "backdesk_items_unassigned",
			Help: "Open items nobody owns, by kind and reason, as of the last reconciliation."}, []string{"kind", "reason"}),
		escalated: prometheus.NewCounter(prometheus.CounterOpts{Name: "backdesk_items_escalated_total",
			Help: "Items escalated to billing managers for want of an owner."}),
	}
	if reg != nil {
		reg.MustRegister(m.routed, m.wait, m.unassigned, m.escalated)
	}
	return m
}

// observe counts a routing attempt; the wait is labelled with the item's
// kind of work.
func (r *Router) observe(res routing.Result) {
	kind := string(res.Kind)
	switch {
	case res.OwnerID != "" && res.Waited > 0:
		r.metrics.routed.WithLabelValues("assigned").Inc()
		r.metrics.wait.WithLabelValues(kind).Observe(res.Waited.Seconds())
	case res.Reason != "":
		r.metrics.routed.WithLabelValues(string(res.Reason)).Inc()
		if r.notify != nil {
			r.notify() // a retry was queued
		}
	}
	if res.Escalated {
		r.metrics.escalated.Inc()
	}
}

// route picks an owner for a new or returned item. It is idempotent: the
// store does nothing to an item that is no longer open. An item nobody
// can take is queued again by the store, in the same transaction that
// records why, so the handler acknowledges the task either way.
func (r *Router) route(ctx context.Context, t queue.Task[work.RouteArgs]) error {
	res, err := r.routing.Route(ctx, t.Args.WorkItemID)
	if err != nil {
		return err
	}
	r.observe(res)
	return nil
}

// due brings a waiting item back at its next contact date.
func (r *Router) due(ctx context.Context, t queue.Task[work.DueArgs]) error {
	res, err := r.routing.Due(ctx, t.Args.WorkItemID)
	if err != nil {
		return err
	}
	r.observe(res)
	return nil
}

// ReconcileEvery is how often the reconciler runs in the services.
const ReconcileEvery = 30 * time.Second

// Reconcile runs the reconciler every interval until ctx ends.
func (r *Router) Reconcile(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		rep, err := r.routing.Reconcile(ctx, 500)
		switch {
		case err != nil && ctx.Err() == nil:
			r.log.WarnContext(ctx, "reconcile", "error", err.Error())
		case rep.Routed+rep.Due+rep.Rerouted > 0:
			r.log.InfoContext(ctx, "reconciled", "routed", rep.Routed, "due", rep.Due, "rerouted", rep.Rerouted, "unrouted", rep.Unrouted)
		}
		for i := 0; i < rep.Escalated; i++ {
			r.metrics.escalated.Inc()
		}
		if counts, err := r.routing.Unassigned(ctx); err == nil {
			r.metrics.unassigned.Reset()
			for _, c := range counts {
				r.metrics.unassigned.WithLabelValues(c.Kind, c.Reason).Set(float64(c.Count))
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
