package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/interdict/interdict/internal/analysis/screen"
	"github.com/interdict/interdict/internal/sources/sanctions"
)

// Limits bound one screening request. They are documented in openapi.json;
// change both together.
type Limits struct {
	// MaxBatch caps addresses plus names in one request.
	MaxBatch int
	// MaxAddressLen and MaxNameLen cap one query, in characters (runes).
	MaxAddressLen int
	MaxNameLen    int
	// MaxFilters caps the types and the programs of one name query;
	// MaxFilterLen caps each program and the country, in characters.
	MaxFilters   int
	MaxFilterLen int
	// MaxMatches caps the limit a name query may ask for.
	MaxMatches int
}

// DefaultLimits are the documented defaults.
func DefaultLimits() Limits {
	return Limits{
		MaxBatch:      1000,
		MaxAddressLen: 256,
		MaxNameLen:    512,
		MaxFilters:    32,
		MaxFilterLen:  128,
		MaxMatches:    100,
	}
}

// Birth years outside this range are typos, not filters.
const minBirthYear, maxBirthYear = 1850, 2100

// ScreenRequest is the body of POST /v1/screen.
type ScreenRequest struct {
	Addresses []string      `json:"addresses"`
	Names     []NameRequest `json:"names"`
	// Exposure asks for each address's exposure too (exposure.go).
	Exposure bool `json:"exposure,omitempty"`
}

// Len is the number of queries in the request.
func (r ScreenRequest) Len() int { return len(r.Addresses) + len(r.Names) }

// NameRequest is one fuzzy name query with its optional filters.
type NameRequest struct {
	Name      string                 `json:"name"`
	Types     []sanctions.EntityType `json:"types,omitempty"`
	Programs  []string               `json:"programs,omitempty"`
	Country   string                 `json:"country,omitempty"`
	BirthYear int                    `json:"birth_year,omitempty"`
	Threshold float64                `json:"threshold,omitempty"`
	Limit     int                    `json:"limit,omitempty"`
}

// Query is the screen.NameQuery this request asks for.
func (n NameRequest) Query() screen.NameQuery {
	return screen.NameQuery{
		Name: n.Name, Types: n.Types, Programs: n.Programs, Country: n.Country,
		BirthYear: n.BirthYear, Threshold: n.Threshold, Limit: n.Limit,
	}
}

var entityTypes = map[sanctions.EntityType]bool{
	sanctions.TypeIndividual: true, sanctions.TypeOrganization: true,
	sanctions.TypeVessel: true, sanctions.TypeAircraft: true,
}

// DecodeScreenRequest reads one JSON screening request from r and checks it
// against limits. Queries are trimmed of surrounding space. Every error wraps
// one of ErrMalformedJSON, ErrInvalidRequest, ErrBatchTooLarge or
// ErrBodyTooLarge (when r is an http.MaxBytesReader that hit its limit),
// unless reading r itself failed.
func DecodeScreenRequest(r io.Reader, limits Limits) (ScreenRequest, error) {
	var req ScreenRequest
	if err := decodeStrict(r, &req); err != nil {
		return ScreenRequest{}, err
	}
	if n := req.Len(); n == 0 {
		return ScreenRequest{}, fmt.Errorf("%w: give at least one address or name", ErrInvalidRequest)
	} else if n > limits.MaxBatch {
		return ScreenRequest{}, fmt.Errorf("%w: %d queries, at most %d addresses and names together per request; split the batch", ErrBatchTooLarge, n, limits.MaxBatch)
	}
	for i, a := range req.Addresses {
		a, err := checkText(a, limits.MaxAddressLen)
		if err != nil {
			return ScreenRequest{}, fmt.Errorf("%w: addresses[%d]: %v", ErrInvalidRequest, i, err)
		}
		req.Addresses[i] = a
	}
	for i := range req.Names {
		if err := checkName(&req.Names[i], limits); err != nil {
			return ScreenRequest{}, fmt.Errorf("%w: names[%d].%v", ErrInvalidRequest, i, err)
		}
	}
	return req, nil
}

