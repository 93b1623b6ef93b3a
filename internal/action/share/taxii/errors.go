package taxii

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/interdict/interdict/internal/serve/auth"
)

// Errors the server raises itself.
var (
	errNotAcceptable    = errors.New("the Accept header does not allow " + MediaType)
	errUnsupportedMedia = errors.New("the Content-Type must be " + MediaType)
	errTooLarge         = errors.New("request body larger than the API root's max_content_length")
	errNoRoute          = errors.New("no such TAXII endpoint")
	errMethod           = errors.New("method not allowed on this endpoint")
	errCannotRead       = errors.New("this key may not read this collection")
	errCannotWrite      = errors.New("this key may not write to this collection")
)

// errorRow maps a Go error to the TAXII error resource (section 3.6).
type errorRow struct {
	err   error
	code  int
	title string
	// detail: show the error's own text as the description (only for our
	// decoders and sentinels, whose text describes the request).
	detail bool
}

// errorTable is the one place errors become HTTP statuses; the first row
// whose error matches (errors.Is) wins, anything else is a 500 whose cause is
// logged and never shown.
var errorTable = []errorRow{
	{auth.ErrUnauthenticated, http.StatusUnauthorized, "Unauthorized", false},
	{auth.ErrForbidden, http.StatusForbidden, "Forbidden", false},
	{errCannotRead, http.StatusForbidden, "Forbidden", true},
	{errCannotWrite, http.StatusForbidden, "Forbidden", true},
	{errNotAcceptable, http.StatusNotAcceptable, "Not Acceptable", true},
	{errUnsupportedMedia, http.StatusUnsupportedMediaType, "Unsupported Media Type", true},
	{errTooLarge, http.StatusRequestEntityTooLarge, "Request Entity Too Large", true},
	{ErrInvalid, http.StatusBadRequest, "Bad Request", true},
	{ErrNotFound, http.StatusNotFound, "Not Found", true},
	{errNoRoute, http.StatusNotFound, "Not Found", true},
	{errMethod, http.StatusMethodNotAllowed, "Method Not Allowed", true},
	{context.DeadlineExceeded, http.StatusServiceUnavailable, "Service Unavailable", false},
	{context.Canceled, http.StatusServiceUnavailable, "Service Unavailable", false},
}

// ErrorResource is the TAXII 2.1 error message (section 3.6).
type ErrorResource struct {
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	ErrorID     string `json:"error_id,omitempty"`
	ErrorCode   string `json:"error_code,omitempty"`
	HTTPStatus  string `json:"http_status,omitempty"`
}

func mapError(err error) (int, ErrorResource) {
	for _, row := range errorTable {
		if errors.Is(err, row.err) {
			e := ErrorResource{Title: row.title, HTTPStatus: strconv.Itoa(row.code)}
			if row.detail {
				e.Description = err.Error()
			}
			if row.code == http.StatusUnauthorized {
				e.Description = "send an Interdict API key as the password of HTTP Basic auth or as a Bearer token"
			}
			return row.code, e
		}
	}
	return http.StatusInternalServerError, ErrorResource{Title: "Internal Server Error", Description: "the server log has the cause", HTTPStatus: "500"}
}

// writeError answers with err's TAXII error resource and logs the cause.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code, res := mapError(err)
	if code == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="interdict-taxii", Bearer realm="interdict-taxii"`)
	}
	if code >= 500 {
		s.log.LogAttrs(r.Context(), 8, "taxii request failed", slogErr(r, err)...)
	} else {
		s.log.LogAttrs(r.Context(), -4, "taxii request refused", slogErr(r, err)...)
	}
	s.writeJSON(w, code, res)
}

// writeJSON writes v with the TAXII media type.
func (s *Server) writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		code, b = http.StatusInternalServerError, []byte(`{"title":"Internal Server Error","http_status":"500"}`)
	}
	w.Header().Set("Content-Type", MediaType)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = w.Write(b)
}
