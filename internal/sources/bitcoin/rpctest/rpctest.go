// Package rpctest serves Bitcoin Core's JSON-RPC over HTTP for tests, two
// ways: Server replays recorded responses, and Node (node.go) answers from
// a chain of blocks the test grows and reorganises while clients follow it.
//
// Server replays recorded Bitcoin Core JSON-RPC responses. It reads
// recordings in bitcoin-etl's layout: one file per call, named
// rpc_response_<method>_<params joined by _>.json, holding the bare result
// (params printed as Python prints them: True, False, None). A call
// is answered with {"result": <file>, "error": null, "id": <id>} as Core
// does; a method with no recording at all gets Core's -32601 (HTTP 404), a
// known method with unrecorded params -5 (HTTP 500). Faults (HTTP 5xx,
// "warming up") can be injected to exercise a client's retries.
package rpctest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Server is a running replay server.
type Server struct {
	*httptest.Server
	dirs []string
	// answer answers one call: the recordings for New, a chain for NewNode.
	answer func(q request) (response, int)

	mu     sync.Mutex // guards the fields below
	calls  []string
	faults []Fault
	user   string
	pass   string
}

// Fault is one injected failure, served instead of the next call's answer.
type Fault struct {
	Status int    // HTTP status; 0 means 200
	Code   int    // RPC error code; 0 sends Body instead of an RPC error
	Body   string // raw body when Code is 0
}

// New starts a server answering from the recordings in dirs (searched in
// order) and stops it when the test ends.
func New(tb testing.TB, dirs ...string) *Server {
	tb.Helper()
	s := &Server{dirs: dirs}
	s.answer = s.replay
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	tb.Cleanup(s.Close)
	return s
}

// RequireAuth makes the server answer 401 unless requests carry HTTP basic
// auth with user and pass.
func (s *Server) RequireAuth(user, pass string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.user, s.pass = user, pass
}

// Inject queues faults served, one per request, before normal answers resume.
func (s *Server) Inject(f ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, f...)
}

// Calls returns the recording names asked for so far, in order.
func (s *Server) Calls() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.calls...)
}

type request struct {
	ID     json.RawMessage   `json:"id"`
	Method string            `json:"method"`
	Params []json.RawMessage `json:"params"`
}

type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

type response struct {
	Result json.RawMessage `json:"result"`
	Error  *rpcError       `json:"error"`
	ID     json.RawMessage `json:"id"`
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	user, pass := s.user, s.pass
	var fault *Fault
	if len(s.faults) > 0 {
		fault = &s.faults[0]
		s.faults = s.faults[1:]
	}
	s.mu.Unlock()
	if user != "" || pass != "" {
		if u, p, ok := r.BasicAuth(); !ok || u != user || p != pass {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
	}
	var body bytes.Buffer
	if _, err := body.ReadFrom(r.Body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if fault != nil {
		if fault.Status == 0 {
			fault.Status = http.StatusOK
		}
		w.WriteHeader(fault.Status)
		if fault.Code != 0 {
			json.NewEncoder(w).Encode(response{Result: json.RawMessage("null"), Error: &rpcError{fault.Code, "injected fault"}, ID: json.RawMessage("null")})
		} else {
			w.Write([]byte(fault.Body))
		}
		return
	}
	trimmed := bytes.TrimSpace(body.Bytes())
	if len(trimmed) > 0 && trimmed[0] == '[' {
		var reqs []request
		if err := json.Unmarshal(trimmed, &reqs); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		out := make([]response, len(reqs))
		for i, q := range reqs {
			out[i], _ = s.answer(q)
		}
		json.NewEncoder(w).Encode(out)
		return
	}
	var q request
	if err := json.Unmarshal(trimmed, &q); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	resp, status := s.answer(q)
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(resp)
}

// record notes a call in Calls and returns the id to answer with.
func (s *Server) record(q request) json.RawMessage {
	name := Names(q.Method, q.Params)[0]
	s.mu.Lock()
	s.calls = append(s.calls, name)
	s.mu.Unlock()
	if len(q.ID) == 0 {
		return json.RawMessage("null")
	}
	return q.ID
}

// replay finds the recording for one call.
func (s *Server) replay(q request) (response, int) {
	names := Names(q.Method, q.Params)
	id := s.record(q)
	for _, name := range names {
		for _, d := range s.dirs {
			data, err := os.ReadFile(filepath.Join(d, name))
			if err == nil {
				return response{Result: bytes.TrimSpace(data), ID: id}, http.StatusOK
			}
		}
	}
	if !s.knows(q.Method) {
		return response{Result: json.RawMessage("null"), Error: &rpcError{-32601, "Method not found"}, ID: id}, http.StatusNotFound
	}
	return response{Result: json.RawMessage("null"), Error: &rpcError{-5, "no recording " + names[0]}, ID: id}, http.StatusInternalServerError
}

func (s *Server) knows(method string) bool {
	for _, d := range s.dirs {
		m, _ := filepath.Glob(filepath.Join(d, "rpc_response_"+method+"*.json"))
		for _, f := range m {
			rest := strings.TrimPrefix(filepath.Base(f), "rpc_response_"+method)
			if rest == ".json" || strings.HasPrefix(rest, "_") {
				return true
			}
		}
	}
	return false
}

// Names lists the recording file names a call may be stored under, best
// first: the params as sent, then with verbosity numbers 0/1 spelled as
// Python booleans (bitcoin-etl passes True), then with trailing params left
// out (bitcoin-etl names getrawtransaction by txid alone) or given as None.
func Names(method string, params []json.RawMessage) []string {
	strs := make([]string, len(params))
	alt := make([]string, len(params))
	for i, p := range params {
		strs[i], alt[i] = param(p), param(p)
		if i > 0 {
			switch strs[i] {
			case "0":
				alt[i] = "False"
			case "1":
				alt[i] = "True"
			}
		}
	}
	var names []string
	add := func(ps []string) {
		n := "rpc_response_" + method
		if len(ps) > 0 {
			n += "_" + strings.Join(ps, "_")
		}
		n += ".json"
		for _, x := range names {
			if x == n {
				return
			}
		}
		names = append(names, n)
	}
	add(strs)
	add(alt)
	for k := len(strs) - 1; k >= 1; k-- {
		add(strs[:k])
		add(append(append([]string(nil), strs[:k]...), "None"))
	}
	if len(strs) == 1 {
		add(append(append([]string(nil), strs...), "None"))
	}
	return names
}

// param prints one JSON param as bitcoin-etl's Python names files.
func param(p json.RawMessage) string {
	p = bytes.TrimSpace(p)
	switch string(p) {
	case "true":
		return "True"
	case "false":
		return "False"
	case "null":
		return "None"
	}
	var s string
	if json.Unmarshal(p, &s) == nil {
		return s
	}
	return fmt.Sprint(string(p))
}
