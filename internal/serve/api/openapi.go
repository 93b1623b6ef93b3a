package api

import (
	_ "embed"
	"net/http"
)

// openapiJSON is the hand-written OpenAPI 3.1 description of every route in
// registerRoutes; openapi_test.go checks the two agree.
//
//go:embed openapi.json
var openapiJSON []byte

func (s *server) openapi(w http.ResponseWriter, _ *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(openapiJSON)
	return nil
}
