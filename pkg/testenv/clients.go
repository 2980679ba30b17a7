package testenv

import (
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Clients runs op from clients goroutines for the benchmark's iterations
// and reports the p99 latency (as p99-ms) beside the usual ns/op, so a
// benchmark and its baseline can be compared on tail latency too.
func Clients(b *testing.B, clients int, op func() error) {
	ClientsAs(b, clients, func(int) error { return op() })
}

// ClientsAs is Clients where each goroutine knows which client it is
// (0 to clients-1, wrapping if the benchmark runs more goroutines), for
// operations that act as a particular user.
func ClientsAs(b *testing.B, clients int, op func(client int) error) {
	var mu sync.Mutex
	var lat []time.Duration
	var next atomic.Int64
	b.SetParallelism(max(1, clients/maxProcs()))
	b.RunParallel(func(pb *testing.PB) {
		me := int(next.Add(1)-1) % clients
		var mine []time.Duration
		for pb.Next() {
			t := time.Now()
			if err := op(me); err != nil {
				b.Error(err)
				return
			}
			mine = append(mine, time.Since(t))
		}
		mu.Lock()
		lat = append(lat, mine...)
		mu.Unlock()
	})
	if len(lat) > 0 {
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	}
}

func maxProcs() int { return runtime.GOMAXPROCS(0) }
