package console_test

import (
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/backdesk/backdesk/services/console"
	"github.com/backdesk/backdesk/services/internal/authz"
	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"
)

// Every page the console serves must be reachable in a cluster: its first
// path segment must be one of the chart's console.paths, which the Ingress
// and the HTTPRoute send to the console.
func TestEveryPageIsRoutedByTheChart(t *testing.T) {
	raw, err := os.ReadFile("../../charts/backdesk/values.yaml")
	require.NoError(t, err)
	var values struct {
		Console struct {
			Paths []string `json:"paths"`
		} `json:"console"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &values))
	routed := map[string]bool{}
	for _, p := range values.Console.Paths {
		routed[p] = true
	}
	e := gin.New()
	con, err := console.New(console.Deps{API: http.NotFoundHandler(), Guard: &authz.Guard{}, PublicURL: "http://127.0.0.1:8080",
		IssuerURL: "http://127.0.0.1:8080/dev/oidc", Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	con.Mount(e)
	require.NotEmpty(t, e.Routes())
	for _, r := range e.Routes() {
		first := "/"
		if seg := strings.SplitN(strings.TrimPrefix(r.Path, "/"), "/", 2)[0]; seg != "" {
			first = "/" + seg
		}
		require.True(t, routed[first], "%s %s is served by the console but %s is not in the chart's console.paths", r.Method, r.Path, first)
	}
}
