package api

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the expected responses in testdata/transcripts")

// Transcripts are request/response pairs in testdata/transcripts/*.txt, run
// in order against a fresh server and store per file. A block is
//
//	# what it shows
//	METHOD /path
//	Header: value
//
//	body
//	---
//	STATUS
//	Header: value
//
//	body
//
// with blocks separated by a line "===". Requests may use the placeholders
// $ADMIN, $ANALYST, $SCREENER, $REVOKED (their secrets), $ADMIN_ID, ... (their
// ids) and $KEY1, $KEY1_SECRET, ... (keys created earlier in the file). Responses are recorded with secrets,
// key ids, times and request ids replaced by placeholders; go test -update
// rewrites them.
func TestTranscripts(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "transcripts", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no transcripts: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txt"), func(t *testing.T) {
			runTranscript(t, file)
		})
	}
}

// recordedHeaders are the response headers a transcript shows.
var recordedHeaders = []string{"Allow", "Cache-Control", "Content-Type", "Www-Authenticate"}

type exchange struct {
	comment  string
	request  string
	response string
}

func runTranscript(t *testing.T, file string) {
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t)
	blocks := parseTranscript(string(raw))
	newKeys := 0
	for i := range blocks {
		got := h.replay(blocks[i].request, &newKeys)
		if *update {
			blocks[i].response = got
			continue
		}
		if got != blocks[i].response {
			t.Errorf("%s\n%s\n--- got:\n%s\n--- want:\n%s", file, blocks[i].request, got, blocks[i].response)
		}
	}
	if *update {
		var out strings.Builder
		for i, b := range blocks {
			if i > 0 {
				out.WriteString("===\n")
			}
			if b.comment != "" {
				out.WriteString(b.comment + "\n")
			}
			fmt.Fprintf(&out, "%s\n---\n%s\n", b.request, b.response)
		}
		if err := os.WriteFile(file, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// parseTranscript splits a transcript into exchanges: blocks end at a line
// "===", and a line "---" parts the request from the response.
func parseTranscript(text string) []exchange {
	var (
		blocks []exchange
		cur    exchange
		req    []string
		resp   []string
		inResp bool
	)
	flush := func() {
		for len(req) > 0 && strings.HasPrefix(req[0], "#") {
			if cur.comment != "" {
				cur.comment += "\n"
			}
			cur.comment += req[0]
			req = req[1:]
		}
		cur.request = strings.TrimSpace(strings.Join(req, "\n"))
		cur.response = strings.TrimSpace(strings.Join(resp, "\n"))
		if cur.request != "" {
			blocks = append(blocks, cur)
		}
		cur, req, resp, inResp = exchange{}, nil, nil, false
	}
	for _, l := range strings.Split(text, "\n") {
		switch {
		case l == "===":
			flush()
		case l == "---" && !inResp:
			inResp = true
		case inResp:
			resp = append(resp, l)
		case len(req) == 0 && l == "":
		default:
			req = append(req, l)
		}
	}
	flush()
	return blocks
}

var placeholder = regexp.MustCompile(`\$[A-Z][A-Z0-9_]*`)

// replay sends the request text and returns the normalised response text.
func (h *harness) replay(request string, newKeys *int) string {
	h.t.Helper()
	head, body, _ := strings.Cut(request, "\n\n")
	lines := strings.Split(head, "\n")
	method, path, ok := strings.Cut(lines[0], " ")
	if !ok {
		h.t.Fatalf("bad request line %q", lines[0])
	}
	byPlaceholder := map[string]string{}
	for k, v := range h.secrets {
		byPlaceholder[k] = v
	}
	for id, p := range h.ids {
		byPlaceholder[p] = id
	}
	expand := func(s string) string {
		return placeholder.ReplaceAllStringFunc(s, func(p string) string {
			if v, ok := byPlaceholder[p]; ok {
				return v
			}
			return p
		})
	}
	header := http.Header{}
	for _, l := range lines[1:] {
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			h.t.Fatalf("bad header line %q", l)
		}
		header.Add(strings.TrimSpace(k), expand(strings.TrimSpace(v)))
	}
	resp, b := h.do(method, expand(path), "", header, expand(body))
	h.checkDocumented(method, expand(path), resp, b)

	var out strings.Builder
	fmt.Fprintf(&out, "%d\n", resp.StatusCode)
	for _, k := range recordedHeaders {
		if v := resp.Header.Get(k); v != "" {
			fmt.Fprintf(&out, "%s: %s\n", k, v)
		}
	}
	if len(b) > 0 {
		out.WriteString("\n" + h.normalise(b, newKeys))
	}
	return strings.TrimSpace(out.String())
}

// checkDocumented fails the test if the answer of a served route is not
// what openapi.json says it is.
func (h *harness) checkDocumented(method, path string, resp *http.Response, body []byte) {
	h.t.Helper()
	_, pattern := h.handler.mux.Handler(httptest.NewRequest(method, path, nil))
	if _, ok := h.handler.routes[pattern]; !ok {
		return // the mux's own 404 and 405, documented in the Error schema
	}
	schemas, err := newDocSchemas()
	if err != nil {
		h.t.Fatal(err)
	}
	for _, p := range schemas.checkResponse(pattern, resp.StatusCode, resp.Header.Get("Content-Type"), body) {
		h.t.Errorf("%s %s answered %d not as openapi.json documents: %s", method, path, resp.StatusCode, p)
	}
}

// normalise pretty-prints a JSON body with volatile values replaced.
func (h *harness) normalise(body []byte, newKeys *int) string {
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return string(body)
	}
	// A created key's id becomes $KEYn, so later requests can name it.
	if m, ok := v.(map[string]any); ok {
		if key, ok := m["key"].(map[string]any); ok {
			id, ok1 := key["id"].(string)
			secret, ok2 := m["secret"].(string)
			if ok1 && ok2 {
				*newKeys++
				h.ids[id] = fmt.Sprintf("$KEY%d", *newKeys)
				h.secrets[fmt.Sprintf("$KEY%d_SECRET", *newKeys)] = secret
			}
		}
	}
	v = h.redact("", v)
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		h.t.Fatal(err)
	}
	return strings.TrimSpace(out.String())
}

var generatedID = regexp.MustCompile(`^[0-9a-f]{16}$`)

var volatileFields = map[string]string{
	"created_at": "<time>",
	"revoked_at": "<time>",
	"at":         "<time>",
}

func (h *harness) redact(field string, v any) any {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			x[k] = h.redact(k, x[k])
		}
		return x
	case []any:
		for i := range x {
			x[i] = h.redact(field, x[i])
		}
		return x
	case string:
		if field == "request_id" && generatedID.MatchString(x) {
			return "<request-id>"
		}
		if p, ok := volatileFields[field]; ok {
			return p
		}
		if p, ok := h.ids[x]; ok {
			return p
		}
		for p, s := range h.secrets {
			if x == s {
				return p
			}
		}
		if strings.HasPrefix(x, "itd_") {
			return "<new-secret>"
		}
	}
	return v
}
