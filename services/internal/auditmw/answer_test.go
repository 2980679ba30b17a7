package auditmw_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/backdesk/backdesk/services/internal/auditmw"
	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"
)

// recorder keeps the events it is given, noting whether anything had been
// written to the response when each arrived; it fails while down.
type recorder struct {
	mu     sync.Mutex
	events []audit.Event
	early  bool // a response was written before an event was recorded
	down   bool
	w      gin.ResponseWriter
}

func (r *recorder) Record(_ context.Context, e audit.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.w != nil && r.w.Written() {
		r.early = true
	}
	if r.down {
		return apperr.Unavailable("audit", nil)
	}
	r.events = append(r.events, e)
	return nil
}

// serve runs h on a request to an engine that renders errors as every
// service's does, with rec watching the response.
func serve(t *testing.T, rec *recorder, h gin.HandlerFunc) *httptest.ResponseRecorder {
	t.Helper()
	e := web.NewEngine(web.Options{Service: "auditmw-test"})
	e.GET("/x", func(c *gin.Context) { rec.w = c.Writer; h(c) })
	w := httptest.NewRecorder()
	e.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/x", nil))
	return w
}

const secret = "Ana Lee, 1980-01-01"

// An answer is written only after its event is recorded, and its error,
// when it has one, is answered the same way; an event that cannot be
// recorded turns the answer into a 503 that carries none of it.
func TestSendRecordsBeforeItAnswers(t *testing.T) {
	t.Parallel()
	ev := audit.Event{Action: audit.ActionRead, PracticeID: "pA", Outcome: audit.OutcomeAllow}
	cases := []struct {
		name   string
		down   bool
		answer auditmw.Answer
		status int
		body   string
		events int
	}{
		{"an answer", false, auditmw.Answer{Status: http.StatusOK, Body: gin.H{"patient": secret}, Event: ev}, 200, secret, 1},
		{"a refusal", false, auditmw.Answer{Event: ev, Err: &apperr.Error{Kind: apperr.KindForbidden, Code: "no_owned_work_item", Message: "no item"}}, 403, "no_owned_work_item", 1},
		{"an answer not recorded", true, auditmw.Answer{Status: http.StatusOK, Body: gin.H{"patient": secret}, Event: ev}, 503, "unavailable", 0},
		{"a refusal not recorded", true, auditmw.Answer{Event: ev, Err: &apperr.Error{Kind: apperr.KindForbidden, Code: "no_owned_work_item", Message: "no item"}}, 503, "unavailable", 0},
	}
	for _, tc := range cases {
		rec := &recorder{down: tc.down}
		w := serve(t, rec, func(c *gin.Context) { auditmw.Send(c, rec, tc.answer) })
		require.Equal(t, tc.status, w.Code, tc.name)
		require.Contains(t, w.Body.String(), tc.body, tc.name)
		require.Len(t, rec.events, tc.events, tc.name)
		require.False(t, rec.early, "%s: nothing is written before the event is recorded", tc.name)
		if tc.down {
			require.NotContains(t, w.Body.String(), secret, tc.name)
			require.NotContains(t, w.Body.String(), "no_owned_work_item", tc.name)
		}
	}
}

// Then runs the answer only once the event is recorded, and otherwise the
// fallback the caller gave (a sign-in's own page) or the recorder's 503.
func TestThenFallsBackWhenNotRecorded(t *testing.T) {
	t.Parallel()
	ev := audit.Event{Action: audit.ActionLogin, Outcome: audit.OutcomeAllow}
	for _, down := range []bool{false, true} {
		rec := &recorder{down: down}
		var answered, fellBack bool
		w := serve(t, rec, func(c *gin.Context) {
			auditmw.Then(c, rec, ev, func() { answered = true; c.String(http.StatusOK, "signed in") },
				func(err error) { fellBack = true; c.String(http.StatusServiceUnavailable, "cannot record sign-ins") })
		})
		require.Equal(t, !down, answered)
		require.Equal(t, down, fellBack)
		require.False(t, rec.early)
		if down {
			require.Equal(t, http.StatusServiceUnavailable, w.Code)
			require.Equal(t, "cannot record sign-ins", w.Body.String())
		} else {
			require.Equal(t, "signed in", w.Body.String())
		}

		rec = &recorder{down: down}
		answered = false
		w = serve(t, rec, func(c *gin.Context) {
			auditmw.Then(c, rec, ev, func() { answered = true; c.String(http.StatusOK, "signed in") }, nil)
		})
		require.Equal(t, !down, answered)
		if down {
			require.Equal(t, http.StatusServiceUnavailable, w.Code, "without a fallback the recorder's error answers")
		}
	}
}
