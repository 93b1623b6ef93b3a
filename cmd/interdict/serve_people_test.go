package main

import (
	"net/http"
	"strings"
	"testing"
)

// TestServePeople: `serve` offers /v1/people to admin keys and to keys of
// --people-member, and its people key is the one `interdict people` uses.
func TestServePeople(t *testing.T) {
	c := cli{t: t, args: []string{"--data-dir", t.TempDir(), "--log-level", "warn"}}
	var admin, own, other struct {
		Key string `json:"key"`
	}
	c.json(&admin, "keys", "create", "--name", "ops", "--role", "admin")
	c.json(&own, "keys", "create", "--name", "hr", "--member", "acme", "--role", "analyst")
	c.json(&other, "keys", "create", "--name", "peer", "--member", "peer", "--role", "analyst")
	s, _ := startServer(t, c.args, "serve", "--people-member", "acme")
	body := `{"people":[{"id":"a1","kind":"applicant","identifiers":[{"type":"email","value":"A.Lex+jobs@gmail.com"}]},` +
		`{"id":"a2","kind":"applicant","identifiers":[{"type":"email","value":"alex@gmail.com"}]}]}`
	if code, got := s.do(t, "POST", "/v1/people", own.Key, body); code != http.StatusOK || !strings.Contains(string(got), `"flagged":2`) {
		t.Fatalf("POST /v1/people by the people member: HTTP %d %s; want both flagged (one Gmail address)", code, got)
	}
	if code, got := s.do(t, "GET", "/v1/people/a1/signals", other.Key, ""); code != http.StatusForbidden {
		t.Fatalf("another member: HTTP %d %s, want 403", code, got)
	}
	if code, got := s.do(t, "GET", "/v1/people/a1/signals", admin.Key, ""); code != http.StatusOK || !strings.Contains(string(got), "a2") {
		t.Fatalf("admin: HTTP %d %s", code, got)
	}
	// The CLI, with the same data dir and key, sees the persons the API added.
	if out := c.ok("people", "show", "a2"); !strings.Contains(out, "a1") {
		t.Fatalf("people show a2 after the API added it:\n%s", out)
	}
}
