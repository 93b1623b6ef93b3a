// Package rpctest serves Ethereum JSON-RPC over HTTP for tests, from two
// kinds of content: ethereum-etl's recorded responses and a programmable
// in-memory chain.
//
// Recordings are files named web3_response.<method>_<params>.json holding a
// whole JSON-RPC response; the name is built from the request as
// ethereum-etl's mock provider builds it (Key): each parameter in turn,
// joined with "_"; an object as key_value pairs with keys sorted; a list as
// its items; any other value as its text, lower-cased. Every call of a batch
// is looked up on its own, and the answer carries the request's id.
//
// Contracts (SetContract) answer eth_getCode and eth_call, for token
// metadata.
//
// The chain (SetChain, Reorg) answers eth_blockNumber, eth_chainId,
// eth_getLogs, eth_getBlockByNumber / eth_getBlockByHash (full or hashes only, "latest"
// included), eth_getBlockReceipts, eth_getTransactionReceipt, trace_block and
// debug_traceBlockByNumber with the callTracer, so a follower can be made to
// watch its chain change under it.
//
// A method the server knows nothing about answers -32601 (method not found);
// a known method with unknown parameters answers -32000 with a message
// naming the missing recording. Faults (HTTP 5xx, RPC errors) can be queued
// to exercise a client's retries.
package rpctest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/ethereum/go-ethereum/common"
)

// Server is a running JSON-RPC test server.
type Server struct {
	*httptest.Server

	mu         sync.Mutex                 // guards the fields below
	recordings map[string]json.RawMessage // key → whole response
	methods    map[string]bool            // methods with at least one recording
	disabled   map[string]bool            // methods answered -32601 whatever the content
	chain      *chain
	contracts  map[common.Address]*contract // served by eth_getCode and eth_call once set
	faults     []Fault
	calls      []string // keys of every call served, in order
}

// Fault is one injected failure, served instead of the next request's
// answer (the whole HTTP request, batch or not).
type Fault struct {
	Status int    // HTTP status; 0 means 200
	Code   int    // JSON-RPC error code; 0 sends Body as is
	Body   string // raw body when Code is 0
}

// New starts a server answering from the recordings found in dirs (files
// web3_response.*.json; the first directory holding a name wins) and stops
// it when the test ends.
func New(tb testing.TB, dirs ...string) *Server {
	tb.Helper()
	s := &Server{recordings: map[string]json.RawMessage{}, methods: map[string]bool{}, disabled: map[string]bool{}}
	for _, dir := range dirs {
		if err := s.load(dir); err != nil {
			tb.Fatal(err)
		}
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	tb.Cleanup(s.Close)
	return s
}

const prefix, suffix = "web3_response.", ".json"

func (s *Server) load(dir string) error {
	files, err := filepath.Glob(filepath.Join(dir, prefix+"*"+suffix))
	if err != nil {
		return err
	}
	for _, f := range files {
		key := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), prefix), suffix)
		if _, ok := s.recordings[key]; ok {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		if !json.Valid(data) {
			return fmt.Errorf("rpctest: %s is not JSON", f)
		}
		s.recordings[key] = data
		method, _, _ := strings.Cut(key, "_")
		// Method names hold no "_" except after the namespace (eth_, trace_,
		// debug_), so the method is the first two parts.
		if i := strings.Index(key[len(method)+1:], "_"); i >= 0 {
			method = key[:len(method)+1+i]
		} else {
			method = key
		}
		s.methods[method] = true
	}
	return nil
}

// Key is the recording name (without "web3_response." and ".json") of a call
// of method with params, as ethereum-etl's mock provider builds it.
func Key(method string, params []any) string {
	parts := make([]string, len(params))
	for i, p := range params {
		parts[i] = paramString(p)
	}
	return method + "_" + strings.Join(parts, "_")
}

func paramString(p any) string {
	switch v := p.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + "_" + paramString(v[k])
		}
		return strings.Join(parts, "_")
	case []any:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = paramString(x)
		}
		return strings.Join(parts, "_")
	case nil:
		return "none" // Python's str(None), lower-cased
	case string:
		return strings.ToLower(v)
	case json.Number:
		return v.String()
	case bool:
		if v {
			return "true"
		}
		return "false"
	}
	return strings.ToLower(fmt.Sprint(p))
}

