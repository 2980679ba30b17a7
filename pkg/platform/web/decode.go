package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/gin-gonic/gin"
)

// MaxJSONBody is the largest JSON request body accepted by DecodeJSON.
const MaxJSONBody = 1 << 20

// DecodeJSON reads the request body into v. It refuses bodies over
// MaxJSONBody, unknown fields, wrong types and trailing data, and says which
// field or byte offset is at fault without echoing the value.
func DecodeJSON(c *gin.Context, v any) error {
	if ct := c.ContentType(); ct != "application/json" {
		return apperr.Invalid("Content-Type", "unsupported_media_type", "must be application/json")
	}
	if c.Request.ContentLength > MaxJSONBody {
		return &apperr.Error{Kind: apperr.KindTooLarge, Code: "body_too_large", Message: fmt.Sprintf("request body exceeds %d bytes", MaxJSONBody)}
	}
	dec := json.NewDecoder(http.MaxBytesReader(c.Writer, c.Request.Body, MaxJSONBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return apperr.Invalid("body", "invalid_json", "unexpected data after the JSON object")
	}
	return nil
}

func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return &apperr.Error{Kind: apperr.KindTooLarge, Code: "body_too_large", Message: fmt.Sprintf("request body exceeds %d bytes", MaxJSONBody)}
	case errors.As(err, &syn):
		return apperr.Invalid("body", "invalid_json", "malformed JSON at byte %d", syn.Offset)
	case errors.As(err, &typ):
		return apperr.Invalid(typ.Field, "invalid_type", "must be %s", typ.Type.String())
	case errors.Is(err, io.EOF):
		return apperr.Invalid("body", "invalid_json", "request body is empty")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.Invalid("body", "invalid_json", "JSON ends too early")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return apperr.Invalid(field, "unknown_field", "is not a known field")
	}
	return apperr.Invalid("body", "invalid_json", "request body is not valid JSON")
}
