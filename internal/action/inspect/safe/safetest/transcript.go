package safetest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
)

// Exchange is one JSON-RPC call and the node's answer, as recorded.
type Exchange struct {
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
	Result json.RawMessage `json:"result,omitempty"`
	Error  *RPCError       `json:"error,omitempty"`
}

// RPCError is a JSON-RPC error object.
type RPCError struct {
	Code    int             `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data,omitempty"`
}

// Transcript is a recording of a node's answers: how it was made and the
// exchanges, in the order they were first made.
type Transcript struct {
	Note      string     `json:"note"`
	Accounts  []string   `json:"accounts"` // what each address held when recorded
	Exchanges []Exchange `json:"exchanges"`
}

// LoadTranscript reads a transcript file.
func LoadTranscript(path string) (*Transcript, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var t Transcript
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("safetest: %s: %w", path, err)
	}
	return &t, nil
}

// Upstream answers one call; the recorder forwards to a real node.
type Upstream func(ctx context.Context, method string, params json.RawMessage) (json.RawMessage, *RPCError)

// Server is a JSON-RPC over HTTP handler that answers from a transcript
// (Upstream nil) or forwards to Upstream and records each new exchange.
type Server struct {
	Upstream Upstream

	mu sync.Mutex // guards t
	t  *Transcript
}

// NewServer serves t (replay) or records into it (up not nil).
func NewServer(t *Transcript, up Upstream) *Server {
	return &Server{Upstream: up, t: t}
}

func key(method string, params json.RawMessage) string {
	var b bytes.Buffer
	if err := json.Compact(&b, params); err != nil {
		return method + " " + string(params)
	}
	return method + " " + b.String()
}

// ServeHTTP answers one JSON-RPC request (batches are not used by the
// collector and answer an error).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var req struct {
		ID     json.RawMessage `json:"id"`
		Method string          `json:"method"`
		Params json.RawMessage `json:"params"`
	}
	resp := map[string]any{"jsonrpc": "2.0"}
	if err := json.Unmarshal(body, &req); err != nil {
		resp["id"] = nil
		resp["error"] = RPCError{Code: -32700, Message: "parse error (batches are not replayed): " + err.Error()}
		writeJSON(w, resp)
		return
	}
	resp["id"] = req.ID
	if len(req.Params) == 0 {
		req.Params = json.RawMessage("[]")
	}
	ex := s.exchange(r.Context(), req.Method, req.Params)
	if ex.Error != nil {
		resp["error"] = ex.Error
	} else {
		resp["result"] = ex.Result
	}
	writeJSON(w, resp)
}

func (s *Server) exchange(ctx context.Context, method string, params json.RawMessage) Exchange {
	k := key(method, params)
	s.mu.Lock()
	for _, ex := range s.t.Exchanges {
		if key(ex.Method, ex.Params) == k {
			s.mu.Unlock()
			return ex
		}
	}
	s.mu.Unlock()
	if s.Upstream == nil {
		return Exchange{Error: &RPCError{Code: -32000, Message: "safetest: no recording of " + k}}
	}
	var compact bytes.Buffer
	_ = json.Compact(&compact, params)
	ex := Exchange{Method: method, Params: json.RawMessage(compact.String())}
	ex.Result, ex.Error = s.Upstream(ctx, method, params)
	if ex.Error == nil && len(ex.Result) == 0 {
		ex.Result = json.RawMessage("null")
	}
	s.mu.Lock()
	s.t.Exchanges = append(s.t.Exchanges, ex)
	s.mu.Unlock()
	return ex
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
