// Package web builds the gin engine that every Backdesk service serves:
// panic recovery, request ids, tracing, an access log that never records
// bodies or query values, request metrics, one JSON error shape, and the
// /healthz, /readyz and /metrics endpoints. A service's own routes are
// mounted on the engine (or on a group behind authentication) afterwards.
package web

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/trace"
)

func init() { gin.SetMode(gin.ReleaseMode) }

// Options configure an engine.
type Options struct {
	Service        string               // name used in logs, spans and metrics
	Logger         *slog.Logger         // access and error log
	Registry       *prometheus.Registry // served at /metrics; nil serves nothing
	TracerProvider trace.TracerProvider // nil uses the global provider
	Ready          []Check              // what /readyz checks
}

// NewEngine returns an engine with the shared middleware chain and the
// operational endpoints. Authentication slots in later as middleware on the
// groups a service mounts its routes on, behind this chain.
func NewEngine(o Options) *gin.Engine {
	e := gin.New()
	e.ContextWithFallback = true
	e.HandleMethodNotAllowed = true
	e.RedirectTrailingSlash = false
	e.RedirectFixedPath = false
	_ = e.SetTrustedProxies(nil)

	e.Use(
		requestID(),
		tracing(o.TracerProvider),
		accessLog(o.Logger, newHTTPMetrics(o.Registry, o.Service)),
		recovery(o.Logger),
		errorRenderer(o.Logger),
		limitBody(),
	)
	e.NoRoute(func(c *gin.Context) {
		Fail(c, errorf(http.StatusNotFound, "not_found", "no such endpoint"))
	})
	e.NoMethod(func(c *gin.Context) {
		Fail(c, errorf(http.StatusMethodNotAllowed, "method_not_allowed", "method not allowed on this endpoint"))
	})

	e.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	e.GET("/readyz", readyHandler(o.Ready))
	if o.Registry != nil {
		h := promhttp.HandlerFor(o.Registry, promhttp.HandlerOpts{Registry: o.Registry})
		e.GET("/metrics", gin.WrapH(h))
	}
	return e
}

// operational reports the routes that stay out of traces and access logs,
// because probes and scrapes would drown everything else.
func operational(route string) bool {
	return route == "/healthz" || route == "/readyz" || route == "/metrics"
}

// Server returns an http.Server with timeouts suited to an API behind an
// ingress; slow clients cannot hold connections open forever.
func Server(addr string, h http.Handler) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
}
