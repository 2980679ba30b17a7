package router

import (
	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
)

// depthCollector reports each queue's depth by task state at scrape time,
// read from Redis through asynq's inspector.
type depthCollector struct {
	in   *asynq.Inspector
	desc *prometheus.Desc
}

// QueueDepth returns a collector of backdesk_queue_depth{queue,state}.
func QueueDepth(opt asynq.RedisConnOpt) prometheus.Collector {
	return &depthCollector{in: asynq.NewInspector(opt), desc: prometheus.NewDesc("backdesk_queue_depth",
		"Tasks in each queue by state (pending, scheduled, retry, active), read at scrape time.", []string{"queue", "state"}, nil)}
}

// Describe implements prometheus.Collector.
func (d *depthCollector) Describe(ch chan<- *prometheus.Desc) { ch <- d.desc }

// Collect implements prometheus.Collector. A queue that has never held a
// task is reported as empty.
func (d *depthCollector) Collect(ch chan<- prometheus.Metric) {
	for name := range DefaultWeights() {
		var pending, scheduled, retry, active int
		if info, err := d.in.GetQueueInfo(name); err == nil {
			pending, scheduled, retry, active = info.Pending, info.Scheduled, info.Retry, info.Active
		}
		for state, n := range map[string]int{"pending": pending, "scheduled": scheduled, "retry": retry, "active": active} {
			ch <- prometheus.MustNewConstMetric(d.desc, prometheus.GaugeValue, float64(n), name, state)
		}
	}
}
