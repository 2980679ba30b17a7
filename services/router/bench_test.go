package router_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/platform/queue"
	"github.com/backdesk/backdesk/pkg/platform/relay"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/routing/routingstore"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/backdesk/backdesk/services/router"
	"github.com/hibiken/asynq"
)

const (
	benchItems   = 10000
	benchAgents  = 50
	benchWorkers = 16
)

// BenchmarkRouting routes 10,000 items to 50 agents per op, from outbox
// commit to assignment through asynq ("routed"), against a bare loop
// doing the same database work without asynq ("baseline", the same number
// of goroutines), and reports items/s. "paced" then feeds items at half
// the rate "routed" reached and reports the p99 from commit to assignment.
func BenchmarkRouting(b *testing.B) {
	for _, d := range testenv.Dialects {
		b.Run(string(d), func(b *testing.B) {
			var maxRate float64
			b.Run("routed", func(b *testing.B) {
				var trips int64
				for range b.N {
					db, opt, cleanup := benchWorld(b, d)
					ctx, cancel := context.WithCancel(context.Background())
					client := asynq.NewClient(opt)
					r := newRouter(b, db, nil)
					srv := queue.NewServer(opt, queue.ServerConfig{Concurrency: benchWorkers, Weights: router.DefaultWeights(), Logger: quiet(), PollInterval: 5 * time.Millisecond})
					if err := srv.Start(r.Handler()); err != nil {
						b.Fatal(err)
					}
					relay := relay.New(db, client, relay.Config{Interval: 5 * time.Millisecond, Batch: 500, Logger: quiet()})
					b.StartTimer()
					before := db.Counts()
					createItems(b, db, benchItems)
					go relay.Run(ctx)
					waitRouted(b, db, benchItems)
					b.StopTimer()
					trips += db.Counts().Sub(before).RoundTrips()
					srv.Shutdown()
					cancel()
					client.Close()
					cleanup()
				}
				rate := float64(benchItems*b.N) / b.Elapsed().Seconds()
				maxRate = rate
				b.ReportMetric(rate, "items/s")
				// Creating the items, relaying and routing them, and the
				// waits' polls: an upper bound on what routing costs.
				b.ReportMetric(float64(trips)/float64(benchItems*b.N), "roundtrips/item")
			})
			b.Run("baseline", func(b *testing.B) {
				for range b.N {
					db, _, cleanup := benchWorld(b, d)
					store := routingstore.New(db, auditstore.New(db), routingstore.Config{})
					b.StartTimer()
					createItems(b, db, benchItems)
					var next atomic.Int64
					var wg sync.WaitGroup
					for range benchWorkers {
						wg.Add(1)
						go func() {
							defer wg.Done()
							for i := next.Add(1) - 1; i < benchItems; i = next.Add(1) - 1 {
								if _, err := store.Route(context.Background(), fmt.Sprintf("wi-%05d", i)); err != nil {
									b.Error(err)
									return
								}
							}
						}()
					}
					wg.Wait()
					b.StopTimer()
					cleanup()
				}
				b.ReportMetric(float64(benchItems*b.N)/b.Elapsed().Seconds(), "items/s")
			})
			b.Run("noop", func(b *testing.B) {
				// Raw asynq: the same number of tasks through the same Redis
				// to a handler that does nothing.
				opt, err := queue.RedisOpt(testenv.Redis(b))
				if err != nil {
					b.Fatal(err)
				}
				for range b.N {
					var done atomic.Int64
					all := make(chan struct{})
					srv := queue.NewServer(opt, queue.ServerConfig{Concurrency: benchWorkers, Weights: router.DefaultWeights(), Logger: quiet(), PollInterval: 5 * time.Millisecond})
					mux := asynq.NewServeMux()
					mux.HandleFunc("bench:noop", func(context.Context, *asynq.Task) error {
						if done.Add(1) == benchItems {
							close(all)
						}
						return nil
					})
					if err := srv.Start(mux); err != nil {
						b.Fatal(err)
					}
					client := asynq.NewClient(opt)
					b.StartTimer()
					for range benchItems {
						if _, err := client.Enqueue(asynq.NewTask("bench:noop", nil), asynq.Queue(work.QueueBalances)); err != nil {
							b.Fatal(err)
						}
					}
					<-all
					b.StopTimer()
					srv.Shutdown()
					client.Close()
				}
				b.ReportMetric(float64(benchItems*b.N)/b.Elapsed().Seconds(), "items/s")
			})
			b.Run("paced", func(b *testing.B) {
				if maxRate == 0 {
					maxRate = 200 // run alone: a rate this machine sustains
				}
				var lat []time.Duration
				for range b.N {
					lat = append(lat, pacedRun(b, d, maxRate/2)...)
				}
				slices.Sort(lat)
				b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
				b.ReportMetric(maxRate/2, "offered-items/s")
			})
		})
	}
}

