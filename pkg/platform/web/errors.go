package web

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/logging"
	"github.com/gin-gonic/gin"
)

// ErrorBody is the JSON shape of every error response.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail says what went wrong: a stable code, a message for people and,
// for invalid input, the field at fault.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
	// Fields says, for a form refused as a whole, what is wrong with each
	// field, by field name.
	Fields map[string]string `json:"fields,omitempty"`
}

// Fail records err for the error middleware and stops the handler chain.
// Handlers call it and return.
func Fail(c *gin.Context, err error) {
	_ = c.Error(err)
	c.Abort()
}

var statusOf = map[apperr.Kind]int{
	apperr.KindInvalid:         http.StatusBadRequest,
	apperr.KindNotFound:        http.StatusNotFound,
	apperr.KindConflict:        http.StatusConflict,
	apperr.KindUnauthenticated: http.StatusUnauthorized,
	apperr.KindForbidden:       http.StatusForbidden,
	apperr.KindUnavailable:     http.StatusServiceUnavailable,
	apperr.KindTooLarge:        http.StatusRequestEntityTooLarge,
}

// httpError is an error that already knows its status (routing errors).
type httpError struct {
	status  int
	code    string
	message string
}

func (e *httpError) Error() string { return e.message }

func errorf(status int, code, message string) error {
	return &httpError{status: status, code: code, message: message}
}

// errorRenderer writes the JSON body for the last error a handler recorded.
// Errors of a known kind show their message; anything else is a 500 whose
// detail stays in the log, tied to the request id.
func errorRenderer(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Next()
		if len(c.Errors) == 0 || c.Writer.Written() {
			return
		}
		err := c.Errors.Last().Err
		var he *httpError
		if errors.As(err, &he) {
			writeError(c, he.status, he.code, he.message)
			return
		}
		var ae *apperr.Error
		if errors.As(err, &ae) && ae.Kind != apperr.KindInternal {
			status := statusOf[ae.Kind]
			body := ErrorBody{Error: ErrorDetail{Code: ae.Code, Message: ae.Message, Field: ae.Field, Fields: ae.Fields}}
			if status >= 500 && log != nil {
				log.WarnContext(c.Request.Context(), "dependency unavailable", slog.String("route", c.FullPath()), slog.String("error", err.Error()))
			}
			c.JSON(status, body)
			return
		}
		if log != nil {
			log.ErrorContext(c.Request.Context(), "request failed", slog.String("route", c.FullPath()), slog.String("error", err.Error()))
		}
		writeError(c, http.StatusInternalServerError, "internal", "internal error; quote request id "+logging.RequestID(c.Request.Context()))
	}
}

func writeError(c *gin.Context, status int, code, message string) {
	c.JSON(status, ErrorBody{Error: ErrorDetail{Code: code, Message: message}})
}
