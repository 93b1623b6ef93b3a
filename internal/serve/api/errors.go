package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/interdict/interdict/internal/action/freeze"
	"github.com/interdict/interdict/internal/action/inspect"
	"github.com/interdict/interdict/internal/action/notify"
	"github.com/interdict/interdict/internal/action/share/ioc"
	"github.com/interdict/interdict/internal/analysis/exposure"
	vet "github.com/interdict/interdict/internal/analysis/people"
	"github.com/interdict/interdict/internal/analysis/trace"
	"github.com/interdict/interdict/internal/index/lists"
	"github.com/interdict/interdict/internal/index/people"
	"github.com/interdict/interdict/internal/serve/auth"
)

// Sentinel errors of the request decoders. Their wrapped text is written for
// the client (it names the offending field), so it never holds anything but
// facts about the request itself.
var (
	ErrMalformedJSON        = errors.New("malformed JSON")
	ErrInvalidRequest       = errors.New("invalid request")
	ErrBatchTooLarge        = errors.New("batch too large")
	ErrBodyTooLarge         = errors.New("request body too large")
	ErrUnsupportedMediaType = errors.New("unsupported media type")
)

// Errors the server raises itself for requests no handler takes.
var (
	errNoRoute          = errors.New("no such endpoint")
	errMethodNotAllowed = errors.New("method not allowed")
	errNotReady         = errors.New("not ready")
)

// errorMapping is one row of the error table.
type errorMapping struct {
	err    error
	status int
	code   string
	// message is what the client reads; empty means the error's own text,
	// which only our decoders' errors may use.
	message string
}

// errorTable maps every error a handler can return to an HTTP status, in one
// place. The first row whose sentinel matches (errors.Is) wins; anything else
// is a 500 whose cause is logged and never shown.
var errorTable = []errorMapping{
	{auth.ErrUnauthenticated, http.StatusUnauthorized, "unauthenticated", "a valid API key is required: send Authorization: Bearer <key> or X-API-Key: <key>"},
	{auth.ErrForbidden, http.StatusForbidden, "forbidden", "this API key's role does not allow this call"},
	{ErrBodyTooLarge, http.StatusRequestEntityTooLarge, "body_too_large", ""},
	{ErrBatchTooLarge, http.StatusRequestEntityTooLarge, "batch_too_large", ""},
	{ErrUnsupportedMediaType, http.StatusUnsupportedMediaType, "unsupported_media_type", ""},
	{ErrMalformedJSON, http.StatusBadRequest, "malformed_json", ""},
	{ErrInvalidRequest, http.StatusBadRequest, "invalid_request", ""},
	{auth.ErrInvalidRole, http.StatusBadRequest, "invalid_request", ""},
	{trace.ErrBadRequest, http.StatusBadRequest, "invalid_request", ""},
	{exposure.ErrBadRequest, http.StatusBadRequest, "invalid_request", ""},
	{ioc.ErrInvalid, http.StatusBadRequest, "invalid_request", ""},
	{people.ErrInvalid, http.StatusBadRequest, "invalid_request", ""},
	{people.ErrNotFound, http.StatusNotFound, "not_found", "person not found"},
	{vet.ErrCaseNotFound, http.StatusNotFound, "not_found", "case not found"},
	{inspect.ErrInvalid, http.StatusBadRequest, "invalid_request", ""},
	{inspect.ErrNotFound, http.StatusNotFound, "not_found", "inspection not found"},
	{inspect.ErrExists, http.StatusConflict, "conflict", "an inspection with this id already exists"},
	// Signed flags (flags.go): the reason is the error's own text, facts
	// about the posted record.
	{notify.ErrTooLarge, http.StatusRequestEntityTooLarge, "body_too_large", ""},
	{notify.ErrMalformed, http.StatusBadRequest, "invalid_request", ""},
	{notify.ErrBadSignature, http.StatusUnprocessableEntity, "bad_signature", ""},
	{notify.ErrUnknownIssuer, http.StatusUnprocessableEntity, "unknown_issuer", ""},
	{notify.ErrExpired, http.StatusUnprocessableEntity, "expired", ""},
	{notify.ErrNotAuthorised, http.StatusForbidden, "issuer_not_authorised", ""},
	{notify.ErrConflict, http.StatusConflict, "conflict", ""},
	{notify.ErrExists, http.StatusConflict, "conflict", ""},
	{notify.ErrNotFound, http.StatusNotFound, "not_found", ""},
	{freeze.ErrTraceNotFound, http.StatusNotFound, "not_found", "saved trace not found"},
	{freeze.ErrRunConflict, http.StatusConflict, "conflict", "another re-run of this trace was recorded first; read the trace and try again"},
	{trace.ErrNotFound, http.StatusNotFound, "not_found", "a start of the trace is not in the chain index"},
	{lists.ErrNotFound, http.StatusNotFound, "not_found", "list version not found"},
	{auth.ErrNotFound, http.StatusNotFound, "not_found", "api key not found"},
	{auth.ErrExists, http.StatusConflict, "conflict", "api key already exists"},
	{lists.ErrSourceMismatch, http.StatusUnprocessableEntity, "source_mismatch", "the two list versions are of different lists; diff two versions of the same list"},
	{errNoRoute, http.StatusNotFound, "not_found", "no such endpoint; see /v1/openapi.json"},
	{errMethodNotAllowed, http.StatusMethodNotAllowed, "method_not_allowed", "method not allowed for this endpoint; see the Allow header"},
	{errNotReady, http.StatusServiceUnavailable, "not_ready", "not ready"},
	{context.DeadlineExceeded, http.StatusServiceUnavailable, "timeout", "the request timed out"},
	{context.Canceled, http.StatusServiceUnavailable, "canceled", "the request was canceled"},
}

var internalError = errorMapping{status: http.StatusInternalServerError, code: "internal", message: "internal error; the server log has the cause"}

// mapError returns the status, code and client message for err.
func mapError(err error) (status int, code, message string) {
	m := internalError
	for _, row := range errorTable {
		if errors.Is(err, row.err) {
			m = row
			break
		}
	}
	if m.message == "" {
		m.message = err.Error()
	}
	return m.status, m.code, m.message
}

// errorBody is the JSON of every error response.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	RequestID string `json:"request_id,omitempty"`
}

// writeError answers with err's mapping and keeps err as the request's cause
// for the request log.
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, code, msg := mapError(err)
	st := stateOf(r)
	st.cause = err
	if status == http.StatusUnauthorized {
		v := `Bearer realm="interdict"`
		if st.presentedKey {
			v += `, error="invalid_token"`
		}
		w.Header().Set("WWW-Authenticate", v)
	}
	writeJSON(w, status, errorBody{Error: errorDetail{Code: code, Message: msg, RequestID: st.id}})
}