// pacedRun creates one item at a time at rate per second for two seconds
// and returns each item's time from its commit (seen by the creator) to
// its assignment (stamped by the router, on the same clock).
func pacedRun(b *testing.B, d sqldb.Dialect, rate float64) []time.Duration {
	db, opt, cleanup := benchWorld(b, d)
	defer cleanup()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	client := asynq.NewClient(opt)
	defer client.Close()
	r := newRouter(b, db, nil)
	srv := queue.NewServer(opt, queue.ServerConfig{Concurrency: benchWorkers, Weights: router.DefaultWeights(), Logger: quiet(), PollInterval: 5 * time.Millisecond})
	if err := srv.Start(r.Handler()); err != nil {
		b.Fatal(err)
	}
	defer srv.Shutdown()
	relay := relay.New(db, client, relay.Config{Interval: 5 * time.Millisecond, Logger: quiet()})
	go relay.Run(ctx)
	n := max(int(rate*2), 20)
	gap := time.Duration(float64(time.Second) / rate)
	// Warm up: the pools open their connections on the first items, which
	// a running router has long done. These items are not measured.
	const warm = 64
	for i := range warm {
		createOne(b, db, benchItems-1-i)
	}
	relay.Notify()
	waitRouted(b, db, warm)
	b.StartTimer()
	start := time.Now()
	committed := map[string]time.Time{}
	for i := range n {
		time.Sleep(time.Until(start.Add(time.Duration(i) * gap)))
		createOne(b, db, i)
		committed[fmt.Sprintf("wi-%05d", i)] = time.Now()
		relay.Notify()
	}
	waitRouted(b, db, n+warm)
	b.StopTimer()
	var out []time.Duration
	if err := db.Tx(sqldb.AllPractices(ctx), func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, assigned_at FROM work_items`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var a time.Time
			if err := rows.Scan(&id, &a); err != nil {
				return err
			}
			if c, ok := committed[id]; ok {
				out = append(out, max(0, a.Sub(c)))
			}
		}
		return rows.Err()
	}); err != nil {
		b.Fatal(err)
	}
	return out
}

func benchWorld(b *testing.B, d sqldb.Dialect) (*sqldb.DB, asynq.RedisConnOpt, func()) {
	b.StopTimer()
	db, _ := testenv.NewDB(b, d)
	routingWorld(b, db, benchAgents, benchItems/benchAgents+10, benchItems)
	opt, err := queue.RedisOpt(testenv.Redis(b))
	if err != nil {
		b.Fatal(err)
	}
	return db, opt, func() { _ = db.Close() }
}

func waitRouted(b *testing.B, db *sqldb.DB, n int) {
	ctx := context.Background()
	for {
		var assigned int
		if err := db.Tx(sqldb.AllPractices(ctx), func(tx *sql.Tx) error {
			return tx.QueryRowContext(ctx, `SELECT count(*) FROM work_items WHERE state = 'assigned'`).Scan(&assigned)
		}); err != nil {
			b.Fatal(err)
		}
		if assigned >= n {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}