// Disable makes method answer -32601 even if recordings or the chain could
// answer it (a node without eth_getBlockReceipts, without tracing).
func (s *Server) Disable(methods ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range methods {
		s.disabled[m] = true
	}
}

// Inject queues faults, served one per HTTP request before normal answers.
func (s *Server) Inject(faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, faults...)
}

// Calls returns the key of every call served so far (batch elements one by
// one), in order.
func (s *Server) Calls() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.calls...)
}

type request struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Method  string          `json:"method"`
	Params  json.RawMessage `json:"params"`
}

type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

type response struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   *rpcError       `json:"error,omitempty"`
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 32<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	if len(s.faults) > 0 {
		f := s.faults[0]
		s.faults = s.faults[1:]
		s.mu.Unlock()
		writeFault(w, f)
		return
	}
	s.mu.Unlock()

	w.Header().Set("Content-Type", "application/json")
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		var reqs []request
		if err := json.Unmarshal(trimmed, &reqs); err != nil {
			writeJSON(w, response{JSONRPC: "2.0", ID: json.RawMessage("null"), Error: &rpcError{-32700, "parse error: " + err.Error()}})
			return
		}
		out := make([]response, len(reqs))
		for i, req := range reqs {
			out[i] = s.answer(req)
		}
		writeJSON(w, out)
		return
	}
	var req request
	if err := json.Unmarshal(trimmed, &req); err != nil {
		writeJSON(w, response{JSONRPC: "2.0", ID: json.RawMessage("null"), Error: &rpcError{-32700, "parse error: " + err.Error()}})
		return
	}
	writeJSON(w, s.answer(req))
}

func writeFault(w http.ResponseWriter, f Fault) {
	status := f.Status
	if status == 0 {
		status = http.StatusOK
	}
	if f.Code != 0 {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(response{JSONRPC: "2.0", ID: json.RawMessage("null"), Error: &rpcError{f.Code, "injected fault"}})
		return
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, f.Body)
}

func writeJSON(w http.ResponseWriter, v any) {
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) answer(req request) response {
	resp := response{JSONRPC: "2.0", ID: req.ID}
	if len(resp.ID) == 0 {
		resp.ID = json.RawMessage("null")
	}
	var params []any
	if len(bytes.TrimSpace(req.Params)) > 0 && string(bytes.TrimSpace(req.Params)) != "null" {
		dec := json.NewDecoder(bytes.NewReader(req.Params))
		dec.UseNumber()
		if err := dec.Decode(&params); err != nil {
			resp.Error = &rpcError{-32602, "invalid params: " + err.Error()}
			return resp
		}
	}
	key := Key(req.Method, params)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, key)
	if s.disabled[req.Method] {
		resp.Error = &rpcError{-32601, fmt.Sprintf("the method %s does not exist/is not available", req.Method)}
		return resp
	}
	if rec, ok := s.recordings[key]; ok {
		var env struct {
			Result json.RawMessage `json:"result"`
			Error  *rpcError       `json:"error"`
		}
		if err := json.Unmarshal(rec, &env); err != nil {
			resp.Error = &rpcError{-32603, "recording " + key + ": " + err.Error()}
			return resp
		}
		resp.Result, resp.Error = env.Result, env.Error
		if resp.Error == nil && len(resp.Result) == 0 {
			resp.Result = json.RawMessage("null")
		}
		return resp
	}
	if s.chain != nil {
		if result, rerr, ok := s.chain.answer(req.Method, params); ok {
			resp.Result, resp.Error = result, rerr
			return resp
		}
	}
	if s.contracts != nil {
		if result, rerr, ok := s.answerContract(req.Method, params); ok {
			resp.Result, resp.Error = result, rerr
			return resp
		}
	}
	if s.methods[req.Method] {
		resp.Error = &rpcError{-32000, fmt.Sprintf("rpctest: no recording %s%s%s", prefix, key, suffix)}
		return resp
	}
	resp.Error = &rpcError{-32601, fmt.Sprintf("the method %s does not exist/is not available", req.Method)}
	return resp
}
