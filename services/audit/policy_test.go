package audit_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/audit/recorder"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/backdesk/backdesk/pkg/testenv"
	auditapi "github.com/backdesk/backdesk/services/audit"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"
)

func TestPolicyReportsRetention(t *testing.T) {
	t.Parallel()
	db, _ := testenv.NewDB(t, sqldb.SQLite)
	store := auditstore.New(db)
	rec := recorder.New(db, store, recorder.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { rec.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })

	type policy struct {
		RetentionDays        int       `json:"retention_days"`
		MinimumRetentionDays int       `json:"minimum_retention_days"`
		KeepSince            time.Time `json:"keep_since"`
		DeletesEvents        bool      `json:"deletes_events"`
	}
	get := func(api *auditapi.API) policy {
		e := web.NewEngine(web.Options{Service: "audit-test"})
		g := e.Group("/", func(c *gin.Context) {
			c.Request = c.Request.WithContext(authn.WithPrincipal(c.Request.Context(), complianceOfficer))
			c.Next()
		})
		api.Mount(g)
		w := httptest.NewRecorder()
		e.ServeHTTP(w, httptest.NewRequest("GET", "/api/v1/audit/policy", nil))
		require.Equal(t, 200, w.Code, w.Body.String())
		var p policy
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &p))
		return p
	}

	p := get(newAPI(t, db, store, rec, nil))
	require.Equal(t, 2192, p.RetentionDays, "six years by default")
	require.Equal(t, 2192, p.MinimumRetentionDays)
	require.False(t, p.DeletesEvents)
	require.WithinDuration(t, time.Now().AddDate(0, 0, -2192), p.KeepSince, 24*time.Hour)

	p = get(newAPI(t, db, store, rec, func(d *auditapi.Deps) { d.RetentionDays = 3653 }))
	require.Equal(t, 3653, p.RetentionDays)
	require.WithinDuration(t, time.Now().AddDate(0, 0, -3653), p.KeepSince, 24*time.Hour)

	cur, err := store.Search(context.Background(), auditstore.Query{Actor: complianceOfficer.Subject})
	require.NoError(t, err)
	defer cur.Close()
	n := 0
	for {
		r, ok, err := cur.Next()
		require.NoError(t, err)
		if !ok {
			break
		}
		require.Equal(t, audit.ActionRead, r.Event.Action)
		require.Contains(t, r.Event.Fields, "retention_days")
		n++
	}
	require.Equal(t, 2, n, "each read of the policy is recorded")
}