func checkName(n *NameRequest, limits Limits) error {
	var err error
	if n.Name, err = checkText(n.Name, limits.MaxNameLen); err != nil {
		return fmt.Errorf("name: %v", err)
	}
	if len(n.Types) > limits.MaxFilters {
		return fmt.Errorf("types: %d given, at most %d", len(n.Types), limits.MaxFilters)
	}
	for j, t := range n.Types {
		if !entityTypes[t] {
			return fmt.Errorf("types[%d]: %q is not one of individual, entity, vessel, aircraft", j, t)
		}
	}
	if len(n.Programs) > limits.MaxFilters {
		return fmt.Errorf("programs: %d given, at most %d", len(n.Programs), limits.MaxFilters)
	}
	for j, p := range n.Programs {
		if n.Programs[j], err = checkText(p, limits.MaxFilterLen); err != nil {
			return fmt.Errorf("programs[%d]: %v", j, err)
		}
	}
	if n.Country != "" {
		if n.Country, err = checkText(n.Country, limits.MaxFilterLen); err != nil {
			return fmt.Errorf("country: %v", err)
		}
	}
	if n.BirthYear != 0 && (n.BirthYear < minBirthYear || n.BirthYear > maxBirthYear) {
		return fmt.Errorf("birth_year: %d is outside %d-%d", n.BirthYear, minBirthYear, maxBirthYear)
	}
	if n.Threshold < 0 || n.Threshold > 1 {
		return fmt.Errorf("threshold: %g is outside [0, 1] (0 means the default %g)", n.Threshold, screen.DefaultThreshold)
	}
	if n.Limit < 0 || n.Limit > limits.MaxMatches {
		return fmt.Errorf("limit: %d is outside [0, %d] (0 means the default)", n.Limit, limits.MaxMatches)
	}
	return nil
}

// checkText trims s and refuses it empty, too long or holding control
// characters (no address or name has them; they are garbage or an attack on
// whoever reads the logs).
func checkText(s string, maxRunes int) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New("empty")
	}
	if n := utf8.RuneCountInString(s); n > maxRunes {
		return "", fmt.Errorf("%d characters, at most %d", n, maxRunes)
	}
	if i := strings.IndexFunc(s, unicode.IsControl); i >= 0 {
		return "", fmt.Errorf("control character at byte %d", i)
	}
	return s, nil
}

// decodeStrict decodes exactly one JSON value into v, refusing unknown fields
// and trailing data.
func decodeStrict(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	var extra json.RawMessage
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
		return nil
	case err == nil:
		return fmt.Errorf("%w: more than one JSON value in the body", ErrMalformedJSON)
	default:
		return decodeError(err)
	}
}

func decodeError(err error) error {
	var (
		tooLarge *http.MaxBytesError
		syntax   *json.SyntaxError
		typ      *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &tooLarge):
		return fmt.Errorf("%w: the body exceeds %d bytes", ErrBodyTooLarge, tooLarge.Limit)
	case errors.Is(err, io.EOF):
		return fmt.Errorf("%w: empty body", ErrMalformedJSON)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%w: the body ends inside a JSON value", ErrMalformedJSON)
	case errors.As(err, &syntax):
		return fmt.Errorf("%w: %v at byte %d", ErrMalformedJSON, syntax, syntax.Offset)
	case errors.As(err, &typ):
		where := typ.Field
		if where == "" {
			where = "the body"
		}
		return fmt.Errorf("%w: %s: %s where %s was expected", ErrMalformedJSON, where, typ.Value, typ.Type)
	case strings.HasPrefix(err.Error(), "json: "):
		// encoding/json has no type for unknown fields and a few other
		// refusals; its messages name only the field.
		return fmt.Errorf("%w: %s", ErrMalformedJSON, strings.TrimPrefix(err.Error(), "json: "))
	}
	return fmt.Errorf("read request body: %w", err)
}

// requireJSON refuses a body that does not say it is JSON: a form post or a
// text/plain body reaching a JSON endpoint is a client bug worth naming.
func requireJSON(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return fmt.Errorf("%w: set Content-Type: application/json", ErrUnsupportedMediaType)
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return fmt.Errorf("%w: Content-Type %q, want application/json", ErrUnsupportedMediaType, ct)
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return fmt.Errorf("%w: charset %q, want utf-8", ErrUnsupportedMediaType, cs)
	}
	return nil
}
