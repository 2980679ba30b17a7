package web

import (
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/logging"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
)

// RequestIDHeader carries the request id in and out.
const RequestIDHeader = "X-Request-ID"

// IdempotencyKeyHeader names one submission of a request a client may
// send again, so that the repeat is acted on once.
const IdempotencyKeyHeader = "Idempotency-Key"

var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// requestID keeps a caller's well-formed request id (so a proxy's id runs
// through) and makes one up otherwise.
func requestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader(RequestIDHeader)
		if !validRequestID.MatchString(id) {
			id = uuid.NewString()
		}
		c.Header(RequestIDHeader, id)
		c.Request = c.Request.WithContext(logging.WithRequestID(c.Request.Context(), id))
		c.Next()
	}
}

type httpMetrics struct {
	duration *prometheus.HistogramVec
	service  string
}

func newHTTPMetrics(reg *prometheus.Registry, service string) *httpMetrics {
	if reg == nil {
		return nil
	}
	m := &httpMetrics{service: service, duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "backdesk_http_server_duration_seconds",
		Help:    "Time to serve an HTTP request, by route template (never the raw path) and status.",
		Buckets: []float64{.002, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"service", "method", "route", "status"})}
	if err := reg.Register(m.duration); err != nil {
		if are, ok := err.(prometheus.AlreadyRegisteredError); ok {
			m.duration = are.ExistingCollector.(*prometheus.HistogramVec)
		} else {
			panic(err)
		}
	}
	return m
}

// accessLog logs method, route template, status, size and duration. It
// never logs the raw path, query values, headers or bodies, any of which
// may carry PHI.
func accessLog(log *slog.Logger, m *httpMetrics) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		status := c.Writer.Status()
		elapsed := time.Since(start)
		if m != nil {
			m.duration.WithLabelValues(m.service, knownMethod(c.Request.Method), route, strconv.Itoa(status)).Observe(elapsed.Seconds())
		}
		if log == nil || operational(route) {
			return
		}
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		log.LogAttrs(c.Request.Context(), level, "http request",
			slog.String("method", knownMethod(c.Request.Method)),
			slog.String("route", route),
			slog.Int("status", status),
			slog.Int("bytes", c.Writer.Size()),
			slog.Duration("duration", elapsed),
		)
	}
}

// recovery turns a panic into a 500 with the standard body. The stack goes
// to the log; the panic value does not, since it may quote data.
func recovery(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			p := recover()
			if p == nil {
				return
			}
			if p == http.ErrAbortHandler {
				panic(p)
			}
			if log != nil {
				log.ErrorContext(c.Request.Context(), "panic serving request",
					slog.String("route", c.FullPath()),
					slog.String("type", fmt.Sprintf("%T", p)),
					slog.String("stack", string(debug.Stack())))
			}
			if !c.Writer.Written() {
				writeError(c, http.StatusInternalServerError, "internal", "internal error; quote request id "+logging.RequestID(c.Request.Context()))
			}
			c.Abort()
		}()
		c.Next()
	}
}
